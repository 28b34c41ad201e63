package report

import (
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/behavior"
)

// EffectiveSummary is one line that sets the declared exposure beside the
// effective one: "declared 4.9 OK · effective 5.2 MEDIUM (5.6 MEDIUM if
// the inconclusive ones do nothing either)"; "" when the record has none.
func EffectiveSummary(r Record) string {
	e := r.Effective
	if e == nil || r.Score.Error != "" || r.Score.Level == "" {
		return ""
	}
	return fmt.Sprintf("declared %.1f %s · %s", r.Score.Exposure, r.Score.Level, effectivePart(e))
}

// effectivePart is the effective half of EffectiveSummary.
func effectivePart(e *Effective) string {
	if e.Error != "" {
		return "effective unknown: " + e.Error
	}
	s := fmt.Sprintf("effective %.1f %s", e.Exposure, e.Level)
	if e.IfInconclusive != nil {
		s += fmt.Sprintf(" (%.1f %s if the inconclusive ones do nothing either)", e.IfInconclusive.Exposure, e.IfInconclusive.Level)
	}
	return s
}

// EffectiveDiscounts lists each discounted directive with why, the
// inconclusive ones marked as such.
func EffectiveDiscounts(e *Effective) []string {
	if e == nil {
		return nil
	}
	var out []string
	for _, d := range e.Discounted {
		out = append(out, d.Directive+"= counted as unset: "+d.Why)
	}
	if e.IfInconclusive != nil {
		for _, d := range e.IfInconclusive.Discounted {
			out = append(out, d.Directive+"= also unset in the second number: "+d.Why)
		}
	}
	return out
}

// BehaviorSummary says in one line what became of the service.
func BehaviorSummary(b Behavior) string {
	switch {
	case b.Started && b.Service == "unit":
		return fmt.Sprintf("serves: %s after %.0f ms", b.OutcomeDetail, b.ReadyMillis)
	case b.Started:
		return fmt.Sprintf("serves: answered HTTP after %.0f ms, GET / -> %d", b.ReadyMillis, b.HTTPStatus)
	case b.Outcome != "":
		return strings.ToUpper(b.Outcome) + ": " + strings.TrimSuffix(b.OutcomeDetail, ".") + " (" + b.Error + ")"
	}
	return fmt.Sprintf("DID NOT START: %s (state %s, result %s, status %d)", b.Error, b.ActiveState, b.Result, b.ExecMainStatus)
}

// Broke says whether the profile broke the service: it exited, failed to
// start or timed out. An unreachable one still runs; a record written
// before outcomes existed is judged by Started.
func (b Behavior) Broke() bool {
	if b.Outcome == "" {
		return !b.Started
	}
	return behavior.Outcome(b.Outcome).Broken()
}
