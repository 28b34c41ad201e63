package sweep

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// Line is one row of the human table, ready to print.
type Line struct {
	Unit     string
	State    string
	Exposure string // "4.9 OK", or "-" when not scored
	Verdicts string // "3 enforced, 1 not-enforced"
	Service  string // behaviour, or the reason a unit did not run
	tenths   int    // for sorting; -1 when not scored
}

// Lines orders the rows most exposed first; units that did not run come
// last, by name.
func Lines(d Document) []Line {
	var out []Line
	for _, r := range d.Rows {
		out = append(out, lineOf(r))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].tenths != out[j].tenths {
			return out[i].tenths > out[j].tenths
		}
		return out[i].Unit < out[j].Unit
	})
	return out
}

func lineOf(r Row) Line {
	l := Line{Unit: r.Unit, State: r.State, Exposure: "-", Verdicts: "-", Service: r.Reason, tenths: -1}
	rec := r.Record
	if rec == nil {
		return l
	}
	if rec.Score.Level != "" && rec.Score.Error == "" {
		l.Exposure = fmt.Sprintf("%.1f %s", rec.Score.Exposure, rec.Score.Level)
		l.tenths = int(rec.Score.Exposure*10 + 0.5)
	}
	l.Verdicts = verdictCounts(rec.Probes)
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

// verdictCounts counts the (directive, probe) verdicts, in the order of
// the verdict vocabulary; a verdict outside it is still counted, last.
func verdictCounts(ps []report.ProbeResult) string {
	n := map[string]int{}
	for _, p := range ps {
		n[p.Verdict] += len(p.Directives)
	}
	var parts []string
	for _, v := range probes.VerdictKinds() {
		if c := n[string(v)]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, v))
			delete(n, string(v))
		}
	}
	var rest []string
	for v := range n {
		rest = append(rest, v)
	}
	sort.Strings(rest)
	for _, v := range rest {
		parts = append(parts, fmt.Sprintf("%d %s", n[v], v))
	}
	if len(parts) == 0 {
		return "none (no directive to probe)"
	}
	return strings.Join(parts, ", ")
}

// WriteTable prints the sweep for people.
func WriteTable(w io.Writer, d Document) {
	ran := 0
	for _, r := range d.Rows {
		if r.State == Ran {
			ran++
		}
	}
	fmt.Fprintf(w, "sweep of %s (shard %s): %d units, %d ran\n", d.Source, d.Shard, len(d.Rows), ran)
	tw := tabwriter.NewWriter(w, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  UNIT\tSTATE\tEXPOSURE\tVERDICTS\tSERVICE")
	for _, l := range Lines(d) {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", l.Unit, l.State, l.Exposure, l.Verdicts, cut(l.Service, maxReason))
	}
	tw.Flush()
	if m := d.Missing(); len(m) > 0 {
		fmt.Fprintf(w, "%d units not swept yet (interrupted): continue with --resume\n", len(m))
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
