package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hardenlab/hardenlab/harness/profile"
)

// WriteText renders one record for a person reading a terminal.
func WriteText(w io.Writer, r Record) {
	title := r.Profile.Name
	if r.Profile.Source != "" {
		title += "  (" + r.Profile.Source + ")"
	}
	fmt.Fprintf(w, "%s\n", title)
	row := func(k, format string, a ...any) {
		fmt.Fprintf(w, "  %-10s %s\n", k, fmt.Sprintf(format, a...))
	}
	row("unit", "%s in systemd %s (%s)", r.Unit, r.Environment.SystemdVersion, r.Environment.Sandbox)
	switch {
	case r.Score.Error != "":
		row("exposure", "unknown: %s", r.Score.Error)
	default:
		if r.Score.Source == "hardenlab" && r.Score.Ours != nil {
			// Not checked by systemd-analyze in this run (--systemd-analyze).
			row("exposure", "%.1f %s (hardenlab's scorer, online, systemd %s semantics)", r.Score.Exposure, r.Score.Level, r.Score.Ours.Version)
			break
		}
		s := fmt.Sprintf("%.1f %s (systemd-analyze security, online)", r.Score.Exposure, r.Score.Level)
		if r.Score.Ours != nil {
			s += fmt.Sprintf("; hardenlab's scorer: %.1f %s", r.Score.Ours.Exposure, r.Score.Ours.Level)
		}
		row("exposure", "%s", s)
		for _, d := range r.Score.Disagreements {
			row("", "scorer disagreement: %s", d)
		}
	}
	if e := EffectiveSummary(r); e != "" {
		row("effective", "%s", e)
		for _, d := range EffectiveDiscounts(r.Effective) {
			row("", "%s", d)
		}
	}
	b := r.Behavior
	row("service", "%s", BehaviorSummary(b))
	if !b.Started {
		for _, l := range collapseJournal(b.JournalTail) {
			row("", "| %s", l)
		}
		for _, h := range []string{volatileUserHint(r), demoExecHint(r)} {
			if h != "" {
				row("hint", "%s", h)
			}
		}
	}
	if b.Started {
		if len(b.ExposedPaths) == 0 {
			row("exposes", "none of the %d sensitive paths checked", len(b.Exposures))
		} else {
			row("exposes", "%s", strings.Join(b.ExposedPaths, ", "))
		}
	}
	if len(r.Readback) == 0 {
		row("readback", "every directive reads back from systemd as meant")
	} else {
		for _, m := range r.Readback {
			row("readback", "MISMATCH %s: meant %s, systemd has %s", m.Directive, m.Want, m.Got)
		}
	}
	if len(r.Probes) > 0 {
		verdicts := make([]string, 0, len(r.Probes))
		for _, p := range r.Probes {
			verdicts = append(verdicts, p.Verdict)
		}
		row("probes", "%s", verdictCounts(verdicts))
		probes := append([]ProbeResult(nil), r.Probes...)
		sort.SliceStable(probes, func(i, j int) bool { return probes[i].Verdict < probes[j].Verdict })
		for _, p := range probes {
			row("", "%-13s %-26s %-32s %s", p.Verdict, p.ID, directivesItem(p), p.Detail)
		}
	}
	for _, b := range r.Bypasses {
		if b.Works {
			row("bypass", "%s goes around %s: %s", b.ID, strings.Join(b.Directives, ","), b.Detail)
		}
	}
	for _, l := range r.Lints {
		row("lint", "%s: %s", l.Directive, l.Message)
	}
	for _, n := range r.Profile.Notes {
		row("note", "%s: %s", n.Directive, n.Reason)
	}
	row("time", "start %.0f ms, ready %.0f ms, probes %.0f ms, score %.0f ms, stop %.0f ms, total %.0f ms",
		r.Timings.Start, r.Timings.Ready, r.Timings.Probes, r.Timings.Score, r.Timings.Stop, r.Timings.Total)
	if r.Error != "" {
		row("ERROR", "%s", r.Error)
	}
	if r.Incomplete {
		row("", "INCOMPLETE: the run was interrupted")
	}
	fmt.Fprintln(w)
}

// directivesItem names what a verdict judges: the directives, and the
// item of their list when it is about one ("SystemCallFilter=@swap").
func directivesItem(p ProbeResult) string {
	d := strings.Join(p.Directives, ",")
	if p.Item != "" {
		d += "=" + p.Item
	}
	return d
}

