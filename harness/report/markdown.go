package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/hardenlab/hardenlab/harness/profile"
)

// WriteMarkdown renders a matrix as the summary people read in a pull
// request or a CI log: per environment the control and full exposure, what
// each directive is credited with, lints and every profile; and, when the
// matrix spans several environments, the directives side by side.
func WriteMarkdown(w io.Writer, m Matrix) error {
	v := newMatrixView(m)
	b := bufio.NewWriter(w)
	md := markdownWriter{b: b}
	md.header(v)
	if v.Multi() {
		md.comparison(v)
	}
	for _, ev := range v.Envs {
		md.environment(v, ev)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("writing the Markdown report: %w", err)
	}
	return nil
}

// markdownWriter keeps the buffered writer; bufio remembers the first
// write error, so each line need not check it.
type markdownWriter struct {
	b *bufio.Writer
}

func (md markdownWriter) line(format string, a ...any) {
	fmt.Fprintf(md.b, format+"\n", a...)
}

// row writes one table row; cells are escaped so a "|" in a path or a
// message cannot split the row.
func (md markdownWriter) row(cells ...string) {
	for i, c := range cells {
		cells[i] = markdownCell(c)
	}
	md.line("| %s |", strings.Join(cells, " | "))
}

func (md markdownWriter) tableHead(cells ...string) {
	md.row(cells...)
	seps := make([]string, len(cells))
	for i := range seps {
		seps[i] = "---"
	}
	md.line("|%s|", strings.Join(seps, "|"))
}

func markdownCell(s string) string {
	s = strings.ReplaceAll(s, "\r", " ")
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	if s == "" {
		return " "
	}
	return s
}

