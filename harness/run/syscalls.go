package run

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
	"github.com/hardenlab/hardenlab/probes/linux"
)

// SyscallProbePrefix starts the id of a per-call verdict of
// SystemCallFilter=: "sys.syscall-swapon".
const SyscallProbePrefix = "sys.syscall-"

// allowListSample bounds the calls tried per group an allow-list leaves
// out: a denied group is judged by its first calls (in systemd's
// definition order) that the probe can make harmlessly, not by all of
// them, so that @system-service costs tens of calls, not hundreds. Calls
// whose harmless answer is ENOSYS (numbers the kernel keeps without an
// implementation, e.g. @obsolete's) are not sampled: the kernel's answer
// is the one a filter answering ENOSYS gives, and systemd 257's
// allow-lists were measured answering them ENOSYS, not the unit's errno.
const allowListSample = 3

// syscallCheck is one call the profile's filter denies: the list item
// that denies it (a @group or the call's own name) and the action the
// denial must get (an errno name, or probes.ActionKill).
type syscallCheck struct {
	call, item, action string
}

// planSyscalls lists the calls that judge the profile's SystemCallFilter=
// as systemd v resolves it: for a deny-list every call of every group it
// names and every call it names alone, as long as the merged filter still
// denies it; for an allow-list a sample of each group it leaves out.
// note says why there are none although a filter is declared.
func planSyscalls(s *directive.Settings, v score.Version, verr error) (checks []syscallCheck, note string) {
	if len(s.SystemCallFilter) == 0 {
		return nil, ""
	}
	if verr != nil {
		return nil, "SystemCallFilter= is not checked per call: " + verr.Error()
	}
	f, _, err := score.ResolveFilter(s.SystemCallFilter, v)
	if err != nil {
		return nil, "SystemCallFilter= is not checked per call: " + err.Error()
	}
	if stops := probeStopped(f, v); len(stops) > 0 {
		return nil, "SystemCallFilter= is not checked per call: " + strings.Join(stops, "; ")
	}
	action := probes.ActionKill
	if e := s.SystemCallErrorNumber; e != "" && e != "kill" {
		action = e
	}
	if f.AllowList {
		return allowListChecks(f, action), ""
	}
	return denyListChecks(s.SystemCallFilter, f, action), ""
}

func denyListChecks(lines []directive.FilterLine, f score.Filter, action string) []syscallCheck {
	var out []syscallCheck
	add := func(call, item, act string) {
		if !f.Denies(call) || slices.ContainsFunc(out, func(c syscallCheck) bool { return c.call == call }) {
			return
		}
		out = append(out, syscallCheck{call: call, item: item, action: act})
	}
	for _, l := range lines {
		if l.Allow {
			continue
		}
		for _, entry := range l.Names {
			name, errno, hasErrno := strings.Cut(entry, ":")
			act := action
			if hasErrno {
				act = entryAction(errno)
			}
			if strings.HasPrefix(name, "@") {
				for _, m := range f.Members(name) {
					add(m, name, act)
				}
			} else if f.Native(name) {
				add(name, name, act)
			}
		}
	}
	return out
}

// entryAction is the action of a "name:errno" entry, spelled as the
// probe spells errnos.
func entryAction(errno string) string {
	if errno == "kill" {
		return probes.ActionKill
	}
	if e, ok := linux.ParseErrno(errno); ok {
		return linux.ErrnoName(e)
	}
	return errno
}

func allowListChecks(f score.Filter, action string) []syscallCheck {
	var out []syscallCheck
	taken := func(m string) bool { return slices.ContainsFunc(out, func(c syscallCheck) bool { return c.call == m }) }
	everyKernel := func(m string) bool { return probes.KernelFeature(m) == "" }
	for _, g := range f.Groups() {
		// Calls every kernel has first: a call some kernels lack is
		// sampled only when its group has no other. In the VM, whose
		// kernel has no CONFIG_USELIB, redis-server's allow-list got
		// uselib answered ENOSYS, as the control did: nothing to judge.
		sample := groupSample(f, g, func(m string) bool { return !taken(m) && everyKernel(m) })
		if len(sample) == 0 {
			sample = groupSample(f, g, func(m string) bool { return !taken(m) })
		}
		for _, m := range sample {
			out = append(out, syscallCheck{call: m, item: g, action: action})
		}
	}
	return out
}

// groupSample is up to allowListSample calls of group g that the filter
// denies, the probe makes harmlessly with an answer other than ENOSYS,
// and keep accepts.
func groupSample(f score.Filter, g string, keep func(string) bool) []string {
	var out []string
	for _, m := range f.Members(g) {
		if len(out) == allowListSample {
			break
		}
		if answer, probed := probes.HarmlessAnswer(m); f.Denies(m) && probed && answer != "ENOSYS" && keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// callNames are the calls of checks, in order.
func callNames(checks []syscallCheck) []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.call
	}
	return out
}

// judgeSyscalls turns each planned call's results into a verdict of
// SystemCallFilter=, made by probes.CallVerdict.
func judgeSyscalls(checks []syscallCheck, control, profile []probes.CallResult, broken bool) []report.ProbeResult {
	ctl := map[string]probes.CallResult{}
	for _, c := range control {
		ctl[c.Name] = c
	}
	got := map[string]probes.CallResult{}
	for _, p := range profile {
		got[p.Name] = p
	}
	var out []report.ProbeResult
	for _, chk := range checks {
		res, ok := got[chk.call]
		c, cok := ctl[chk.call]
		v, why := probes.VerdictError, ""
		switch {
		case broken:
			v, why = probes.BrokeService, "the unit failed to start or the demo service stopped answering HTTP"
		case !ok:
			why = "the probe returned no result for this call"
		case !cok:
			why = "no control result for this call"
		default:
			v, why = probes.CallVerdict(c, res, true, chk.action)
		}
		out = append(out, report.ProbeResult{
			ID: SyscallProbePrefix + chk.call, Directives: []string{"SystemCallFilter"}, Item: chk.item, Verdict: string(v),
			Outcome: string(res.Outcome), Control: string(c.Outcome), Errno: res.Errno, Signal: killSignal(res),
			Detail: fmt.Sprintf("%s (%s, must get %s)", why, chk.item, chk.action),
		})
	}
	return out
}

func killSignal(r probes.CallResult) string {
	if r.Outcome == probes.CallKilled {
		return "SIGSYS"
	}
	return ""
}
