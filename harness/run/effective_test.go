package run

import (
	"testing"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
)

// scoreOf is hardenlab's scorer on a unit of lines, as the plan scores it.
func scoreOf(t *testing.T, pl plan, lines ...string) float64 {
	t.Helper()
	p := profileOf(t, lines...)
	sc, err := score.Score(p.Settings, score.Options{Version: pl.score.version, UnitName: pl.unit})
	if err != nil {
		t.Fatal(err)
	}
	return sc.Exposure
}

func TestEffectiveExposureDropsWhatDoesNothing(t *testing.T) {
	lines := []string{"ProtectProc=invisible", "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict"}
	pl := testPlan(t, lines...)
	verdicts := []report.ProbeResult{
		{ID: "proc.hidepid", Directives: []string{"ProtectProc"}, Verdict: "not-enforced"},
		{ID: "priv.nnp", Directives: []string{"NoNewPrivileges"}, Verdict: "enforced"},
		{ID: "fs.private-tmp", Directives: []string{"PrivateTmp"}, Verdict: "inconclusive"},
		{ID: "fs.write-etc", Directives: []string{"ProtectSystem"}, Verdict: "enforced"},
		{ID: "fs.write-usr", Directives: []string{"ProtectSystem"}, Verdict: "not-enforced"},
	}
	eff := effectiveExposure(pl, verdicts)
	if eff.Error != "" {
		t.Fatal(eff.Error)
	}
	declared := scoreOf(t, pl, lines...)
	wantEff := scoreOf(t, pl, "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectSystem=strict")
	wantMaybe := scoreOf(t, pl, "NoNewPrivileges=yes", "ProtectSystem=strict")
	if eff.Exposure != wantEff || eff.Exposure <= declared {
		t.Errorf("effective %.1f, want %.1f (declared %.1f)", eff.Exposure, wantEff, declared)
	}
	if len(eff.Discounted) != 1 || eff.Discounted[0].Directive != "ProtectProc" {
		t.Errorf("discounted %+v, want ProtectProc alone (ProtectSystem has an enforced probe)", eff.Discounted)
	}
	if eff.IfInconclusive == nil || eff.IfInconclusive.Exposure != wantMaybe || eff.IfInconclusive.Discounted[0].Directive != "PrivateTmp" {
		t.Errorf("if inconclusive %+v, want %.1f without PrivateTmp", eff.IfInconclusive, wantMaybe)
	}
}

func TestEffectiveExposureKeepsEnforced(t *testing.T) {
	lines := []string{"NoNewPrivileges=yes"}
	pl := testPlan(t, lines...)
	eff := effectiveExposure(pl, []report.ProbeResult{{ID: "priv.nnp", Directives: []string{"NoNewPrivileges"}, Verdict: "enforced"}})
	if eff.Error != "" || eff.Exposure != scoreOf(t, pl, lines...) || len(eff.Discounted) != 0 || eff.IfInconclusive != nil {
		t.Errorf("got %+v, want the declared score and nothing discounted", eff)
	}
}
