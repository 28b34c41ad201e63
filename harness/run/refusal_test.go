package run

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"

	"github.com/hardenlab/hardenlab/harness/directive"
)

func profileOf(t *testing.T, lines ...string) Profile {
	t.Helper()
	as, err := directive.ParseAssignments(lines, "u.service", 1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := directive.Resolve(as, true)
	if err != nil {
		t.Fatal(err)
	}
	return Profile{Name: "p", Assignments: as, Settings: s}
}

// Every directive with a Since is refused, naming that version, by the
// release just before it, and accepted from that release on.
func TestCheckSupportedEverySince(t *testing.T) {
	checked := 0
	for _, spec := range directive.Specs() {
		if spec.Since == 0 {
			continue
		}
		checked++
		t.Run(spec.Name, func(t *testing.T) {
			lines := []string{"ExecStart=/usr/bin/python3 -m http.server", spec.Name + "=" + spec.Example}
			if spec.Name == "ExecStart" {
				lines = lines[1:]
			}
			p := profileOf(t, lines...)
			older := strconv.Itoa(spec.Since-1) + ".1-1"
			err := checkSupported(p, older)
			var re *RefusalError
			if !errors.As(err, &re) || re.Directive != spec.Name {
				t.Fatalf("systemd %s: got %v, want a refusal of %s", older, err, spec.Name)
			}
			for _, want := range []string{"u.service:2", spec.Name + "=", "systemd " + older, fmt.Sprintf("needs systemd %d or newer", spec.Since)} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if err := checkSupported(p, strconv.Itoa(spec.Since)); err != nil {
				t.Errorf("systemd %d: %v", spec.Since, err)
			}
		})
	}
	if checked == 0 {
		t.Fatal("no directive has a Since")
	}
}

func TestCheckSupported(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "ProtectClock=yes", "ProtectProc=invisible")
	err := checkSupported(p, "245.4-4ubuntu3")
	if err == nil {
		t.Fatal("systemd 245 accepted ProtectProc=")
	}
	for _, want := range []string{"u.service:3", "ProtectProc=invisible", "systemd 245.4-4ubuntu3", "247"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "ProtectClock") {
		t.Errorf("245 supports ProtectClock: %v", err)
	}
	if err := checkSupported(p, "252.39-1~deb12u2"); err != nil {
		t.Errorf("252: %v", err)
	}
}

// A plain directive only 257 knows is refused by 252 like a security
// directive with a Since; a key that would change the sandbox but cannot
// be sent is refused whatever the version.
func TestCheckSupportedPlain(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "RestartSteps=5", "Restart=on-failure")
	err := checkSupported(p, "252.39-1~deb12u2")
	if err == nil || !strings.Contains(err.Error(), "u.service:2: RestartSteps=5: systemd 252.39-1~deb12u2 does not support it: it needs systemd 257") {
		t.Errorf("252: %v", err)
	}
	if err := checkSupported(p, "257.13-1~deb13u1"); err != nil {
		t.Errorf("257: %v", err)
	}
	blocked := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "JoinsNamespaceOf=other.service")
	for _, v := range []string{"257", "unknown"} {
		if err := checkSupported(blocked, v); err == nil || !strings.Contains(err.Error(), "u.service:2: JoinsNamespaceOf=: refused for a run") {
			t.Errorf("systemd %s: JoinsNamespaceOf= not refused: %v", v, err)
		}
	}
}

func TestExplainRefusal(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "ProtectKernelLogs=yes")
	de := dbus.Error{Name: "org.freedesktop.DBus.Error.PropertyReadOnly", Body: []interface{}{"Cannot set property ProtectKernelLogs, or unknown property."}}
	err := explainRefusal(de, p, "243")
	var re *RefusalError
	if !errors.As(err, &re) || re.Directive != "ProtectKernelLogs" || !strings.Contains(err.Error(), "systemd 243") || !strings.Contains(err.Error(), "u.service:2") {
		t.Fatalf("got %v", err)
	}
	other := errors.New("boom")
	if explainRefusal(other, p, "252") != other {
		t.Fatal("unrelated errors must pass through")
	}
}

// A system call name only 257's libseccomp resolves parses everywhere and
// is refused, before anything starts, by an older systemd, which would
// drop it from the filter ("Failed to parse system call, ignoring").
func TestCheckSupportedNewerSyscalls(t *testing.T) {
	tests := []struct {
		filter  string
		systemd string
		refused []string // names refused, in order; nil: accepted
	}{
		{"mseal", "252.39-1~deb12u2", []string{"mseal"}},
		{"~mseal", "252", []string{"mseal"}},
		{"~listmount:EPERM", "256.7-1", []string{"listmount"}},
		{"@system-service listmount getpagesize", "252", []string{"listmount", "getpagesize"}},
		{"mseal", "257.13-1~deb13u1", nil},
		{"@system-service listmount getpagesize", "257", nil},
		{"mseal", "258", nil},
		{"mseal", "unknown", nil}, // no version: systemd decides
		{"@system-service uselib cachestat", "252", nil},
	}
	for _, tc := range tests {
		t.Run(tc.filter+"/"+tc.systemd, func(t *testing.T) {
			p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "SystemCallFilter="+tc.filter)
			err := checkSupported(p, tc.systemd)
			if tc.refused == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.refused) {
				t.Fatalf("%d refusals, want %d: %v", len(lines), len(tc.refused), err)
			}
			for i, name := range tc.refused {
				for _, want := range []string{
					"u.service:2: SystemCallFilter=" + tc.filter + ": systemd " + tc.systemd + " ignores system call " + strconv.Quote(name),
					`"Failed to parse system call, ignoring: ` + name + `"`,
					"systemd 257 or newer",
				} {
					if !strings.Contains(lines[i], want) {
						t.Errorf("refusal %q lacks %q", lines[i], want)
					}
				}
			}
			var re *RefusalError
			if !errors.As(err, &re) || re.Directive != "SystemCallFilter" || re.Source != "u.service:2" {
				t.Errorf("not a RefusalError of SystemCallFilter at u.service:2: %#v", err)
			}
		})
	}
}

// Type=notify-reload came in 253: a 252 run refuses it, 257 takes it.
func TestCheckSupportedNewerValue(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "Type=notify-reload")
	if err := checkSupported(p, "252.39-1~deb12u2"); err == nil || !strings.Contains(err.Error(), "Type=notify-reload: systemd 252.39-1~deb12u2 does not support it: it needs systemd 253") {
		t.Errorf("252: %v", err)
	}
	if err := checkSupported(p, "257.13-1~deb13u1"); err != nil {
		t.Errorf("257: %v", err)
	}
}
