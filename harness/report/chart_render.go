package report

import (
	"fmt"
	"strings"
)

// ladderChart is the exposure-along-the-ladder chart laid out in SVG user
// units; the template only places what is computed here.
type ladderChart struct {
	Width, Height            float64
	Left, Right, Top, Bottom float64 // plot area edges
	Bands                    []chartBand
	YTicks                   []chartTick
	XTicks                   []chartTick
	Series                   []chartSeries
}

type chartBand struct {
	Level          string
	Y, H           float64
	Colour         string
	LabelY         float64
	ShowLabel      bool
	From, UpTo     float64
	RangeForReader string
}

type chartTick struct {
	X, Y  float64
	Label string
	Step  int
}

type chartSeries struct {
	Env    string
	Colour string
	Points []chartPoint
	Line   string // SVG polyline points
	// Dash draws later environments dashed and thinner, so a line that
	// runs exactly on top of another still shows both.
	Dash   string
	Width  float64
	Radius float64
}

type chartPoint struct {
	X, Y float64
	ladderPoint
	Env string
}

const (
	chartWidth       = 1200.0
	chartHeight      = 460.0
	chartLeft        = 64.0
	chartRightMargin = 110.0 // room for the band names
	chartTop         = 30.0
	chartBottomSpace = 150.0 // room for the slanted directive names
	chartMaxExposure = 10.0
	// bands thinner than this many units get no label: it would overlap.
	chartMinLabelHeight = 13.0
)

// newLadderChart lays out every environment's ladder on shared axes; it
// returns nil when no environment has a ladder.
func newLadderChart(envs []envView) *ladderChart {
	maxStep := 0
	labels := map[int]string{}
	found := false
	for _, ev := range envs {
		for _, p := range ev.Ladder {
			found = true
			if p.Step > maxStep {
				maxStep = p.Step
			}
			if _, ok := labels[p.Step]; !ok {
				labels[p.Step] = ladderLabel(p)
			}
		}
	}
	if !found {
		return nil
	}
	c := &ladderChart{
		Width: chartWidth, Height: chartHeight,
		Left: chartLeft, Right: chartWidth - chartRightMargin,
		Top: chartTop, Bottom: chartHeight - chartBottomSpace,
	}
	c.Bands = c.bands()
	for e := 0; e <= int(chartMaxExposure); e++ {
		c.YTicks = append(c.YTicks, chartTick{X: c.Left, Y: c.y(float64(e)), Label: fmt.Sprint(e)})
	}
	for s := 0; s <= maxStep; s++ {
		label, ok := labels[s]
		if !ok {
			label = fmt.Sprintf("step %d", s)
		}
		c.XTicks = append(c.XTicks, chartTick{X: c.x(s, maxStep), Y: c.Bottom, Label: label, Step: s})
	}
	for _, ev := range envs {
		if len(ev.Ladder) == 0 {
			continue
		}
		s := chartSeries{Env: ev.Label, Colour: ev.Colour, Width: 3, Radius: 6}
		if n := len(c.Series); n > 0 {
			s.Dash, s.Width, s.Radius = "9 6", 2, 4
		}
		var line []string
		for _, p := range ev.Ladder {
			cp := chartPoint{X: c.x(p.Step, maxStep), Y: c.y(p.Exposure), ladderPoint: p, Env: ev.Label}
			s.Points = append(s.Points, cp)
			line = append(line, fmt.Sprintf("%.1f,%.1f", cp.X, cp.Y))
		}
		s.Line = strings.Join(line, " ")
		c.Series = append(c.Series, s)
	}
	return c
}

func ladderLabel(p ladderPoint) string {
	if p.Step == 0 {
		return "control"
	}
	if p.Directive != "" {
		return "+" + p.Directive
	}
	return fmt.Sprintf("step %d", p.Step)
}

func (c *ladderChart) x(step, maxStep int) float64 {
	if maxStep == 0 {
		return (c.Left + c.Right) / 2
	}
	return c.Left + float64(step)*(c.Right-c.Left)/float64(maxStep)
}

func (c *ladderChart) y(exposure float64) float64 {
	if exposure < 0 {
		exposure = 0
	}
	if exposure > chartMaxExposure {
		exposure = chartMaxExposure
	}
	return c.Bottom - exposure/chartMaxExposure*(c.Bottom-c.Top)
}

// bands turns systemd's levels into horizontal stripes: each level runs
// from its threshold up to the next level's.
func (c *ladderChart) bands() []chartBand {
	levels := levelBands()
	var out []chartBand
	for i, l := range levels {
		upTo := chartMaxExposure
		if i+1 < len(levels) {
			upTo = levels[i+1].From
		}
		if upTo <= l.From {
			continue // a single value (10.0 DANGEROUS) has no area to fill
		}
		top, bottom := c.y(upTo), c.y(l.From)
		b := chartBand{
			Level: l.Level, Y: top, H: bottom - top, Colour: l.Colour,
			LabelY: (top+bottom)/2 + 4, From: l.From, UpTo: upTo,
			RangeForReader: fmt.Sprintf("%.1f–%.1f", l.From, l.To),
		}
		b.ShowLabel = b.H >= chartMinLabelHeight
		out = append(out, b)
	}
	return out
}
