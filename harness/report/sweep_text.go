package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// SweepLine is one row of a sweep as people read it.
type SweepLine struct {
	Unit      string
	State     string
	Exposure  string // declared: "4.9 OK", or "-" when not scored
	Effective string // what the probes leave of it: "5.2 MEDIUM", or "-"
	Verdicts  string // "3 enforced, 1 not-enforced"
	Service   string // behaviour, or the reason a unit did not run
	tenths    int    // effective (else declared) exposure, for sorting; -1 when not scored
}

// SweepLines orders a sweep's rows most exposed first, by effective
// exposure where the probes gave one; units that did not run come last,
// by name.
func SweepLines(d Sweep) []SweepLine {
	var out []SweepLine
	for _, r := range d.Rows {
		out = append(out, sweepLineOf(r))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].tenths != out[j].tenths {
			return out[i].tenths > out[j].tenths
		}
		return out[i].Unit < out[j].Unit
	})
	return out
}

func sweepLineOf(r SweepRow) SweepLine {
	l := SweepLine{Unit: r.Unit, State: r.State, Exposure: "-", Effective: "-", Verdicts: "-", Service: r.Reason, tenths: -1}
	rec := r.Record
	if rec == nil {
		return l
	}
	if rec.Score.Level != "" && rec.Score.Error == "" {
		l.Exposure = fmt.Sprintf("%.1f %s", rec.Score.Exposure, rec.Score.Level)
		l.tenths = int(rec.Score.Exposure*10 + 0.5)
		if e := rec.Effective; e != nil && e.Error == "" && e.Level != "" {
			l.Effective = fmt.Sprintf("%.1f %s", e.Exposure, e.Level)
			l.tenths = int(e.Exposure*10 + 0.5)
		}
	}
	if rec.Error == "" {
		// A unit that failed before its probes ran has no verdicts to
		// count, whatever it declares.
		l.Verdicts = pairVerdicts(rec.Probes)
	}
	switch b := rec.Behavior; {
	case rec.Error != "":
		l.Service = firstLine(rec.Error)
	case !b.Started:
		l.Service = fmt.Sprintf("broke: %s/%s (%s)", b.ActiveState, b.SubState, b.Result)
	case b.HTTPStatus == 0:
		l.Service = "started, no HTTP answer"
	default:
		l.Service = fmt.Sprintf("serves (GET / -> %d)", b.HTTPStatus)
	}
	return l
}

// pairVerdicts is "3 enforced, 1 not-enforced" counted per (directive,
// probe) pair, as the gate formats count them.
func pairVerdicts(ps []ProbeResult) string {
	var verdicts []string
	for _, p := range ps {
		for range p.Directives {
			verdicts = append(verdicts, p.Verdict)
		}
	}
	if len(verdicts) == 0 {
		return "none (no directive to probe)"
	}
	return verdictCounts(verdicts)
}

// WriteSweepText prints a sweep for people.
func WriteSweepText(w io.Writer, d Sweep) {
	ran := 0
	for _, r := range d.Rows {
		if r.State == SweepRan {
			ran++
		}
	}
	fmt.Fprintf(w, "sweep of %s (shard %s): %d units, %d ran\n", d.Source, d.Shard, len(d.Rows), ran)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  UNIT\tSTATE\tDECLARED\tEFFECTIVE\tVERDICTS\tSERVICE")
	for _, l := range SweepLines(d) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", l.Unit, l.State, l.Exposure, l.Effective, l.Verdicts, cut(l.Service, maxReason))
	}
	tw.Flush()
	if n := len(d.Units) - len(d.Rows); n > 0 {
		fmt.Fprintf(w, "%d units not swept yet (interrupted): continue with --resume\n", n)
	}
}

// maxReason keeps a refusal that lists many lines to one screen line; the
// document has it whole.
const maxReason = 140

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
