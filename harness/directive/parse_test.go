package directive

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestParseFixtures(t *testing.T) {
	u, err := ParseFile("../../fixtures/p3test-hardened.service")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "p3test-hardened.service" || !strings.HasPrefix(u.Description, "Tâche qui exécute") || !u.DefaultDependencies {
		t.Errorf("unit header: %+v", u)
	}
	if len(u.Service) != 19 {
		t.Errorf("%d [Service] assignments, want 19", len(u.Service))
	}
	if a := u.Service[0]; a.Name != "Type" || a.Value != "simple" || a.Source.Line != 6 {
		t.Errorf("first assignment %+v, want Type=simple at line 6", a)
	}
	if a := u.Service[len(u.Service)-1]; a.Name != "ProtectKernelLogs" || a.Source.Line != 24 {
		t.Errorf("last assignment %+v, want ProtectKernelLogs at line 24", a)
	}
	wantNotes := []Note{
		{Source: Source{File: "../../fixtures/p3test-hardened.service", Line: 3}, Directive: "Documentation", Reason: "not sent: documentation only"},
		{Source: Source{File: "../../fixtures/p3test-hardened.service", Line: 27}, Directive: "WantedBy", Reason: installNote},
	}
	if len(u.Notes) != 2 || u.Notes[0] != wantNotes[0] || u.Notes[1] != wantNotes[1] {
		t.Errorf("notes %+v, want %+v", u.Notes, wantNotes)
	}
	s, err := Resolve(u.Service, u.DefaultDependencies)
	if err != nil {
		t.Fatal(err)
	}
	if s.CapabilityBoundingSet != 1028 || s.RestrictNamespaces != 1040187392 || s.ProtectSystem != "strict" {
		t.Errorf("hardened settings: caps %d ns %d ProtectSystem %s", s.CapabilityBoundingSet, s.RestrictNamespaces, s.ProtectSystem)
	}
}

func TestParseLinesAndErrors(t *testing.T) {
	text := strings.Join([]string{
		"# comment",                   // 1
		"[Unit]",                      // 2
		"DefaultDependencies=no",      // 3
		"After=network.target",        // 4
		"",                            // 5
		"[Service]",                   // 6
		"ExecStart=/bin/echo a \\",    // 7
		"   b",                        // 8
		"; another comment",           // 9
		"CapabilityBoundingSet=CAP_X", // 10
		"  PrivateTmp = maybe  ",      // 11
		"[X-Extra]",                   // 12
		"Key=value",                   // 13
		"[Install]",                   // 14
		"WantedBy=multi-user.target",  // 15
		"Also=bogus.service",          // 16 (still [Install]: a note, not an error)
	}, "\n")
	_, err := Parse(strings.NewReader(text), "demo.service")
	if err == nil {
		t.Fatal("accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		`demo.service:10: CapabilityBoundingSet=CAP_X: unknown capability "CAP_X"`,
		"demo.service:11: PrivateTmp=maybe: not a boolean",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "bogus") {
		t.Errorf("[Install] key was validated: %s", msg)
	}

	fixed := strings.Replace(strings.Replace(text, "CAP_X", "CAP_CHOWN", 1), "maybe", "yes", 1)
	u, err := Parse(strings.NewReader(fixed), "demo.service")
	if err != nil {
		t.Fatal(err)
	}
	if u.DefaultDependencies {
		t.Error("DefaultDependencies=no ignored")
	}
	// systemd names the last line of a continued assignment.
	if a := u.Service[0]; a.Source.Line != 8 || a.Value != "/bin/echo a     b" {
		t.Errorf("continued line: %+v", a)
	}
	var reasons []string
	for _, n := range u.Notes {
		reasons = append(reasons, n.Source.String()+" "+n.Directive+": "+n.Reason)
	}
	want := []string{
		"demo.service:4 After: " + reasonDependency,
		"demo.service:13 Key: ignored: section [X-Extra] has no meaning for a service",
		"demo.service:15 WantedBy: " + installNote,
		"demo.service:16 Also: " + installNote,
	}
	if strings.Join(reasons, "\n") != strings.Join(want, "\n") {
		t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(reasons, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseHostileText(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		// Expectations from systemd-analyze verify of 252 and 257.
		// systemd ends the line at a NUL (PrivateTmp=maybe would be line
		// 3); hardenlab refuses the byte instead.
		{"NUL", "[Service]\nExecStart=/bin/true\x00PrivateTmp=maybe\n", "x.service:2: line contains a NUL byte"},
		{"megabyte line", "[Service]\nExecStart=/bin/" + strings.Repeat("a", 2<<20), "x.service:2: line is"},
		{"megabyte continuation", "[Service]\nExecStart=/bin/true \\\n" + strings.Repeat("a", 600000) + " \\\n" + strings.Repeat("b", 600000) + "\n", "x.service:4: continued line is longer"},
		{"unterminated section", "[Unit]\n[Service\nExecStart=/bin/true\n", `x.service:2: invalid section header "[Service"`},
		{"garbage after section", "\n[Service] x\n", `x.service:2: invalid section header "[Service] x"`},
		{"quote in section", "[Serv'ice]\n", `x.service:1: bad characters in section header`},
		{"continuation line number", "[Service]\nExecStart=/bin/true\nPrivateTmp=\\\n  maybe\n", "x.service:4: PrivateTmp=maybe: not a boolean"},
		{"CR alone ends a line", "[Service]\rPrivateTmp=maybe\r", "x.service:2: PrivateTmp=maybe: not a boolean"},
		{"CRLF bad value", "[Service]\r\nPrivateTmp=maybe\r\n", "x.service:2: PrivateTmp=maybe: not a boolean"},
		{"bad UTF-8 value", "[Service]\nUser=\xff\n", `x.service:2: line is not valid UTF-8`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(tc.text), "x.service")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// endless is a reader that never ends, like /dev/zero.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestParseRefusesEndlessReader(t *testing.T) {
	_, err := Parse(io.Reader(endless{}), "stream")
	if err == nil || !strings.Contains(err.Error(), "10 MiB") {
		t.Errorf("error %v, want the 10 MiB limit", err)
	}
}

func TestParseFileRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.service")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.service")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(maxFileSize + 1); err != nil { // sparse: costs no disk
		t.Fatal(err)
	}
	f.Close()
	tests := []struct{ path, want string }{
		{dir, "not a regular file (a directory)"},
		{fifo, "not a regular file (a FIFO)"},
		{"/dev/zero", "not a regular file (a character device)"},
		{big, "more than the 10 MiB limit"},
		{filepath.Join(dir, "missing.service"), "no such file"},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := ParseFile(tc.path); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("error %v, want it to contain %q", err, tc.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("ParseFile(%s) blocked", tc.path)
			}
		})
	}
}

