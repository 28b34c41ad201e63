package directive

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSpecTable validates the directive table itself.
func TestSpecTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Specs() {
		t.Run(s.Name, func(t *testing.T) {
			if seen[s.Name] {
				t.Fatalf("duplicate directive %s", s.Name)
			}
			seen[s.Name] = true
			switch {
			case s.Section != "Service" && s.Section != "Unit":
				t.Errorf("section %q", s.Section)
			case len(s.Properties) == 0 || s.Properties[0] == "":
				t.Errorf("no D-Bus property name")
			case s.Signature == "":
				t.Errorf("no D-Bus signature")
			case s.Kind == "":
				t.Errorf("no value kind")
			case s.Doc == "" || strings.Contains(s.Doc, "\n"):
				t.Errorf("doc must be one non-empty line: %q", s.Doc)
			case s.Example == "":
				t.Errorf("no example")
			case s.apply == nil || s.props == nil || s.isDefault == nil:
				t.Errorf("missing parser, renderer or default test")
			case s.compare == nil && (s.want == nil || s.got == nil):
				t.Errorf("no readback comparison")
			case s.Kind == KindEnum && len(s.Values) == 0:
				t.Errorf("enumeration without values")
			}
			if got, ok := Lookup(s.Name); !ok || got.Name != s.Name {
				t.Errorf("Lookup(%q) = %v, %v", s.Name, got.Name, ok)
			}

			// The example must resolve, be reported as set, and render
			// properties with the table's name and signature.
			st, err := Resolve([]Assignment{{Name: s.Name, Value: s.Example}}, true)
			if err != nil {
				t.Fatalf("example %s=%s: %v", s.Name, s.Example, err)
			}
			if !st.Set(s.Name) {
				t.Errorf("Set(%s) is false after the example", s.Name)
			}
			props := s.props(st)
			if len(props) == 0 {
				t.Fatalf("no properties for the example")
			}
			for _, p := range props {
				if !slices.Contains(s.Properties, p.Name) {
					t.Errorf("property name %s, table says %v", p.Name, s.Properties)
				}
				if sig := p.Value.Signature().String(); sig != s.SignatureOf(p.Name) {
					t.Errorf("signature %s, table says %s", sig, s.SignatureOf(p.Name))
				}
			}
			// A hand-built Settings holding the example's value must count
			// as set too (Set falls back to "differs from default").
			byHand := *st
			byHand.assigned = nil
			if s.Name != "Type" && !byHand.Set(s.Name) {
				t.Errorf("hand-built Settings with the example: Set(%s) is false", s.Name)
			}
		})
	}
	if _, ok := Lookup("protectsystem"); ok {
		t.Errorf("Lookup must be case-sensitive like systemd")
	}
}

// TestEverySettingsFieldReachable: each exported Settings field is changed
// by at least one directive's example, so no field is dead.
func TestEverySettingsFieldReachable(t *testing.T) {
	def := newSettings(true)
	reached := map[string]bool{}
	for _, s := range Specs() {
		st, err := Resolve([]Assignment{{Name: s.Name, Value: s.Example}}, true)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		a, b := reflect.ValueOf(*def), reflect.ValueOf(*st)
		for i := 0; i < a.NumField(); i++ {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
				reached[a.Type().Field(i).Name] = true
			}
		}
	}
	typ := reflect.TypeOf(Settings{})
	for i := 0; i < typ.NumField(); i++ {
		if f := typ.Field(i); f.IsExported() && !reached[f.Name] {
			t.Errorf("no directive example sets Settings.%s", f.Name)
		}
	}
}

