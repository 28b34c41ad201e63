package report

import (
	"bufio"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

// The page is one file with its styles and SVG inline: a report attached to
// a CI run must open offline, years later, with nothing to fetch.

//go:embed assets/report.html.tmpl assets/report.css assets/sweep.html.tmpl
var htmlAssets embed.FS

// htmlPage is what the template sees.
type htmlPage struct {
	matrixView
	Chart *ladderChart
	CSS   template.CSS
}

// WriteHTML renders a matrix as one self-contained HTML page: the exposure
// along the ladder as a chart, a directive × probe verdict heatmap, the
// HTTP exposure per profile, the attribution table, the environments and,
// with several environments, the side-by-side comparison.
func WriteHTML(w io.Writer, m Matrix) error {
	t, css, err := htmlTemplate()
	if err != nil {
		return err
	}
	v := newMatrixView(m)
	page := htmlPage{matrixView: v, Chart: newLadderChart(v.Envs), CSS: css}
	b := bufio.NewWriter(w)
	if err := t.Execute(b, page); err != nil {
		return fmt.Errorf("rendering the HTML report: %w", err)
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}

func htmlTemplate() (*template.Template, template.CSS, error) {
	css, err := htmlAssets.ReadFile("assets/report.css")
	if err != nil {
		return nil, "", fmt.Errorf("reading the embedded report stylesheet: %w", err)
	}
	t, err := template.New("report.html.tmpl").Funcs(htmlFuncs()).ParseFS(htmlAssets, "assets/report.html.tmpl")
	if err != nil {
		return nil, "", fmt.Errorf("parsing the embedded report template: %w", err)
	}
	// The stylesheet is our own embedded file, never input.
	return t, template.CSS(css), nil
}

func htmlFuncs() template.FuncMap {
	styles := map[string]verdictStyle{}
	for _, s := range verdictStyles() {
		styles[s.Verdict] = s
	}
	levels := levelColours()
	return template.FuncMap{
		"delta":     formatDelta,
		"effective": func(r *Record) string { return EffectiveSummary(*r) },
		"discounts": func(r *Record) []string { return EffectiveDiscounts(r.Effective) },
		"exposure":  formatExposure,
		"f1":        func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"join":      strings.Join,
		"summary":   verdictSummary,
		"verdictColour": func(v string) template.CSS {
			if s, ok := styles[v]; ok {
				return template.CSS(s.Colour)
			}
			return template.CSS(unknownVerdictStyle(v).Colour)
		},
		"verdictSymbol": func(v string) string {
			if s, ok := styles[v]; ok {
				return s.Symbol
			}
			return unknownVerdictStyle(v).Symbol
		},
		"levelColour": func(l string) template.CSS {
			if c, ok := levels[l]; ok {
				return template.CSS(c)
			}
			return "#000000"
		},
		"kind":      profileKind,
		"summaryOf": verdictSummaryOf,
		"plus":      func(a, b float64) float64 { return a + b },
		"minus":     func(a, b float64) float64 { return a - b },
		"half":      func(a float64) float64 { return a / 2 },
		"plusInt":   func(a, b int) int { return a + b },
		"probesOf": func(r directiveRow, verdict string) []string {
			for _, g := range r.Groups {
				if g.Verdict == verdict {
					return g.Probes
				}
			}
			return nil
		},
		// deltaClass lets the stylesheet colour improvements and losses.
		"deltaClass": func(d *float64, lowerIsBetter bool) string {
			if d == nil || *d == 0 {
				return "delta-none"
			}
			if (*d < 0) == lowerIsBetter {
				return "delta-better"
			}
			return "delta-worse"
		},
	}
}
