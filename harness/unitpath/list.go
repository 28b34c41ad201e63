package unitpath

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// Skipped is a unit file List passed over, with the reason.
type Skipped struct {
	Name, Reason string
	Kind         SkipKind
}

// SkipKind is why List passed a unit over, for callers that summarise.
type SkipKind int

const (
	SkippedBroken   SkipKind = iota // it could not be resolved: Reason says why
	SkippedTemplate                 // a template without an instance
	SkippedMasked                   // a link to /dev/null
	SkippedAlias                    // another name of a unit already listed
)

// List finds every unit with the suffix (".service") in the root's
// search path, as systemd-analyze security without arguments lists every
// loaded service: each name once (the first directory wins), resolved
// with Find. Templates without an instance, masked units and aliases of
// a unit already listed are skipped, each with its reason.
func (t Tree) List(suffix string) ([]Unit, []Skipped, error) {
	root := t.Root
	seen := map[string]bool{}
	var names []string
	for _, dir := range t.SearchPath {
		l := t.list(dir)
		if l.err != nil {
			return nil, nil, fmt.Errorf("list %s: %w", path.Join(root, dir), l.err)
		}
		for _, e := range l.entries {
			if strings.HasSuffix(e.Name(), suffix) && !e.IsDir() && !seen[e.Name()] {
				seen[e.Name()] = true
				names = append(names, e.Name())
			}
		}
	}
	slices.Sort(names)
	var units []Unit
	var skipped []Skipped
	listed := map[string]bool{}
	for _, name := range names {
		if n, err := directive.SplitUnitName(name); err != nil || n.Template {
			skipped = append(skipped, Skipped{name, "a template: it has no instance to score (score it by name with --instance)", SkippedTemplate})
			continue
		}
		u, err := t.Find(name)
		switch {
		case errors.Is(err, ErrMasked):
			skipped = append(skipped, Skipped{name, "masked", SkippedMasked})
		case err != nil:
			skipped = append(skipped, Skipped{name, err.Error(), SkippedBroken})
		case u.Name != name && (seen[u.Name] || listed[u.Name]):
			skipped = append(skipped, Skipped{name, "an alias of " + u.Name, SkippedAlias})
		default:
			listed[u.Name] = true
			units = append(units, u)
		}
	}
	return units, skipped, nil
}
