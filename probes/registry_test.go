package probes

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRegistryIDsAreUniqueAndWellFormed(t *testing.T) {
	idPattern := regexp.MustCompile(`^[a-z]+\.[a-z0-9-]+$`)
	seen := map[string]bool{}
	for _, p := range Registry() {
		if !idPattern.MatchString(p.ID) {
			t.Errorf("probe id %q does not match %s", p.ID, idPattern)
		}
		if seen[p.ID] {
			t.Errorf("probe id %q appears twice", p.ID)
		}
		seen[p.ID] = true
	}
}

func TestRegistryRowsAreComplete(t *testing.T) {
	for _, p := range Registry() {
		if p.Attempts == "" || p.Decides == "" {
			t.Errorf("%s: Attempts and Decides must both be documented", p.ID)
		}
		if p.Control != Allowed && p.Control != Blocked {
			t.Errorf("%s: control expectation %q, want allowed or blocked", p.ID, p.Control)
		}
		if p.check == nil {
			t.Errorf("%s: no check function", p.ID)
		}
		if len(p.Directives) == 0 && len(p.Bypasses) == 0 {
			t.Errorf("%s: evidences no directive", p.ID)
		}
		if p.Needs != NeedNothing && needFlag(p.Needs) == "" {
			t.Errorf("%s: need %d has no flag to satisfy it", p.ID, p.Needs)
		}
	}
}

// One file per area: the area's checks live in <area>.go.
func TestEveryAreaHasItsFile(t *testing.T) {
	for _, p := range Registry() {
		if _, err := os.Stat(p.Area() + ".go"); err != nil {
			t.Errorf("%s: area %q has no file %s.go", p.ID, p.Area(), p.Area())
		}
	}
}

func TestEveryCoveredDirectiveHasAProbe(t *testing.T) {
	for _, d := range CoveredDirectives() {
		n := 0
		for _, p := range Registry() {
			if slices.Contains(p.Directives, d) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("directive %s has no probe", d)
		}
	}
}

// A directive name outside the coverage list is most likely a typo of a
// unit-file name, which would silently never match a profile.
func TestProbesNameOnlyCoveredDirectives(t *testing.T) {
	for _, p := range Registry() {
		for _, d := range p.Directives {
			if !slices.Contains(CoveredDirectives(), d) {
				t.Errorf("%s: directive %q is not in CoveredDirectives", p.ID, d)
			}
		}
	}
}

func TestRestrictNamespacesHasOneProbePerNamespaceType(t *testing.T) {
	want := map[uintptr]string{
		unix.CLONE_NEWUTS: "uts", unix.CLONE_NEWIPC: "ipc", unix.CLONE_NEWPID: "pid", unix.CLONE_NEWUSER: "user",
		unix.CLONE_NEWCGROUP: "cgroup", unix.CLONE_NEWNS: "mnt", unix.CLONE_NEWNET: "net",
	}
	got := map[uintptr]string{}
	for _, p := range Registry() {
		if !slices.Contains(p.Directives, "RestrictNamespaces") {
			continue
		}
		if p.Unshare == 0 {
			t.Errorf("%s: a RestrictNamespaces probe must start its child in a new namespace", p.ID)
		}
		if p.ID != "ns.unshare-"+want[p.Unshare] {
			t.Errorf("%s: unshares %#x, want id ns.unshare-%s", p.ID, p.Unshare, want[p.Unshare])
		}
		got[p.Unshare] = p.ID
	}
	for flag, name := range want {
		if got[flag] == "" {
			t.Errorf("no RestrictNamespaces probe for the %s namespace", name)
		}
	}
}

func TestFindAndListingAgreeWithRegistry(t *testing.T) {
	reg := Registry()
	list := Listing()
	if len(list) != len(reg) {
		t.Fatalf("Listing has %d entries, Registry %d", len(list), len(reg))
	}
	for i, p := range reg {
		if got, ok := Find(p.ID); !ok || got.ID != p.ID {
			t.Errorf("Find(%q) = %q, %v", p.ID, got.ID, ok)
		}
		if list[i].ID != p.ID || list[i].Area != p.Area() {
			t.Errorf("Listing[%d] = %s/%s, want %s/%s", i, list[i].ID, list[i].Area, p.ID, p.Area())
		}
	}
	if _, ok := Find("fs.no-such-probe"); ok {
		t.Error("Find of an unknown id succeeded")
	}
}

func TestCapabilityNamesTable(t *testing.T) {
	names := CapabilityNames()
	// CAP_CHECKPOINT_RESTORE (40) is the last capability Linux defines.
	if len(names) != 41 || names[0] != "CAP_CHOWN" || names[21] != "CAP_SYS_ADMIN" || names[40] != "CAP_CHECKPOINT_RESTORE" {
		t.Fatalf("capability table misnumbered: %d names", len(names))
	}
	if got := capNamesOf(1<<capSysTime | 1<<capSysModule); got != "CAP_SYS_MODULE CAP_SYS_TIME" {
		t.Errorf("capNamesOf = %q", got)
	}
	if got := capNamesOf(1 << 50); got != "cap_50" {
		t.Errorf("capNamesOf(unknown) = %q", got)
	}
}