// TestTables checks how the directives use the kernel name tables (which
// probes/linux validates): the errno rules differ by directive, as
// systemd-analyze verify shows for 252 and 257.
func TestTables(t *testing.T) {
	for _, c := range []struct {
		word string
		want int32
	}{{"EPERM", 1}, {"eacces", 13}, {"EWOULDBLOCK", 11}, {"ENOTSUP", 95}, {"4095", 4095}, {"+1", 1}, {"0x10", 16}} {
		if n, ok := errnoNumber(c.word); !ok || n != c.want {
			t.Errorf("errno %s = %d %v, want %d", c.word, n, ok, c.want)
		}
	}
	// SystemCallErrorNumber= refuses 0 ("Invalid error number"); a
	// SystemCallFilter= action takes it.
	for _, bad := range []string{"", "0", "-0", "4096", "EFOO", "-1", "kill"} {
		if _, ok := errnoNumber(bad); ok {
			t.Errorf("SystemCallErrorNumber errno %q accepted", bad)
		}
	}
	for action, want := range map[string]bool{"0": true, "kill": true, "EACCES": true, "eacces": true, "4095": true,
		"KILL": false, "4096": false, "": false, "EFOO": false} {
		if got := ValidSyscallAction(action); got != want {
			t.Errorf("ValidSyscallAction(%q) = %v, want %v", action, got, want)
		}
	}
	if name, n, ok := addressFamily("af_local"); !ok || name != "AF_UNIX" || n != unix.AF_UNIX {
		t.Errorf("af_local = %s %d %v, want AF_UNIX", name, n, ok)
	}
	s := &Settings{RestrictNamespaces: NamespacesAll | unix.CLONE_NEWTIME}
	if got := strings.Join(AllowedNamespaces(s), " "); got != "cgroup ipc net mnt pid user uts time" {
		t.Errorf("AllowedNamespaces = %q", got)
	}
	if n, ok := errnoNumber(errnoName(95)); !ok || n != 95 || errnoName(4000) != "4000" {
		t.Errorf("errnoName does not round-trip: %s, %s", errnoName(95), errnoName(4000))
	}
	known := knownSyscalls()
	for _, name := range []string{"read", "write", "ptrace", "mount", "reboot", "kexec_load", "clock_settime", "init_module"} {
		if !known[name] {
			t.Errorf("system call %s missing from the known list", name)
		}
	}
	if len(known) < 400 {
		t.Errorf("only %d known system calls", len(known))
	}
}

// TestSince: the versions are plausible systemd releases no newer than 252,
// the systemd the table is written against (every directive in it works
// there), and the ones the refusal messages rely on are where they were
// when harness/run kept its own table.
func TestSince(t *testing.T) {
	const oldest, newest = 200, 252
	for _, s := range Specs() {
		if s.Since != 0 && (s.Since < oldest || s.Since > newest) {
			t.Errorf("%s: Since %d outside %d..%d", s.Name, s.Since, oldest, newest)
		}
	}
	for _, tc := range []struct {
		name  string
		since int
	}{
		{"Description", 0}, {"ExecStart", 0}, {"User", 0}, {"PrivateMounts", 0}, {"Delegate", 0}, {"DeviceAllow", 0},
		{"WorkingDirectory", 227}, {"PrivateTmp", 227}, {"NoNewPrivileges", 227},
		{"ProtectSystem", 228}, {"ProtectHome", 228},
		{"ReadWritePaths", 231}, {"MemoryDenyWriteExecute", 231},
		{"DynamicUser", 232}, {"ProtectControlGroups", 232},
		{"RestrictNamespaces", 233},
		{"SystemCallFilter", 235}, {"UMask", 235}, {"IPAddressDeny", 235},
		{"ExecStop", 236},
		{"ProtectHostname", 242}, {"RestrictSUIDSGID", 242},
		{"ProtectKernelLogs", 244},
		{"ProtectClock", 245},
		{"ProtectProc", 247}, {"ProcSubset", 247},
	} {
		s, ok := Lookup(tc.name)
		if !ok {
			t.Errorf("%s: not in the table", tc.name)
			continue
		}
		if s.Since != tc.since {
			t.Errorf("%s: Since %d, want %d", tc.name, s.Since, tc.since)
		}
	}
}

// The sandboxing keys a matrix ablates besides the descriptors are plain
// rows (sent as written), and known to systemd.
func TestSandboxingPlainArePlainRows(t *testing.T) {
	for _, name := range sandboxingPlain() {
		if Security(name) {
			t.Errorf("%s has a descriptor: it is hardening already", name)
		}
		if _, ok := lookupPlain(name); !ok {
			t.Errorf("%s is not a plain row", name)
		}
		if !Hardening(name) {
			t.Errorf("Hardening(%s) is false", name)
		}
	}
	if Hardening("Restart") || !Hardening("ProtectSystem") {
		t.Error("Restart= is ablated or ProtectSystem= is not")
	}
}
