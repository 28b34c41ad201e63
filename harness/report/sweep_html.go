package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
)

// sweepPage is what the sweep template sees.
type sweepPage struct {
	Title, RunID, Shard string
	Ran, Missing        int
	Incomplete          bool
	WallSeconds         float64
	Verdicts            []verdictStyle
	Rows                []sweepHTMLRow
	CSS                 template.CSS
}

type sweepHTMLRow struct {
	SweepLine
	Path, Level string
	Summary     string // when there is no pair to draw
	Pairs       []verdictPair
}

type verdictPair struct{ Directive, Probe, Verdict string }

// WriteSweepHTML renders a sweep as one self-contained page: a row per
// unit, most exposed first, with a chip per (directive, probe) verdict.
func WriteSweepHTML(w io.Writer, d Sweep) error {
	css, err := htmlAssets.ReadFile("assets/report.css")
	if err != nil {
		return fmt.Errorf("reading the embedded report stylesheet: %w", err)
	}
	t, err := template.New("sweep.html.tmpl").Funcs(htmlFuncs()).ParseFS(htmlAssets, "assets/sweep.html.tmpl")
	if err != nil {
		return fmt.Errorf("parsing the embedded sweep template: %w", err)
	}
	page := sweepPage{Title: "hardenlab sweep of " + d.Source, RunID: d.RunID, Shard: d.Shard.String(),
		Incomplete: d.Incomplete, WallSeconds: d.WallMillis / 1000, Verdicts: verdictStyles(), CSS: template.CSS(css),
		Missing: len(d.Units) - len(d.Rows)}
	rows := map[string]SweepRow{}
	for _, r := range d.Rows {
		rows[r.Unit] = r
		if r.State == SweepRan {
			page.Ran++
		}
	}
	for _, l := range SweepLines(d) {
		page.Rows = append(page.Rows, sweepHTMLRowOf(l, rows[l.Unit]))
	}
	b := bufio.NewWriter(w)
	if err := t.Execute(b, page); err != nil {
		return fmt.Errorf("rendering the sweep page: %w", err)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("writing the sweep page: %w", err)
	}
	return nil
}

func sweepHTMLRowOf(l SweepLine, r SweepRow) sweepHTMLRow {
	row := sweepHTMLRow{SweepLine: l, Path: r.Path, Summary: l.Verdicts}
	if r.Record == nil {
		return row
	}
	if r.Record.Score.Error == "" {
		row.Level = r.Record.Score.Level
	}
	for _, p := range r.Record.Probes {
		for _, d := range p.Directives {
			row.Pairs = append(row.Pairs, verdictPair{d, p.ID, p.Verdict})
		}
	}
	return row
}