func TestParseAssignment(t *testing.T) {
	src := Source{File: "-p"}
	a, err := ParseAssignment(" PrivateTmp = yes ", src)
	if err != nil || a != (Assignment{Name: "PrivateTmp", Value: "yes", Source: src}) {
		t.Errorf("got %+v, %v", a, err)
	}
	a, err = ParseAssignment("Environment=A=b=c", src)
	if err != nil || a.Value != "A=b=c" {
		t.Errorf("value split at the wrong '=': %+v, %v", a, err)
	}
	for in, want := range map[string]string{
		"PrivateTmp":                     `-p: PrivateTmp=: missing "="`,
		"Bogus=1":                        "-p: Bogus=1: unknown directive",
		"ProtectSytem=strict":            "did you mean ProtectSystem=?",
		"CapabilityBoundingSet=CAP_NOPE": `-p: CapabilityBoundingSet=CAP_NOPE: unknown capability "CAP_NOPE"`,
		"=yes":                           "-p: =yes: empty directive name",
		"ExecStart=/usr/bin/%n":          `unit specifier "%n" is not supported in a command-line assignment`,
	} {
		_, err := ParseAssignment(in, src)
		var de *Error
		if !errors.As(err, &de) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAssignment(%q) = %v, want *Error containing %q", in, err, want)
		}
	}
}

func TestErrorMessageStaysOneLine(t *testing.T) {
	e := &Error{Source: Source{File: "f", Line: 2}, Directive: "X", Value: "a\tb" + strings.Repeat("c", 500), Reason: "r"}
	msg := e.Error()
	if strings.ContainsAny(msg, "\t\n") || len(msg) > 300 || !strings.HasPrefix(msg, `f:2: X="a\tb`) {
		t.Errorf("message %q", msg)
	}
}

// A unit file that cannot be opened is named once, with the reason, and
// the error still says what it is (os.ErrNotExist) for callers.
func TestOpenErrorNamesTheFileOnce(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "gone.service")
	for name, parse := range map[string]func() error{
		"ParseFile":  func() error { _, err := ParseFile(missing); return err },
		"ParseFiles": func() error { _, err := ParseFiles(Files{Fragment: missing}, SpecifierContext{}); return err },
	} {
		err := parse()
		if err == nil || err.Error() != missing+": cannot open the unit file: no such file or directory" || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
