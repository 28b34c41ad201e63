package run

import (
	"slices"
	"testing"

	"github.com/coreos/go-systemd/v22/dbus"
)

// With the demo in place of the unit's commands, ExecStartPre= and friends
// are not sent, and a unit's own TimeoutStopSec= replaces hardenlab's
// bounded stop instead of being sent twice.
func TestServicePropertiesDemo(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "ExecStartPre=/bin/true", "ExecReload=/bin/true", "TimeoutStopSec=20s", "Restart=on-failure")
	counts := map[string]int{}
	for _, prop := range (planSetup{runID: "t"}).serviceProperties(p, []string{"/usr/bin/python3", "-m", "http.server"}) {
		counts[prop.Name]++
	}
	for name, want := range map[string]int{"ExecStartPre": 0, "ExecReload": 0, "ExecStart": 1, "TimeoutStopUSec": 1, "Restart": 1} {
		if counts[name] != want {
			t.Errorf("%s sent %d times, want %d", name, counts[name], want)
		}
	}
	plain := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server")
	for _, prop := range (planSetup{runID: "t"}).serviceProperties(plain, []string{"/usr/bin/python3"}) {
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

// A oneshot or notify unit would wait for the demo to exit or notify: it
// runs as Type=simple, and notify keeps the NotifyAccess= it implies.
func TestDemoType(t *testing.T) {
	for _, c := range []struct {
		lines        []string
		typ, access  string
		noteExpected bool
	}{
		{[]string{"Type=simple"}, "simple", "", false},
		{[]string{"Type=exec"}, "exec", "", false},
		{[]string{"Type=oneshot"}, "simple", "", true},
		{[]string{"Type=forking", "PIDFile=/run/x.pid"}, "simple", "", true},
		{[]string{"Type=notify"}, "simple", "main", true},
		{[]string{"Type=notify", "NotifyAccess=all"}, "simple", "", true},
	} {
		p := profileOf(t, append([]string{"ExecStart=/usr/bin/python3 -m http.server"}, c.lines...)...)
		var typ, access string
		for _, prop := range (planSetup{runID: "t"}).serviceProperties(p, []string{"/usr/bin/python3"}) {
			switch prop.Name {
			case "Type":
				typ = prop.Value.Value().(string)
			case "NotifyAccess":
				access = prop.Value.Value().(string)
			}
		}
		_, _, note := demoType(p.Settings)
		if typ != c.typ || (c.access != "" && access != c.access) || (note != "") != c.noteExpected {
			t.Errorf("%v: Type=%s NotifyAccess=%s note %q; want %s %s", c.lines, typ, access, note, c.typ, c.access)
		}
	}
}

// The demo's profiles share the sandbox's /run: a unit with
// RuntimeDirectory= is sent with RuntimeDirectoryPreserve=yes, with a
// note, and one that already keeps it, or has none, is sent as written.
func TestDemoPreserve(t *testing.T) {
	for _, c := range []struct {
		lines    []string
		preserve []string // the value sent; nil when not sent
		noted    bool
	}{
		{[]string{"RuntimeDirectory=redis"}, []string{`"yes"`}, true},
		{[]string{"RuntimeDirectory=redis", "RuntimeDirectoryPreserve=restart"}, []string{`"yes"`}, true},
		{[]string{"RuntimeDirectory=redis", "RuntimeDirectoryPreserve=yes"}, []string{`"yes"`}, false},
		{[]string{"RuntimeDirectory=redis", "RuntimeDirectory="}, nil, false},
		{[]string{"StateDirectory=redis"}, nil, false},
	} {
		p := profileOf(t, append([]string{"ExecStart=/usr/bin/python3 -m http.server"}, c.lines...)...)
		sent, note, err := demoPreserve(p)
		if err != nil {
			t.Fatalf("%v: %v", c.lines, err)
		}
		if got := sent.Settings.PlainValue("RuntimeDirectoryPreserve"); !slices.Equal(got, c.preserve) {
			t.Errorf("%v: RuntimeDirectoryPreserve sent as %q, want %q", c.lines, got, c.preserve)
		}
		if (note != "") != c.noted {
			t.Errorf("%v: note %q", c.lines, note)
		}
		if !c.noted && sent.Settings != p.Settings {
			t.Errorf("%v: settings rebuilt without need", c.lines)
		}
		sentProp := false
		for _, prop := range (planSetup{runID: "t"}).serviceProperties(sent, []string{"/usr/bin/python3"}) {
			sentProp = sentProp || prop.Name == "RuntimeDirectoryPreserve"
		}
		if sentProp != (c.preserve != nil) {
			t.Errorf("%v: RuntimeDirectoryPreserve property sent: %v", c.lines, sentProp)
		}
	}
}

// A unit's ExecStart= with a "!!" or "+" prefix travels as ExecStartEx:
// neither the demo's unit nor the probe unit may carry it beside their
// own ExecStart, which PID 1 refuses ("more than one ExecStart=",
// measured on systemd-networkd's and man-db's units).
func TestOwnExecStartNotSentInEitherForm(t *testing.T) {
	for _, line := range []string{"ExecStart=!!/lib/systemd/systemd-networkd", "ExecStart=+/usr/bin/install -d /var/cache/man", "ExecStart=/bin/true"} {
		p := profileOf(t, line, "ExecStop=+/bin/kill $MAINPID")
		count := func(props []dbus.Property, prefix string) int {
			n := 0
			for _, prop := range props {
				if prop.Name == prefix || prop.Name == prefix+"Ex" {
					n++
				}
			}
			return n
		}
		svc := (planSetup{runID: "t"}).serviceProperties(p, []string{"/usr/bin/python3"})
		if n := count(svc, "ExecStart"); n != 1 {
			t.Errorf("%s: the demo's unit has %d ExecStart properties", line, n)
		}
		probe := (planSetup{runID: "t"}).probeProperties(p.Settings, "s.service", "/out", []string{"/probe"})
		if n, m := count(probe, "ExecStart"), count(probe, "ExecStop"); n != 1 || m != 0 {
			t.Errorf("%s: the probe unit has %d ExecStart and %d ExecStop properties", line, n, m)
		}
	}
}
