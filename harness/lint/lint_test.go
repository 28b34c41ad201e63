package lint

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

func settings(t *testing.T, lines ...string) (*directive.Settings, []directive.Assignment) {
	t.Helper()
	var as []directive.Assignment
	for i, l := range lines {
		a, err := directive.ParseAssignment(l, directive.Source{File: "t.service", Line: i + 1})
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		as = append(as, a)
	}
	s, err := directive.Resolve(as, true)
	if err != nil {
		t.Fatal(err)
	}
	return s, as
}

func TestRulesHaveUniqueIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range rules() {
		if seen[r.id] {
			t.Errorf("duplicate lint id %s", r.id)
		}
		seen[r.id] = true
		if _, ok := directive.Lookup(r.directive); !ok {
			t.Errorf("lint %s names unknown directive %s", r.id, r.directive)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  string // lint id, "" for none
		in    string // substring of the message
	}{
		{"allow without deny", []string{"IPAddressAllow=192.168.1.0/24"}, "ip-allow-without-deny", "IPAddressDeny=any"},
		{"allow with deny", []string{"IPAddressAllow=192.168.1.0/24", "IPAddressDeny=any"}, "", ""},
		{"namespace allow-list", []string{"RestrictNamespaces=uts ipc pid user cgroup"}, "namespaces-allow-list", "uts"},
		{"namespace deny-list", []string{"RestrictNamespaces=~uts ipc"}, "", ""},
		{"namespaces yes", []string{"RestrictNamespaces=yes"}, "", ""},
		{"protectproc with ptrace", []string{"ProtectProc=invisible"}, "protectproc-with-ptrace", "CAP_SYS_PTRACE"},
		{"protectproc without ptrace", []string{"ProtectProc=invisible", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE"}, "", ""},
		{"workdir hidden", []string{"WorkingDirectory=/home/user", "ProtectHome=yes"}, "workdir-hidden-by-protecthome", "200/CHDIR"},
		{"workdir read-only home", []string{"WorkingDirectory=/home/user", "ProtectHome=read-only"}, "", ""},
		{"workdir elsewhere", []string{"WorkingDirectory=/srv", "ProtectHome=yes"}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, as := settings(t, tc.lines...)
			got := Check(s, as)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected lints: %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].ID != tc.want || !strings.Contains(got[0].Message, tc.in) {
				t.Fatalf("got %+v, want one %s mentioning %q", got, tc.want, tc.in)
			}
		})
	}
}
