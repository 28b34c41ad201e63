package run

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

// directiveEvidence is what a profile's probes say of one directive.
type directiveEvidence struct {
	directive string
	probes    []string
	verdicts  map[probes.VerdictKind]int
}

// only says whether every probe of the directive has a verdict in kinds.
func (d directiveEvidence) only(kinds ...probes.VerdictKind) bool {
	n := 0
	for _, k := range kinds {
		n += d.verdicts[k]
	}
	return n == len(d.probes) && n > 0
}

// evidenceByDirective groups the verdicts by the directives they evidence,
// in the order the directives first appear.
func evidenceByDirective(verdicts []report.ProbeResult) []directiveEvidence {
	var out []directiveEvidence
	idx := map[string]int{}
	for _, v := range verdicts {
		for _, d := range v.Directives {
			i, ok := idx[d]
			if !ok {
				i = len(out)
				idx[d] = i
				out = append(out, directiveEvidence{directive: d, verdicts: map[probes.VerdictKind]int{}})
			}
			out[i].probes = append(out[i].probes, v.ID)
			out[i].verdicts[probes.VerdictKind(v.Verdict)]++
		}
	}
	return out
}

// effectiveExposure scores the profile again with the directives its
// probes show doing nothing counted as unset: their lines are left out
// and the rest resolved again, so that what they reset or imply goes too.
func effectiveExposure(pl plan, verdicts []report.ProbeResult) *report.Effective {
	none, maybe := []report.Discount{}, []report.Discount{}
	for _, d := range evidenceByDirective(verdicts) {
		switch {
		case d.only(probes.NotEnforced):
			none = append(none, discount(d, probes.NotEnforced, "every probe of it is not-enforced: declared, but it does nothing here"))
		case d.only(probes.NotEnforced, probes.Inconclusive):
			maybe = append(maybe, discount(d, probes.Inconclusive, "its probes are inconclusive (the environment forbids the action anyway) or not-enforced"))
		}
	}
	eff := &report.Effective{Discounted: none}
	if pl.score.versionErr != nil {
		eff.Error = "hardenlab's scorer does not model systemd " + pl.systemd + ": " + pl.score.versionErr.Error()
		return eff
	}
	var err error
	if eff.Exposure, eff.Level, err = rescore(pl, none); err != nil {
		eff.Error = err.Error()
		return eff
	}
	if len(maybe) == 0 {
		return eff
	}
	step := &report.EffectiveStep{Discounted: maybe}
	if step.Exposure, step.Level, err = rescore(pl, append(slices.Clone(none), maybe...)); err != nil {
		eff.Error = err.Error()
		return eff
	}
	eff.IfInconclusive = step
	return eff
}

func discount(d directiveEvidence, v probes.VerdictKind, why string) report.Discount {
	return report.Discount{Directive: d.directive, Verdict: string(v), Probes: d.probes,
		Why: fmt.Sprintf("%s (%s)", why, strings.Join(d.probes, ", "))}
}

// rescore resolves the profile's assignments without the discounted
// directives' lines and scores the result as the running unit.
func rescore(pl plan, drop []report.Discount) (float64, string, error) {
	gone := map[string]bool{}
	for _, d := range drop {
		gone[d.Directive] = true
	}
	var kept []directive.Assignment
	for _, a := range pl.profile.Assignments {
		if !gone[a.Name] {
			kept = append(kept, a)
		}
	}
	s, err := directive.Resolve(kept, pl.profile.Settings.DefaultDependencies)
	if err != nil {
		return 0, "", fmt.Errorf("resolving the profile without %s: %w", names(drop), err)
	}
	sc, err := score.Score(s, score.Options{Version: pl.score.version, UnitName: pl.unit})
	if err != nil {
		return 0, "", fmt.Errorf("scoring the profile without %s: %w", names(drop), err)
	}
	return sc.Exposure, sc.Level, nil
}

func names(ds []report.Discount) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Directive+"=")
	}
	return strings.Join(out, ", ")
}
