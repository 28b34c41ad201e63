package run

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// otherPaths marks the results of path probes whose path is not the one
// the control tried (a run of several units shares one control, made
// with the first one's paths): such a result has no control to be
// compared with, which the verdict says (probes.Skipped under the
// profile is inconclusive whatever the control did).
func otherPaths(results []probes.Result, ctlPaths, paths []string) []probes.Result {
	out := slices.Clone(results)
	for i, res := range out {
		flag := probes.PathFlag(res.ID)
		if flag == "" {
			continue
		}
		if c, p := flagValue(ctlPaths, flag), flagValue(paths, flag); c != p {
			out[i] = probes.Result{ID: res.ID, Outcome: probes.Skipped,
				Detail: fmt.Sprintf("the control tried %s %q, not this profile's %q, so nothing compares with %s", flag, c, p, res.Detail)}
		}
	}
	return out
}

// flagValue is the value of a flag in an argument list, "" without it.
func flagValue(args []string, flag string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			return args[i+1]
		}
	}
	return ""
}

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
