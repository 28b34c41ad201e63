package run

import "testing"

// The demo stands in for every command but itself: what it proves is for
// the demo when the unit names a service of its own.
func TestStandsIn(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  bool
	}{
		{[]string{"ExecStart=/usr/bin/python3 -m http.server 8000"}, false},
		{[]string{"ExecStart=python3 -m http.server --directory /srv"}, false},
		{[]string{"ExecStart=/usr/sbin/nginx -g 'daemon off;'"}, true},
		{[]string{"Type=oneshot", "ExecStart=/usr/bin/python3 -m http.server", "ExecStart=/bin/true"}, true},
	} {
		if got := StandsIn(profileOf(t, tc.lines...).Settings); got != tc.want {
			t.Errorf("%v: StandsIn = %v, want %v", tc.lines, got, tc.want)
		}
	}
}
