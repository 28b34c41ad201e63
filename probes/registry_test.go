package probes

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/hardenlab/hardenlab/probes/linux"
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
		if len(p.Claims) == 0 && len(p.Bypasses) == 0 {
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

// Claims are the one table linking directives to probes. That each names
// a directive hardenlab models, and an item its value accepts, is checked
// where both tables are in reach (harness/run's claim tests): the probes
// package imports no harness code.
func TestClaimsAreWellFormed(t *testing.T) {
	directive := regexp.MustCompile(`^[A-Z][A-Za-z]+$`)
	for _, p := range Registry() {
		seen := map[Claim]bool{}
		for _, c := range p.Claims {
			if !directive.MatchString(c.Directive) {
				t.Errorf("%s: claim %+v does not name a unit-file directive", p.ID, c)
			}
			if seen[c] {
				t.Errorf("%s: claim %+v appears twice", p.ID, c)
			}
			seen[c] = true
		}
	}
}

func TestRestrictNamespacesHasOneProbePerNamespaceType(t *testing.T) {
	got := map[linux.Namespace]string{}
	for _, p := range Registry() {
		if !slices.Contains(p.Directives(), "RestrictNamespaces") {
			continue
		}
		if len(p.Unshare.Types()) != 1 {
			t.Errorf("%s: a RestrictNamespaces probe must start its child in one new namespace, not %#x", p.ID, p.Unshare)
		}
		if want := claimItem("RestrictNamespaces", p.Unshare.String()); !slices.Equal(p.Claims, want) {
			t.Errorf("%s: claims %+v, want %+v: the probe tests one namespace type", p.ID, p.Claims, want)
		}
		if p.ID != "ns.unshare-"+p.Unshare.String() {
			t.Errorf("%s: unshares %#x, want id ns.unshare-%s", p.ID, uint64(p.Unshare), p.Unshare)
		}
		got[p.Unshare] = p.ID
	}
	// Every type that systemd's "all" covers; time is not among them.
	for _, ns := range linux.NamespacesAll.Types() {
		if got[ns] == "" {
			t.Errorf("no RestrictNamespaces probe for the %s namespace", ns)
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

func TestCapNamesOf(t *testing.T) {
	if got := capNamesOf(linux.CapabilityMask(linux.CapSysTime, linux.CapSysModule)); got != "CAP_SYS_MODULE CAP_SYS_TIME" {
		t.Errorf("capNamesOf = %q", got)
	}
	if got := capNamesOf(1 << 50); got != "cap_50" {
		t.Errorf("capNamesOf(unknown) = %q", got)
	}
	if got := capNamesOf(0); got != "none" {
		t.Errorf("capNamesOf(0) = %q", got)
	}
}

func TestDirectivesOfClaims(t *testing.T) {
	p := Probe{Claims: []Claim{{"B", "x"}, {"A", ""}, {"B", "y"}}}
	if got := p.Directives(); !slices.Equal(got, []string{"B", "A"}) {
		t.Errorf("Directives = %v, want each claimed directive once, in claim order", got)
	}
}
