package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestEffectiveInText(t *testing.T) {
	r := Record{
		Score: Score{Exposure: 4.9, Level: "OK"},
		Effective: &Effective{Exposure: 5.2, Level: "MEDIUM",
			Discounted:     []Discount{{Directive: "ProtectProc", Verdict: "not-enforced", Probes: []string{"proc.hidepid"}, Why: "every probe of it is not-enforced"}},
			IfInconclusive: &EffectiveStep{Exposure: 5.6, Level: "MEDIUM", Discounted: []Discount{{Directive: "PrivateTmp", Verdict: "inconclusive", Why: "inconclusive"}}}},
		Behavior: Behavior{Outcome: "unreachable", OutcomeDetail: "the host cannot reach it", Error: "dial: refused"},
	}
	var b bytes.Buffer
	WriteText(&b, r)
	for _, want := range []string{
		"declared 4.9 OK · effective 5.2 MEDIUM (5.6 MEDIUM if the inconclusive ones do nothing either)",
		"ProtectProc= counted as unset: every probe of it is not-enforced",
		"PrivateTmp= also unset in the second number",
		"UNREACHABLE: the host cannot reach it (dial: refused)",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
	r.Effective = &Effective{Error: "no model"}
	if got := EffectiveSummary(r); got != "declared 4.9 OK · effective unknown: no model" {
		t.Errorf("summary of an unknown effective exposure: %q", got)
	}
	r.Effective = nil
	if got := EffectiveSummary(r); got != "" {
		t.Errorf("summary without an effective exposure: %q", got)
	}
}
