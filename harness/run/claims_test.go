package run

import (
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

// The registry's claims are the one table linking probes to directives: a
// misspelt directive would never match a profile, and an item the
// directive's value cannot name would never be judged.
func TestEveryClaimNamesAModelledDirectiveAndItem(t *testing.T) {
	items := 0
	for _, p := range probes.Registry() {
		// A bypass row's items are judged by the same rules.
		for _, c := range append(slices.Clone(p.Claims), p.Bypasses...) {
			if _, ok := directive.Lookup(c.Directive); !ok {
				t.Errorf("%s: claims %s=, which hardenlab does not model", p.ID, c.Directive)
			}
			if c.Item == "" {
				continue
			}
			items++
			r, ok := findItemRule(c.Directive)
			if !ok {
				t.Errorf("%s: claims item %q of %s=, which has no item rule", p.ID, c.Item, c.Directive)
				continue
			}
			// The directive's own parser is the item's vocabulary: a list of
			// only the item allows it, the list negated blocks it.
			if s := settingsOf(t, c.Directive+"="+c.Item); !r.allows(s, score.Newest(), c.Item) {
				t.Errorf("%s: %s=%s does not allow %q by the item rule", p.ID, c.Directive, c.Item, c.Item)
			}
			if s := settingsOf(t, c.Directive+"=~"+c.Item); r.allows(s, score.Newest(), c.Item) {
				t.Errorf("%s: %s=~%s still allows %q by the item rule", p.ID, c.Directive, c.Item, c.Item)
			}
		}
	}
	if items == 0 {
		t.Error("no probe claims an item: the item rules are never used")
	}
}

func TestEveryItemRuleNamesAModelledDirective(t *testing.T) {
	for _, r := range itemRules() {
		if _, ok := directive.Lookup(r.directive); !ok {
			t.Errorf("item rule for %s=, which hardenlab does not model", r.directive)
		}
		if !strings.Contains(r.why, "%s") || !strings.HasPrefix(r.why, r.directive+"=") {
			t.Errorf("%s: why %q must name the directive and take the item", r.directive, r.why)
		}
	}
}

func settingsOf(t *testing.T, line string) *directive.Settings {
	t.Helper()
	a, err := directive.ParseAssignment(line, directive.Source{File: "claims", Line: 1})
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	s, err := directive.Resolve([]directive.Assignment{a}, true)
	if err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	return s
}

// A probe judges a directive only for what it claims to block: the
// tutorial's RestrictNamespaces= allow-list claims nothing about the types
// it lists.
func TestDeclaredClaimsJudgeOnlyWhatTheValueBlocks(t *testing.T) {
	for _, tc := range []struct {
		line      string
		unclaimed map[string]string // probe id -> reason; others claimed
	}{
		{"RestrictNamespaces=uts ipc pid user cgroup", map[string]string{
			"ns.unshare-uts":    "RestrictNamespaces= allows uts namespaces (an allow-list)",
			"ns.unshare-ipc":    "RestrictNamespaces= allows ipc namespaces (an allow-list)",
			"ns.unshare-pid":    "RestrictNamespaces= allows pid namespaces (an allow-list)",
			"ns.unshare-user":   "RestrictNamespaces= allows user namespaces (an allow-list)",
			"ns.unshare-cgroup": "RestrictNamespaces= allows cgroup namespaces (an allow-list)",
		}},
		{"RestrictNamespaces=yes", nil},
		{"RestrictNamespaces=~net", map[string]string{
			"ns.unshare-uts":    "RestrictNamespaces= allows uts namespaces (an allow-list)",
			"ns.unshare-ipc":    "RestrictNamespaces= allows ipc namespaces (an allow-list)",
			"ns.unshare-pid":    "RestrictNamespaces= allows pid namespaces (an allow-list)",
			"ns.unshare-user":   "RestrictNamespaces= allows user namespaces (an allow-list)",
			"ns.unshare-cgroup": "RestrictNamespaces= allows cgroup namespaces (an allow-list)",
			"ns.unshare-mnt":    "RestrictNamespaces= allows mnt namespaces (an allow-list)",
		}},
	} {
		got := declaredClaims(settingsOf(t, tc.line), score.Newest())
		if len(got) != 7 {
			t.Errorf("%s: %d probes judged, want the 7 namespace probes", tc.line, len(got))
		}
		for _, c := range got {
			if c.unclaimed != tc.unclaimed[c.id] {
				t.Errorf("%s: %s unclaimed %q, want %q", tc.line, c.id, c.unclaimed, tc.unclaimed[c.id])
			}
			if len(c.directives) != 1 || c.directives[0] != "RestrictNamespaces" {
				t.Errorf("%s: %s judged for %v", tc.line, c.id, c.directives)
			}
		}
	}
}

func TestWholeDirectiveClaimsAlwaysHold(t *testing.T) {
	s := settingsOf(t, "ProtectSystem=strict")
	if ok, why := claims(s, score.Newest(), probes.Claim{Directive: "ProtectSystem"}); !ok || why != "" {
		t.Errorf("a whole-directive claim: %v %q", ok, why)
	}
	// An item of a directive without a rule keeps judging the directive.
	if ok, _ := claims(s, score.Newest(), probes.Claim{Directive: "ProtectSystem", Item: "x"}); !ok {
		t.Error("an item without a rule must judge the directive as a whole")
	}
}
