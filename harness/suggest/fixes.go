package suggest

import (
	"slices"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
)

// Fix is one check's own fix and the score the unit would have with it.
type Fix struct {
	Assignment string
	Tenths     int
}

// Fixes appends each open check's fix (in the order given) to the unit's
// own lines, rescores, and keeps the n that lower the score most: a fix's
// real effect includes what it implies (DynamicUser= turns on half a
// dozen checks).
func Fixes(s Scorer, current *score.Result, open []score.Check, n int) []Fix {
	seen := map[string]bool{}
	var out []Fix
	for _, c := range open {
		if c.Fix == "" || seen[c.Fix] {
			continue
		}
		seen[c.Fix] = true
		a, err := directive.ParseAssignment(c.Fix, directive.Source{File: "suggestion"})
		if err != nil {
			continue
		}
		settings, err := directive.Resolve(append(slices.Clone(s.Base), a), s.DefaultDependencies)
		if err != nil {
			continue
		}
		r, err := score.Score(settings, s.Options)
		if err != nil || r.Tenths >= current.Tenths {
			continue
		}
		out = append(out, Fix{Assignment: c.Fix, Tenths: r.Tenths})
	}
	slices.SortStableFunc(out, func(a, b Fix) int { return a.Tenths - b.Tenths })
	return out[:min(n, len(out))]
}
