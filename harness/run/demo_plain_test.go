package run

import (
	"testing"
)

// With the demo in place of the unit's commands, ExecStartPre= and friends
// are not sent, and a unit's own TimeoutStopSec= replaces hardenlab's
// bounded stop instead of being sent twice.
func TestServicePropertiesDemo(t *testing.T) {
	r := &Runner{opts: Options{RunID: "t"}}
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "ExecStartPre=/bin/true", "ExecReload=/bin/true", "TimeoutStopSec=20s", "Restart=on-failure")
	counts := map[string]int{}
	for _, prop := range r.serviceProperties(p, []string{"/usr/bin/python3", "-m", "http.server"}) {
		counts[prop.Name]++
	}
	for name, want := range map[string]int{"ExecStartPre": 0, "ExecReload": 0, "ExecStart": 1, "TimeoutStopUSec": 1, "Restart": 1} {
		if counts[name] != want {
			t.Errorf("%s sent %d times, want %d", name, counts[name], want)
		}
	}
	plain := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server")
	for _, prop := range r.serviceProperties(plain, []string{"/usr/bin/python3"}) {
		if prop.Name == "TimeoutStopUSec" && prop.Value.Value() != uint64(10e6) {
			t.Errorf("hardenlab's bounded stop is %v", prop.Value)
		}
	}
}

func TestSearchPath(t *testing.T) {
	p, ok := searchPath("sh", func(s string) string { return s })
	if !ok || (p != "/usr/bin/sh" && p != "/bin/sh") {
		t.Errorf("sh resolved to %q, %v", p, ok)
	}
	if _, ok := searchPath("hardenlab-no-such-command", func(s string) string { return s }); ok {
		t.Error("a missing command resolved")
	}
}
