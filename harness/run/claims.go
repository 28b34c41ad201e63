package run

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

// itemRule answers, for a directive whose value lists the items it
// blocks, whether the resolved value still allows one item. A probe's
// claim on such an item (probes.Claim.Item) is judged only when the
// directive, as declared, claims to block it. Judging another item of a
// list (a SystemCallFilter= group, a RestrictAddressFamilies= family, a
// capability of CapabilityBoundingSet=) takes one row here and the item
// in the probe's registry row.
type itemRule struct {
	directive string
	// allows is asked with the systemd under test: a SystemCallFilter=
	// group's members differ per version.
	allows func(s *directive.Settings, v score.Version, item string) bool
	// why says, with the item, what the value does instead of blocking it.
	why string
	// silent: a probe of an item the value allows gets no verdict of the
	// directive at all. A filter that never names @cpu-emulation says
	// nothing about modify_ldt, and an allow-list of families that lists
	// AF_NETLINK nothing about netlink sockets.
	silent bool
}

func itemRules() []itemRule {
	return []itemRule{
		{"RestrictNamespaces", namespaceAllowed, "RestrictNamespaces= allows %s namespaces (an allow-list)", false},
		{"SystemCallFilter", syscallAllowed, "SystemCallFilter= allows %s", true},
		{"RestrictAddressFamilies", familyAllowed, "RestrictAddressFamilies= allows %s", true},
	}
}

func namespaceAllowed(s *directive.Settings, _ score.Version, ns string) bool {
	return slices.Contains(directive.AllowedNamespaces(s), ns)
}

// syscallAllowed: a call the filter, as systemd v merges it, lets
// through; a group none of whose calls it denies.
func syscallAllowed(s *directive.Settings, v score.Version, item string) bool {
	f, ok, err := score.ResolveFilter(s.SystemCallFilter, v)
	if err != nil || !ok {
		return true
	}
	if !strings.HasPrefix(item, "@") {
		return !f.Denies(item)
	}
	return !slices.ContainsFunc(f.Members(item), f.Denies)
}

func familyAllowed(s *directive.Settings, _ score.Version, family string) bool {
	af := s.RestrictAddressFamilies
	return !af.Set || slices.Contains(af.Families, family) == af.Allow
}

func findItemRule(name string) (itemRule, bool) {
	for _, r := range itemRules() {
		if r.directive == name {
			return r, true
		}
	}
	return itemRule{}, false
}

// claims says whether the settings claim to block what c is about: a
// whole-directive claim always holds; an item claim holds unless the
// directive's value allows the item, and then why says so.
func claims(s *directive.Settings, v score.Version, c probes.Claim) (ok bool, why string) {
	if c.Item == "" {
		return true, ""
	}
	r, found := findItemRule(c.Directive)
	if !found {
		// The claims tests keep every item judgeable; an unknown one
		// judges the directive as a whole, as before items existed.
		return true, ""
	}
	if r.allows(s, v, c.Item) {
		return false, fmt.Sprintf(r.why, c.Item)
	}
	return true, ""
}

// silentlyUnclaimed: the value allows the claim's item and its rule
// gives such an item no verdict.
func silentlyUnclaimed(s *directive.Settings, v score.Version, c probes.Claim) bool {
	r, found := findItemRule(c.Directive)
	if !found || !r.silent || c.Item == "" {
		return false
	}
	return r.allows(s, v, c.Item)
}

// probeClaim is what the plan decided about one probe's verdicts: the
// declared directives it evidences, and — when none of them claims to
// block what it attempts — why.
type probeClaim struct {
	id         string
	directives []string
	// items are the claimed items of the directives' lists, e.g.
	// "perf_event_open" of SystemCallFilter=; empty for whole-directive
	// claims.
	items     []string
	unclaimed string
}

// declaredClaims are the probes that evidence a directive the settings
// declare, as systemd v resolves them, in the registry's order.
func declaredClaims(s *directive.Settings, v score.Version) []probeClaim {
	var out []probeClaim
	for _, p := range probes.Registry() {
		pc := probeClaim{id: p.ID}
		claimed := false
		var whys []string
		for _, c := range p.Claims {
			if !s.Set(c.Directive) || silentlyUnclaimed(s, v, c) {
				continue
			}
			if !slices.Contains(pc.directives, c.Directive) {
				pc.directives = append(pc.directives, c.Directive)
			}
			ok, why := claims(s, v, c)
			claimed = claimed || ok
			if ok && c.Item != "" {
				pc.items = append(pc.items, c.Item)
			}
			if !ok {
				whys = append(whys, why)
			}
		}
		if len(pc.directives) == 0 {
			continue
		}
		if !claimed {
			pc.unclaimed = strings.Join(whys, "; ")
		}
		out = append(out, pc)
	}
	return out
}
