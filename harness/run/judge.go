package run

import (
	"strings"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// judge turns a profile's raw probe outcomes into its verdicts, each made
// by probes.Verdict from the control's outcome of the same probe and what
// the plan found the profile claims. Only probes of the plan's claims are
// judged: the others evidence nothing the profile declares.
func judge(claimed []probeClaim, control, profile []probes.Result, broken bool) []report.ProbeResult {
	ctl := map[string]probes.Result{}
	for _, c := range control {
		ctl[c.ID] = c
	}
	byID := map[string]probeClaim{}
	for _, c := range claimed {
		byID[c.id] = c
	}
	out := []report.ProbeResult{}
	for _, res := range profile {
		pc, ok := byID[res.ID]
		if !ok {
			continue
		}
		c, ok := ctl[res.ID]
		v, why := probes.VerdictError, "no control result for this probe"
		if ok {
			v, why = probes.Verdict(probes.Evidence{Control: c, Profile: res, ServiceBroken: broken, Unclaimed: pc.unclaimed})
		}
		detail := why
		if res.Detail != "" && !strings.Contains(why, res.Detail) {
			detail += "; " + res.Detail
		}
		out = append(out, report.ProbeResult{
			ID: res.ID, Directives: pc.directives, Item: strings.Join(pc.items, " "), Verdict: string(v),
			Outcome: string(res.Outcome), Control: string(c.Outcome),
			Errno: res.Errno, Signal: res.Signal, Detail: detail,
		})
	}
	return out
}
