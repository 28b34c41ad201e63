package run

import (
	"slices"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

// probeBypass is a bypass row the profile runs: it goes around directives
// the profile declares.
type probeBypass struct {
	id         string
	directives []string
}

// declaredBypasses are the registry's bypass rows that go around a
// directive the settings declare, as systemd v resolves them, in the
// registry's order. A row about an item the value allows goes around
// nothing: a filter that never denies perf_event_open is not bypassed by
// reaching it through the i386 ABI.
func declaredBypasses(s *directive.Settings, v score.Version) []probeBypass {
	var out []probeBypass
	for _, p := range probes.Registry() {
		b := probeBypass{id: p.ID}
		for _, c := range p.Bypasses {
			if ok, _ := claims(s, v, c); s.Set(c.Directive) && ok && !slices.Contains(b.directives, c.Directive) {
				b.directives = append(b.directives, c.Directive)
			}
		}
		if len(b.directives) > 0 {
			out = append(out, b)
		}
	}
	return out
}

// judgeBypasses records what each bypass row got beside the control's
// outcome. It judges no directive: an allowed bypass under a profile
// whose directives hold is what a compromised service could still do.
func judgeBypasses(declared []probeBypass, control, profile []probes.Result) []report.Bypass {
	ctl := map[string]probes.Result{}
	for _, c := range control {
		ctl[c.ID] = c
	}
	var out []report.Bypass
	for _, b := range declared {
		i := -1
		for j, r := range profile {
			if r.ID == b.id {
				i = j
			}
		}
		if i < 0 {
			continue
		}
		res := profile[i]
		out = append(out, report.Bypass{
			ID: b.id, Directives: b.directives, Outcome: string(res.Outcome), Control: string(ctl[b.id].Outcome),
			Works: res.Outcome == probes.Allowed, Errno: res.Errno, Signal: res.Signal, Detail: res.Detail,
		})
	}
	return out
}
