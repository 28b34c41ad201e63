package profile

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

const unit = `[Service]
Type=simple
ExecStart=/usr/bin/python3 -m http.server
PrivateTmp=yes
ProtectHome=yes
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
CapabilityBoundingSet=CAP_DAC_READ_SEARCH
NoNewPrivileges=true
`

func parse(t *testing.T) *directive.Unit {
	t.Helper()
	u, err := directive.Parse(strings.NewReader(unit), "t.service")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func names(ps []Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestDirectivesGroupsRepeatedLines(t *testing.T) {
	got := strings.Join(Directives(parse(t).Service), " ")
	if want := "PrivateTmp ProtectHome CapabilityBoundingSet NoNewPrivileges"; got != want {
		t.Fatalf("Directives = %q, want %q", got, want)
	}
}

func TestGenerate(t *testing.T) {
	u := parse(t)
	for _, tc := range []struct {
		mode string
		want string
	}{
		{"single", "control single-PrivateTmp single-ProtectHome single-CapabilityBoundingSet single-NoNewPrivileges full"},
		{"ladder", "control ladder-01-PrivateTmp ladder-02-ProtectHome ladder-03-CapabilityBoundingSet ladder-04-NoNewPrivileges"},
		{"leave-one-out", "control full without-PrivateTmp without-ProtectHome without-CapabilityBoundingSet without-NoNewPrivileges"},
	} {
		ps, err := Generate(u, tc.mode)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(names(ps), " "); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.mode, got, tc.want)
		}
	}
}

func TestGenerateKeepsBothLinesOfARepeatedDirective(t *testing.T) {
	ps, err := Generate(parse(t), "single")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name != "single-CapabilityBoundingSet" {
			continue
		}
		if want := uint64(1<<10 | 1<<2); p.Settings.CapabilityBoundingSet != want {
			t.Fatalf("CapabilityBoundingSet = %#x, want %#x (both lines merged)", p.Settings.CapabilityBoundingSet, want)
		}
		return
	}
	t.Fatal("no single-CapabilityBoundingSet profile")
}

func TestLadderIsCumulativeAndEndsAtTheFullUnit(t *testing.T) {
	u := parse(t)
	ps, _ := Generate(u, "ladder")
	last := ps[len(ps)-1]
	full, _ := FromUnit(u, "full")
	if Key(last) != Key(full) {
		t.Fatalf("last ladder step %q differs from the unit %q", Key(last), Key(full))
	}
	for i := 2; i < len(ps); i++ {
		if len(ps[i].Assignments) <= len(ps[i-1].Assignments) {
			t.Errorf("%s does not add to %s", ps[i].Name, ps[i-1].Name)
		}
	}
}

func TestControlHasNoHardening(t *testing.T) {
	ps, _ := Generate(parse(t), "single")
	for _, a := range ps[0].Assignments {
		if !notHardening(a.Name) {
			t.Errorf("control keeps %s", a.Name)
		}
	}
}

func TestBadMode(t *testing.T) {
	if _, err := Generate(parse(t), "sideways"); err == nil || !strings.Contains(err.Error(), "ladder") {
		t.Fatalf("err = %v", err)
	}
}

// A real unit's plain keys (Restart=, StateDirectory=, LimitNOFILE=, ...)
// and its own (User= aside, which is a security directive) stay in every
// profile; only its security directives get profiles of their own.
func TestGenerateAblatesOnlySecurityDirectives(t *testing.T) {
	u, err := directive.ParseFile("../../fixtures/webservice.service")
	if err != nil {
		t.Fatal(err)
	}
	want := "User ProtectSystem ProtectHome PrivateTmp NoNewPrivileges IPAddressDeny IPAddressAllow"
	if got := strings.Join(Directives(u.Service), " "); got != want {
		t.Fatalf("Directives = %q, want %q", got, want)
	}
	ps, err := Generate(u, "all")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		kept := map[string]bool{}
		for _, a := range p.Assignments {
			kept[a.Name] = true
		}
		for _, env := range []string{"WorkingDirectory", "Environment", "ExecStartPre", "ExecStart", "Restart", "RestartSec", "TimeoutStopSec", "KillMode", "StateDirectory", "RuntimeDirectory", "LimitNOFILE"} {
			if !kept[env] {
				t.Errorf("profile %s dropped %s=, which is the unit's environment, not hardening", p.Name, env)
			}
		}
		if p.Kind == Control && (kept["ProtectSystem"] || kept["User"]) {
			t.Errorf("control profile keeps a security directive: %v", p.Assignments)
		}
	}
}

// A unit without hardening has no matrix; the error says which so that
// the command can point to score and suggest instead.
func TestGenerateWithoutHardening(t *testing.T) {
	u, err := directive.Parse(strings.NewReader("[Service]\nExecStart=/usr/sbin/nginx\nRestart=on-failure\n"), "nginx.service")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Generate(u, "single"); !errors.Is(err, ErrNoHardening) || !strings.Contains(err.Error(), "nginx.service") {
		t.Errorf("Generate = %v, want ErrNoHardening naming the file", err)
	}
}

// A legacy spelling is the directive it stands for: ReadWriteDirectories=
// is ablated with ReadWritePaths=, not kept in the control as the
// service's own setting.
func TestLegacyAliasIsItsDirective(t *testing.T) {
	u, err := directive.Parse(strings.NewReader("[Service]\nExecStart=/usr/bin/python3 -m http.server\nReadWritePaths=-/var/lib/redis\nReadWriteDirectories=-/etc/redis\nPrivateTmp=yes\n"), "t.service")
	if err != nil {
		t.Fatal(err)
	}
	if got := Directives(u.Service); !slices.Equal(got, []string{"ReadWritePaths", "PrivateTmp"}) {
		t.Errorf("directives %v", got)
	}
	ps, err := Generate(u, "single")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		n := len(p.Settings.ReadWritePaths)
		want := map[string]int{"control": 0, "single-PrivateTmp": 0, "single-ReadWritePaths": 2, "full": 2}[p.Name]
		if n != want {
			t.Errorf("%s: %d ReadWritePaths, want %d", p.Name, n, want)
		}
	}
}
