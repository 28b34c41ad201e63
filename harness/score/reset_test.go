package score

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// TestEmptyPrivateMounts: an empty PrivateMounts= that hardenlab accepts
// leaves the setting unset, and scores as `systemd-analyze security
// --offline=true` scored the same unit: 252 ignores the line (unset is
// bad), 257 resets its tristate (unset is good offline).
func TestEmptyPrivateMounts(t *testing.T) {
	tests := []struct {
		body   string
		tenths map[Version]int
		good   map[Version]bool
	}{
		{"PrivateMounts=\n", map[Version]int{V252: 96, V257: 94}, map[Version]bool{V252: false, V257: true}},
		{"PrivateMounts=yes\n", map[Version]int{V252: 94, V257: 94}, map[Version]bool{V252: true, V257: true}},
		{"PrivateMounts=\nPrivateMounts=no\n", map[Version]int{V252: 96, V257: 96}, map[Version]bool{V252: false, V257: false}},
	}
	for _, tc := range tests {
		u, err := directive.Parse(strings.NewReader("[Service]\nExecStart=/bin/true\n"+tc.body), "t.service")
		if err != nil {
			t.Fatal(err)
		}
		s, err := directive.Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			t.Fatalf("%q: %v", tc.body, err)
		}
		for v, want := range tc.tenths {
			t.Run(strings.ReplaceAll(tc.body, "\n", ";")+v.String(), func(t *testing.T) {
				r, err := Score(s, Options{Version: v, Offline: true, UnitName: "t.service"})
				if err != nil {
					t.Fatal(err)
				}
				if r.Tenths != want {
					t.Errorf("exposure %d tenths, systemd-analyze %d said %d", r.Tenths, v, want)
				}
				for _, c := range r.Checks {
					if c.Name == "PrivateMounts=" && (c.Set == nil || *c.Set != tc.good[v]) {
						t.Errorf("PrivateMounts= row set=%v, want %v", c.Set, tc.good[v])
					}
				}
			})
		}
	}
}