// code puts s in backticks, safely even if s holds some.
func markdownCode(s string) string {
	if s == "" {
		return ""
	}
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

func (md markdownWriter) header(v matrixView) {
	md.line("# %s", v.Title)
	md.line("")
	mode := orDefault(v.Mode, "unspecified")
	md.line("Run %s, mode %s: %d profiles in %d environment(s), %.1f s wall, %.0f ms per profile, %d at a time.",
		markdownCode(orDefault(v.RunID, "unknown")), markdownCode(mode), v.Profiles, len(v.Envs), v.WallSeconds, v.PerProfileMillis, v.Jobs)
	if v.Incomplete {
		md.line("")
		md.line("**INCOMPLETE**: the matrix was interrupted; missing profiles are missing, not passed.")
	}
	md.line("")
	if len(v.Envs) == 0 {
		md.line("No environment and no record: nothing ran.")
		md.line("")
	}
	for _, ev := range v.Envs {
		md.line("- **%s**: %s", ev.Label, exposureSentence(ev))
	}
	md.line("")
}

// exposureSentence says how far the unit's directives take the exposure.
func exposureSentence(ev envView) string {
	describe := func(r *Record) string {
		if r == nil {
			return "not run"
		}
		if r.Score.Error != "" || r.Score.Level == "" {
			return "unknown (" + orDefault(r.Score.Error, "not scored") + ")"
		}
		return fmt.Sprintf("%.1f %s", r.Score.Exposure, r.Score.Level)
	}
	s := "control " + describe(ev.Control) + " → full " + describe(ev.Full)
	if ev.Control != nil && ev.Full != nil {
		d := ev.Full.Score.Exposure - ev.Control.Score.Exposure
		if ev.Control.Score.Level != "" && ev.Full.Score.Level != "" {
			s += " (" + formatDelta(&d) + ")"
		}
	}
	return s
}

func (md markdownWriter) comparison(v matrixView) {
	md.line("## Environments side by side")
	md.line("")
	md.line("Per directive: its score change alone, its ladder exposure and its probe verdicts in each environment. Rows marked **≠** differ.")
	md.line("")
	head := []string{"", "Directive"}
	for _, ev := range v.Envs {
		head = append(head, ev.Label)
	}
	head = append(head, "Differences")
	md.tableHead(head...)
	differing := 0
	for _, r := range v.Comparison {
		mark := ""
		if r.Differs {
			mark = "**≠**"
			differing++
		}
		cells := []string{mark, markdownCode(r.Directive)}
		for _, c := range r.Cells {
			if !c.Present {
				cells = append(cells, "not measured")
				continue
			}
			s := fmt.Sprintf("alone %s, ladder %s; %s", formatDelta(c.Alone), formatExposure(c.Ladder), verdictSummaryOf(c.Verdicts))
			if c.Broke {
				s += "; **broke the service**"
			}
			cells = append(cells, s)
		}
		cells = append(cells, strings.Join(r.Differences, "; "))
		md.row(cells...)
	}
	md.line("")
	md.line("%d of %d directives differ between environments.", differing, len(v.Comparison))
	md.line("")
}

// verdictSummaryOf summarises a probe → verdict map.
func verdictSummaryOf(verdicts map[string]string) string {
	return verdictSummary(groupVerdicts(verdicts))
}

func (md markdownWriter) environment(v matrixView, ev envView) {
	md.line("## %s", ev.Label)
	md.line("")
	e := ev.Env
	md.line("systemd %s, sandbox %s, virtualization %s, kernel %s, cgroup %s.",
		orDefault(e.SystemdVersion, "?"), orDefault(string(e.Sandbox), "?"), orDefault(e.Virtualization, "?"), orDefault(e.Kernel, "?"), orDefault(e.CgroupMode, "?"))
	md.line("")
	md.line("Exposure: %s.", exposureSentence(ev))
	md.line("")
	if ev.Full != nil {
		if e := EffectiveSummary(*ev.Full); e != "" {
			md.line("Effective exposure of the full unit: %s.", e)
			md.line("")
			for _, d := range EffectiveDiscounts(ev.Full.Effective) {
				md.line("- %s", markdownCell(d))
			}
			if len(EffectiveDiscounts(ev.Full.Effective)) > 0 {
				md.line("")
			}
		}
	}
	for _, n := range ev.Notes {
		md.line("> note: %s", n)
	}
	if len(ev.Notes) > 0 {
		md.line("")
	}
	md.directives(v, ev)
	md.lints(ev)
	md.profiles(ev)
}

func (md markdownWriter) directives(v matrixView, ev envView) {
	md.line("### Directives")
	md.line("")
	if len(ev.Rows) == 0 {
		md.line("The matrix names no directive.")
		md.line("")
		return
	}
	md.line("Alone Δ: exposure of control + directive minus control. Leave-one-out Δ: exposure of the full set without it minus the full set. Ladder: exposure after adding it in the unit's order. Verdicts: the probes of the directive alone.")
	md.line("")
	head := []string{"Directive", "Alone Δ", "Leave-one-out Δ", "Ladder"}
	for _, s := range v.Verdicts {
		head = append(head, s.Symbol+" "+s.Verdict)
	}
	head = append(head, "Broke service?", "Hides")
	md.tableHead(head...)
	for _, r := range ev.Rows {
		if !r.Attributed {
			cells := []string{markdownCode(r.Directive), "not measured"}
			for len(cells) < len(head) {
				cells = append(cells, "")
			}
			md.row(cells...)
			continue
		}
		cells := []string{markdownCode(r.Directive), formatDelta(r.Alone), formatDelta(r.LeaveOneOut), formatExposure(r.Ladder)}
		byVerdict := map[string][]string{}
		for _, g := range r.Groups {
			byVerdict[g.Verdict] = g.Probes
		}
		for _, s := range v.Verdicts {
			ids := byVerdict[s.Verdict]
			if len(ids) == 0 {
				cells = append(cells, "0")
				continue
			}
			cells = append(cells, fmt.Sprintf("%d: %s", len(ids), strings.Join(ids, ", ")))
		}
		broke := "no"
		if r.Broke {
			broke = "**YES**"
		}
		cells = append(cells, broke, strings.Join(r.Hides, ", "))
		md.row(cells...)
	}
	// Verdicts this version does not know would otherwise vanish.
	for _, r := range ev.Rows {
		for _, g := range r.Groups {
			if !knownVerdict(g.Verdict) {
				md.line("")
				md.line("%s: %d probe(s) with unknown verdict %s: %s", markdownCode(r.Directive), len(g.Probes), markdownCode(g.Verdict), strings.Join(g.Probes, ", "))
			}
		}
	}
	md.line("")
}

func knownVerdict(v string) bool {
	for _, s := range verdictStyles() {
		if s.Verdict == v {
			return true
		}
	}
	return false
}

func (md markdownWriter) lints(ev envView) {
	md.line("### Lints")
	md.line("")
	if len(ev.Lints) == 0 {
		md.line("None.")
		md.line("")
		return
	}
	for _, l := range ev.Lints {
		md.line("- %s (%s): %s", markdownCode(l.Directive), l.ID, strings.ReplaceAll(l.Message, "\n", " "))
	}
	md.line("")
}

func (md markdownWriter) profiles(ev envView) {
	md.line("### Profiles")
	md.line("")
	if len(ev.ProfileRow) == 0 {
		md.line("No profile ran.")
		md.line("")
		return
	}
	md.tableHead("Profile", "Kind", "Exposure", "Level", "Effective", "Started", "Behavior", "HTTP", "Exposed paths")
	for _, p := range ev.ProfileRow {
		exposure, level := "unknown", ""
		if p.Scored {
			exposure, level = fmt.Sprintf("%.1f", p.Exposure), p.Level
		}
		started := "yes"
		if !p.Started {
			started = "**NO**"
			if p.Error != "" {
				started += ": " + p.Error
			}
		}
		status := "–"
		if p.HTTPStatus != 0 {
			status = fmt.Sprint(p.HTTPStatus)
		}
		exposed := strings.Join(p.Exposed, ", ")
		if p.Started && len(p.Exposed) == 0 {
			exposed = "none"
		}
		md.row(markdownCode(p.Name), profileKind(p), exposure, level, orDefault(strings.TrimPrefix(p.Effective, "effective "), "–"), started, orDefault(p.Outcome, "–"), status, exposed)
	}
	md.line("")
}

// profileKind says which matrix slot a profile fills.
func profileKind(p profileRow) string {
	switch p.Kind {
	case "":
		return "plain"
	case profile.Ladder:
		return fmt.Sprintf("ladder %d", p.Step)
	default:
		return p.Kind
	}
}
