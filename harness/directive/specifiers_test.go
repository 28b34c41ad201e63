package directive

import (
	"strings"
	"testing"
)

// oracleUnit is the unit name the expectations below were measured with:
// `systemd-analyze verify` of 252 and of 257 on a unit at
// /tmp/syn/v/Y/a-b-c@in\x2dst.service with ExecStart=/x/%X/end prints the
// expanded path in "Command ... is not executable" (or in "Executable
// path contains special characters" where the expansion has a "\").
const oracleUnit = `a-b-c@in\x2dst.service`

func oracleContext(version int) *SpecifierContext {
	return &SpecifierContext{Unit: oracleUnit, Fragment: "/tmp/syn/v/Y/" + oracleUnit, Version: version,
		Host: HostFacts{UserName: "root", UID: "0", GroupName: "root", GID: "0", Home: "/root", Shell: "/bin/bash",
			Hostname: "vm", OSRelease: map[string]string{"ID": "debian", "VERSION_ID": "12"}}}
}

func TestSpecifierExpansionMatchesSystemd(t *testing.T) {
	want := map[string]string{
		"%n": oracleUnit, "%N": `a-b-c@in\x2dst`, "%p": "a-b-c", "%P": "a/b/c", "%i": `in\x2dst`, "%I": "in-st",
		"%j": "c", "%J": "c", "%f": "/in-st", "%C": "/var/cache", "%d": "/run/credentials/" + oracleUnit,
		"%E": "/etc", "%L": "/var/log", "%S": "/var/lib", "%t": "/run", "%T": "/tmp", "%V": "/var/tmp",
		"%c": "/" + oracleUnit, "%r": "", "%R": "", "%y": "/tmp/syn/v/Y/" + oracleUnit, "%Y": "/tmp/syn/v/Y",
		"%g": "root", "%G": "0", "%h": "/root", "%u": "root", "%U": "0", "%s": "/bin/bash",
		"%H": "vm", "%l": "vm", "%q": "vm", "%o": "debian", "%w": "12", "%A": "", "%B": "", "%M": "", "%W": "",
		// specifier_printf keeps a lone "%" at the end.
		"100%%": "100%", "%%n": "%n", "a%": "a%", "x%Ix": "xin-stx",
	}
	ctx := oracleContext(252)
	for in, w := range want {
		got, err := ctx.expand(in)
		if err != nil || got != w {
			t.Errorf("expand(%q) = %q, %v; systemd gives %q", in, got, err, w)
		}
	}
	if got, err := oracleContext(257).expand("%D"); err != nil || got != "/usr/share" {
		t.Errorf("257 %%D = %q, %v; want /usr/share", got, err)
	}
}

// TestSpecifierTableIsSystemds checks the table letter by letter against
// what systemd-analyze verify accepted: every other letter failed with
// "Invalid slot" under both releases, and %D under 252.
func TestSpecifierTableIsSystemds(t *testing.T) {
	refused := map[int]string{252: "DeFkKOQxXzZ", 257: "eFkKOQxXzZ"}
	letters := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
	for version, bad := range refused {
		ctx := oracleContext(version)
		for _, l := range letters {
			_, err := ctx.expand("%" + string(l))
			isBad := strings.ContainsRune(bad, l) || !(l >= 'a' && l <= 'z' || l >= 'A' && l <= 'Z')
			if systemdKnows := !isBad; systemdKnows != (err == nil) {
				t.Errorf("%d: %%%c: error %v, systemd accepts it: %v", version, l, err, systemdKnows)
			}
		}
	}
	seen := map[byte]bool{}
	for _, s := range Specifiers() {
		if seen[s.Letter] || s.Meaning == "" || s.How == "" || (s.Since != 252 && s.Since != 257) {
			t.Errorf("bad row %+v", s)
		}
		seen[s.Letter] = true
	}
}

func TestSpecifierRefusals(t *testing.T) {
	var none *SpecifierContext
	if _, err := none.expand("%n"); err == nil || !strings.Contains(err.Error(), "command-line") {
		t.Errorf("a command-line %%n: %v, want a refusal", err)
	}
	if got, err := none.expand("100%%"); err != nil || got != "100%" {
		t.Errorf("a command-line %%%%: %q, %v", got, err)
	}
	if _, err := oracleContext(0).expand("%Z"); err == nil || !strings.Contains(err.Error(), "Failed to resolve unit specifiers") {
		t.Errorf("%%Z: %v, want systemd's refusal", err)
	}
}

// TestSpecifiersInUnitFiles: a template's Description and a command
// word expand per word, so an instance with an escaped space stays one
// argument; an unknown specifier names FILE:LINE.
func TestSpecifiersInUnitFiles(t *testing.T) {
	text := "[Unit]\nDescription=Getty on %I\n[Service]\nExecStart=/sbin/agetty -o '-p -- \\\\u' --noclear - %I $TERM\n"
	u, err := Parse(strings.NewReader(text), "/lib/systemd/system/getty@tty1.service")
	if err != nil {
		t.Fatal(err)
	}
	if u.Description != "Getty on tty1" {
		t.Errorf("Description %q", u.Description)
	}
	s, err := Resolve(u.Service, true)
	if err != nil {
		t.Fatal(err)
	}
	argv := s.ExecStart[0]
	if argv[len(argv)-2] != "tty1" || argv[2] != `-p -- \u` {
		t.Errorf("argv %q", argv)
	}
	u, err = Parse(strings.NewReader("[Service]\nExecStart=/bin/echo %I\n"), `x@a\x20b.service`)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := Resolve(u.Service, true); s == nil || len(s.ExecStart[0]) != 2 || s.ExecStart[0][1] != "a b" {
		t.Errorf("instance with a space: %q", s.ExecStart)
	}
	_, err = Parse(strings.NewReader("[Service]\nExecStart=/bin/true\nUser=%Z\n"), "t.service")
	if err == nil || !strings.HasPrefix(err.Error(), "t.service:3: User=%Z:") {
		t.Errorf("unknown specifier: %v", err)
	}
}