// WriteMatrixText renders a matrix as a table per environment: one row per
// directive with what it is credited with.
func WriteMatrixText(w io.Writer, m Matrix) {
	for _, env := range environmentNames(m.Records) {
		recs := recordsOf(m.Records, env)
		fmt.Fprintf(w, "%s — %s matrix of %s", env, m.Mode, m.Source)
		if c := find(recs, profile.Control, ""); scored(c) {
			fmt.Fprintf(w, " — control %.1f %s", c.Score.Exposure, c.Score.Level)
		}
		if f := find(recs, profile.Full, ""); scored(f) {
			fmt.Fprintf(w, ", full %.1f %s", f.Score.Exposure, f.Score.Level)
		}
		fmt.Fprintln(w)
		fmt.Fprintf(w, "  %-24s %7s %7s %7s  %-30s %s\n", "DIRECTIVE", "ALONE", "W/O", "LADDER", "VERDICTS", "SERVICE / HIDES")
		for _, a := range m.Attribution {
			if a.Environment != env {
				continue
			}
			var verdicts []string
			for _, v := range a.Verdicts {
				verdicts = append(verdicts, v)
			}
			svc := "ok"
			if a.BrokeService {
				svc = "BROKE"
			}
			if len(a.Hides) > 0 {
				svc += " / hides " + strings.Join(a.Hides, ",")
			}
			fmt.Fprintf(w, "  %-24s %7s %7s %7s  %-30s %s\n", a.Directive, signed(a.AloneDelta), signed(a.LeaveOneOutDelta), plain(a.LadderExposure), verdictCounts(verdicts), svc)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d profiles in %.1f s (%.0f ms per profile, %d at a time)", len(m.Records), m.WallMillis/1000, m.PerProfileMillis, m.Jobs)
	if m.Incomplete {
		fmt.Fprint(w, " — INCOMPLETE: interrupted")
	}
	fmt.Fprintln(w)
}

func signed(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%+.1f", *v)
}

func plain(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *v)
}

// collapseJournal folds the lines of a restart loop, which repeat with
// only a counter changed ("restart counter is at 2", "... 3"), into one
// line each: the last of its kind, in the order the kinds first appear,
// with how many times it came. The JSON keeps every line.
func collapseJournal(lines []string) []string {
	type kind struct {
		last  string
		count int
	}
	var order []string
	kinds := map[string]*kind{}
	for _, l := range lines {
		key := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '#'
			}
			return r
		}, l)
		k, ok := kinds[key]
		if !ok {
			k = &kind{}
			kinds[key] = k
			order = append(order, key)
		}
		k.last, k.count = l, k.count+1
	}
	out := make([]string, 0, len(order))
	for _, key := range order {
		k := kinds[key]
		if k.count > 1 {
			out = append(out, fmt.Sprintf("%s (%d times)", k.last, k.count))
			continue
		}
		out = append(out, k.last)
	}
	return out
}

// demoExecHint explains a demo that systemd could not execute: a unit whose
// NoExecPaths= or ExecPaths= allow only its own binary forbids the demo's
// interpreter, as the directive should; its own commands may still run.
func demoExecHint(r Record) string {
	if r.Behavior.Service != "demo" || r.Behavior.ExitStatusName != "203/EXEC" {
		return ""
	}
	demo := "the demo"
	if len(r.Behavior.Command) > 0 {
		demo += " (" + r.Behavior.Command[0] + ")"
	}
	return fmt.Sprintf("status 203/EXEC: %s may not be executed under this unit's directives (NoExecPaths=, ExecPaths=, "+
		"ProtectSystem=, ...), which is theirs to forbid; --service unit runs the unit's own commands instead", demo)
}

// volatileUserHint explains the commonest surprise of running a packaged
// unit: its User= or Group= exists on the host but not in the volatile
// root the demo runs in, whose /etc is systemd's near-empty default.
func volatileUserHint(r Record) string {
	status := r.Behavior.ExitStatusName // "217/USER"
	_, name, _ := strings.Cut(status, "/")
	key := map[string]string{"USER": "User", "GROUP": "Group"}[name]
	if r.Environment.RootView != "volatile" || key == "" {
		return ""
	}
	return fmt.Sprintf("status %s: the unit's %s= is not in this sandbox's /etc, which --volatile=yes leaves almost empty "+
		"(only /usr is the host's); --service unit boots an overlay of the host's /etc instead, and DynamicUser=yes needs no account",
		status, key)
}
