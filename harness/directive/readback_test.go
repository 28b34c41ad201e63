package directive

import (
	"slices"
	"strings"
	"testing"
)

// fakeReadback renders settings the way systemd 252 reports them over
// D-Bus (types as godbus decodes them), so CheckReadback can be tested
// without a systemd; the e2e test checks the same against the real one.
func fakeReadback(s *Settings) map[string]interface{} {
	e := s.Effective()
	got := map[string]interface{}{}
	for _, spec := range specs() {
		if spec.Section != "Service" {
			continue
		}
		for _, p := range spec.props(e) {
			v := p.Value.Value()
			switch w := v.(type) {
			case []execWire:
				var rows [][]interface{}
				for _, c := range w {
					rows = append(rows, []interface{}{c.Path, c.Argv, c.IgnoreFailure, uint64(0), uint64(0), uint64(0), uint64(0), uint32(0), int32(0), int32(0)})
				}
				v = rows
			case filterWire:
				if old, ok := got[p.Name].([]interface{}); ok && spec.Name == "SystemCallFilter" {
					// PID 1 merges repeated lines: the first fixes the mode,
					// later ones add (same mode) or remove names.
					names := slices.Clone(old[1].([]string))
					for _, n := range w.Names {
						if w.Allow == old[0].(bool) {
							names = append(names, n)
						} else {
							names = slices.DeleteFunc(names, func(x string) bool { return x == n })
						}
					}
					v = []interface{}{old[0], names}
				} else {
					v = []interface{}{w.Allow, slices.Clone(w.Names)}
				}
			case []ipWire:
				var rows [][]interface{}
				for _, a := range w {
					rows = append(rows, []interface{}{a.Family, a.Address, a.PrefixLen})
				}
				v = rows
			case []deviceWire:
				var rows [][]interface{}
				for i := len(w) - 1; i >= 0; i-- { // systemd lists the newest rule first
					rows = append(rows, []interface{}{w[i].Path, w[i].Perms})
				}
				v = rows
			}
			if str, ok := v.(string); ok && p.Name == "WorkingDirectory" && strings.HasPrefix(str, "-") {
				v = "!" + str[1:]
			}
			got[p.Name] = v
			if p.Name == "DelegateControllers" {
				got["Delegate"] = true // PID 1 reads a controller list as yes
			}
		}
	}
	return got
}

func TestCheckReadbackAgrees(t *testing.T) {
	for _, name := range []string{"../../fixtures/p3test.service", "../../fixtures/p3test-hardened.service"} {
		u, err := ParseFile(name)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			t.Fatal(err)
		}
		if m := CheckReadback(s, fakeReadback(s)); len(m) != 0 {
			t.Errorf("%s: mismatches on a faithful readback: %v", name, m)
		}
	}
	// Every directive's example, read back faithfully, agrees.
	for _, spec := range Specs() {
		s, err := Resolve(assignments(spec.Name+"="+spec.Example), true)
		if err != nil {
			t.Fatal(err)
		}
		if m := CheckReadback(s, fakeReadback(s)); len(m) != 0 {
			t.Errorf("%s=%s: mismatches on a faithful readback: %v", spec.Name, spec.Example, m)
		}
	}
}

func TestCheckReadbackFindsMismatches(t *testing.T) {
	s, err := Resolve(assignments(
		"ExecStart=/usr/bin/python3 -m http.server",
		"CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_DAC_READ_SEARCH",
		"PrivateDevices=yes",
		"ProtectSystem=strict",
		"SystemCallFilter=~@mount ptrace", "SystemCallFilter=ptrace",
		"IPAddressAllow=192.168.1.0/24",
		"DeviceAllow=/dev/null rw",
		"UMask=0077",
	), true)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		edit   func(got map[string]interface{})
		wantIn string
	}{
		{"capabilities", func(g map[string]interface{}) { g["CapabilityBoundingSet"] = uint64(1<<10 | 1<<2 | 1<<27) }, "CapabilityBoundingSet: want 1028"},
		{"enum", func(g map[string]interface{}) { g["ProtectSystem"] = "full" }, "ProtectSystem: want strict, systemd has full"},
		{"boolean", func(g map[string]interface{}) { g["PrivateDevices"] = false }, "PrivateDevices: want true"},
		{"missing", func(g map[string]interface{}) { delete(g, "UMask") }, "UMask: want 0077, systemd has (property missing)"},
		{"wrong type", func(g map[string]interface{}) { g["UMask"] = "0077" }, "UMask: want 0077, systemd has unexpected string"},
		{"filter mode", func(g map[string]interface{}) { g["SystemCallFilter"] = []interface{}{true, []string{"read"}} }, "SystemCallFilter: want deny-list"},
		{"filter name", func(g map[string]interface{}) {
			g["SystemCallFilter"] = []interface{}{false, []string{"mount", "ptrace"}}
		}, "-ptrace, systemd has deny-list +ptrace"},
		{"ip", func(g map[string]interface{}) {
			g["IPAddressAllow"] = [][]interface{}{{int32(2), []byte{192, 168, 0, 0}, uint32(16)}}
		}, "IPAddressAllow: want 192.168.1.0/24, systemd has 192.168.0.0/16"},
		{"device", func(g map[string]interface{}) { g["DeviceAllow"] = [][]interface{}{{"/dev/null", "r"}} }, "DeviceAllow: want /dev/null:rw"},
		{"exec", func(g map[string]interface{}) {
			g["ExecStart"] = [][]interface{}{{"/usr/bin/python3", []string{"/usr/bin/python3"}, false}}
		}, "ExecStart: want"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := fakeReadback(s)
			if m := CheckReadback(s, got); len(m) != 0 {
				t.Fatalf("faithful readback already mismatches: %v", m)
			}
			tc.edit(got)
			m := CheckReadback(s, got)
			if len(m) != 1 || !strings.Contains(m[0].String(), tc.wantIn) {
				t.Errorf("mismatches %v, want exactly one containing %q", m, tc.wantIn)
			}
		})
	}
}

// systemd adds DeviceAllow rules of its own and drops capabilities on its
// own; neither is a mismatch.
func TestCheckReadbackToleratesImplications(t *testing.T) {
	s, err := Resolve(assignments("DeviceAllow=/dev/null rw", "ProtectClock=yes", "CapabilityBoundingSet=CAP_SYS_TIME CAP_CHOWN"), true)
	if err != nil {
		t.Fatal(err)
	}
	got := fakeReadback(s)
	got["DeviceAllow"] = [][]interface{}{{"char-rtc", "r"}, {"/dev/null", "rw"}}
	got["CapabilityBoundingSet"] = uint64(1) // CAP_SYS_TIME dropped by ProtectClock=yes
	if m := CheckReadback(s, got); len(m) != 0 {
		t.Errorf("implied changes reported as mismatches: %v", m)
	}
	got["CapabilityBoundingSet"] = uint64(1 | 1<<25)
	if m := CheckReadback(s, got); len(m) != 1 {
		t.Errorf("CAP_SYS_TIME kept despite ProtectClock=yes must mismatch, got %v", m)
	}
}
