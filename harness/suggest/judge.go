package suggest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// Decision is what became of one candidate, and why.
type Decision struct {
	Candidate
	Kept bool `json:"kept"`
	// Verdict is a probe verdict (enforced, inconclusive, not-enforced),
	// or broke-service when the service failed with the candidate.
	Verdict string `json:"verdict"`
	Reason  string `json:"reason"`
	// Evidence has one line per probe of the candidate's directives.
	Evidence []string `json:"evidence,omitempty"`
	// Journal is the service's last journal line when it broke.
	Journal string `json:"journal,omitempty"`
	// ReadOnly are the directories the journal shows the service failing
	// to write in, read-only, when it broke.
	ReadOnly []Need `json:"read_only,omitempty"`
	// Trial names the trial whose record decided.
	Trial string `json:"trial"`
}

// Health says whether a trial's service did its job: it serves (the
// demo answered HTTP, or every --health check of the unit's own commands
// passed). A service the profile cut off from its clients (unreachable)
// does not do its job either. why and journal explain a failure.
func Health(rec report.Record) (ok bool, why, journal string) {
	b := rec.Behavior
	journal = serviceLine(b.JournalTail, rec.Unit)
	switch {
	case b.Outcome != "" && behavior.Outcome(b.Outcome) != behavior.Serves:
		why = b.Outcome
		if b.OutcomeDetail != "" {
			why += ": " + b.OutcomeDetail
		}
	case !b.Started:
		why = "the service never became healthy"
		if b.Error != "" {
			why += ": " + b.Error
		}
		why += fmt.Sprintf(" (unit %s/%s, result %s)", orDash(b.ActiveState), orDash(b.SubState), orDash(b.Result))
	case b.Outcome == "" && b.HTTPStatus != 200:
		why = fmt.Sprintf("the service stopped answering its health check (HTTP %d)", b.HTTPStatus)
		if b.Error != "" {
			why += ": " + b.Error
		}
	case rec.Error != "":
		why = rec.Error
	default:
		return true, "", ""
	}
	return false, why, journal
}

// Judge decides a candidate that ran in a healthy trial from the probes of
// its directives: not-enforced rejects it, anything else keeps it, with
// the reason when no probe says enforced.
func Judge(c Candidate, rec report.Record) Decision {
	d := Decision{Candidate: c, Trial: rec.Profile.Name, Kept: true}
	names := c.names()
	var enforced, inconclusive, notEnforced []string
	for _, p := range rec.Probes {
		if !slices.ContainsFunc(p.Directives, func(n string) bool { return slices.Contains(names, n) }) {
			continue
		}
		line := fmt.Sprintf("%s: %s: %s", p.ID, p.Verdict, p.Detail)
		d.Evidence = append(d.Evidence, line)
		switch probes.VerdictKind(p.Verdict) {
		case probes.Enforced:
			enforced = append(enforced, p.ID)
		case probes.NotEnforced:
			notEnforced = append(notEnforced, line)
		default:
			inconclusive = append(inconclusive, line)
		}
	}
	switch {
	case len(notEnforced) > 0:
		d.Kept, d.Verdict = false, string(probes.NotEnforced)
		d.Reason = "not enforced here: " + strings.Join(notEnforced, "; ")
	case len(enforced) > 0:
		d.Verdict = string(probes.Enforced)
		d.Reason = "enforced: " + strings.Join(enforced, ", ")
	case len(inconclusive) > 0:
		d.Verdict = string(probes.Inconclusive)
		d.Reason = "inconclusive: " + strings.Join(inconclusive, "; ")
	default:
		d.Verdict = string(probes.Inconclusive)
		d.Reason = "inconclusive: no probe checks " + c.Directive + "=; kept because the service stays healthy with it"
	}
	return d
}

// broke is the decision for a candidate the service fails with; root is
// where the journal's paths are looked up.
func broke(c Candidate, rec report.Record, inferred bool, root string) Decision {
	_, why, journal := Health(rec)
	if inferred {
		why += " (with the candidates kept before it, as in " + rec.Profile.Name + ")"
	}
	return Decision{Candidate: c, Verdict: string(probes.BrokeService), Reason: "service broke: " + why, Journal: journal, Trial: rec.Profile.Name,
		ReadOnly: ReadOnlyPaths(rec.Behavior.JournalTail, orRoot(root))}
}

func orRoot(root string) string {
	if root == "" {
		return "/"
	}
	return root
}

// names are the directives the candidate assigns.
func (c Candidate) names() []string {
	var out []string
	for _, l := range c.Lines {
		name, _, _ := strings.Cut(l, "=")
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// serviceLine is the service's own last two journal lines (a daemon's
// error, then its summary): systemd's lines about the unit (Failed to
// start UNIT, UNIT: Control process exited) name the unit, the
// service's do not. Only systemd's: its last.
func serviceLine(lines []string, unit string) string {
	if unit == "" {
		return lastLine(lines)
	}
	var own []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && !strings.Contains(l, unit) {
			own = append(own, l)
		}
	}
	if len(own) == 0 {
		return lastLine(lines)
	}
	return strings.Join(own[max(0, len(own)-2):], " | ")
}

func lastLine(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return ""
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
