package report

import (
	"math"

	"github.com/hardenlab/hardenlab/harness/profile"
)

// Attribute fills m.Attribution from m.Records: for every environment and
// directive, what the directive alone, its removal from the full set and
// its ladder step did to the score, the probes, the service and what it
// exposes over HTTP.
func Attribute(m *Matrix) {
	m.Attribution = nil
	for _, env := range environmentNames(m.Records) {
		recs := recordsOf(m.Records, env)
		control, full := find(recs, profile.Control, ""), find(recs, profile.Full, "")
		ladder := ladderSteps(recs)
		if full == nil && len(ladder) > 0 {
			full = ladder[len(ladder)-1]
		}
		for i, d := range m.Directives {
			a := Attribution{Environment: env, Directive: d, Verdicts: map[string]string{}, Hides: []string{}}
			single := find(recs, profile.Single, d)
			var before, step *Record
			if i < len(ladder) {
				step = ladder[i]
				before = control
				if i > 0 {
					before = ladder[i-1]
				}
				if scored(step) {
					v := step.Score.Exposure
					a.LadderExposure = &v
				}
			}
			if single != nil {
				a.AloneDelta = delta(single, control)
			}
			if loo := find(recs, profile.LeaveOneOut, d); loo != nil {
				a.LeaveOneOutDelta = delta(loo, full)
			}
			// Verdicts and breakage come from the directive alone when it
			// ran; otherwise from its ladder step against the step before.
			subject, base := single, control
			if subject == nil {
				subject, base = step, before
			}
			if subject != nil {
				for _, p := range subject.Probes {
					for _, pd := range p.Directives {
						if pd == d {
							a.Verdicts[p.ID] = p.Verdict
						}
					}
				}
				a.BrokeService = subject.Behavior.Broke() && (base == nil || !base.Behavior.Broke())
				if base != nil && subject.Behavior.Started {
					a.Hides = hidden(base, subject)
				}
			}
			m.Attribution = append(m.Attribution, a)
		}
	}
}

func environmentNames(recs []Record) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range recs {
		if !seen[r.Environment.Name] {
			seen[r.Environment.Name] = true
			out = append(out, r.Environment.Name)
		}
	}
	return out
}

func recordsOf(recs []Record, env string) []*Record {
	var out []*Record
	for i := range recs {
		if recs[i].Environment.Name == env {
			out = append(out, &recs[i])
		}
	}
	return out
}

func find(recs []*Record, kind, directive string) *Record {
	for _, r := range recs {
		if r.Profile.Kind == kind && (directive == "" || r.Profile.Directive == directive) {
			return r
		}
	}
	return nil
}

func ladderSteps(recs []*Record) []*Record {
	var out []*Record
	for step := 1; ; step++ {
		var found *Record
		for _, r := range recs {
			if r.Profile.Kind == profile.Ladder && r.Profile.Step == step {
				found = r
			}
		}
		if found == nil {
			return out
		}
		out = append(out, found)
	}
}

func scored(r *Record) bool { return r != nil && r.Score.Error == "" && r.Score.Level != "" }

// delta is a's exposure minus b's, in whole tenths as systemd prints them.
func delta(a, b *Record) *float64 {
	if !scored(a) || !scored(b) {
		return nil
	}
	d := math.Round((a.Score.Exposure-b.Score.Exposure)*10) / 10
	return &d
}

// hidden lists what base exposes over HTTP and subject does not, by the
// stable exposure id (marker paths carry the run id).
func hidden(base, subject *Record) []string {
	now := map[string]bool{}
	for _, e := range subject.Behavior.Exposures {
		if e.Exposed {
			now[e.ID] = true
		}
	}
	out := []string{}
	for _, e := range base.Behavior.Exposures {
		if e.Exposed && !now[e.ID] {
			out = append(out, e.ID)
		}
	}
	return out
}
