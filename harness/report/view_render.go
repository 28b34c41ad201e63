package report

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

// The Markdown and HTML reports show the same facts; matrixView derives
// them once from a Matrix so that the two renderers cannot disagree.

// verdictStyle is how one probe verdict is drawn.
type verdictStyle struct {
	Verdict string
	Symbol  string // shown in every cell so colour is not the only cue
	Colour  string
	Meaning string
}

// verdictStyles draws every verdict probes defines, in the order the
// reports count them; a verdict without a look of its own is still drawn.
func verdictStyles() []verdictStyle {
	looks := verdictLooks()
	kinds := probes.VerdictKinds()
	styles := make([]verdictStyle, 0, len(kinds))
	for _, k := range kinds {
		s, ok := looks[k]
		if !ok {
			s = unknownVerdictStyle(string(k))
		}
		s.Verdict = string(k)
		styles = append(styles, s)
	}
	return styles
}

// verdictLooks is how each verdict is drawn.
func verdictLooks() map[probes.VerdictKind]verdictStyle {
	return map[probes.VerdictKind]verdictStyle{
		probes.Enforced:     {Symbol: "✓", Colour: "#2e7d32", Meaning: "allowed under control, blocked under the profile"},
		probes.NotEnforced:  {Symbol: "✗", Colour: "#c62828", Meaning: "allowed under both: declared, scored, does nothing here"},
		probes.Inconclusive: {Symbol: "?", Colour: "#9e9e9e", Meaning: "blocked under control too: this environment forbids it anyway"},
		probes.BrokeService: {Symbol: "!", Colour: "#6a1b9a", Meaning: "the unit failed to start or the demo stopped answering HTTP"},
		probes.VerdictError: {Symbol: "E", Colour: "#ef6c00", Meaning: "the probe itself failed"},
	}
}

// unknownVerdictStyle draws a verdict this version of the report does not
// know, as it is.
func unknownVerdictStyle(v string) verdictStyle {
	return verdictStyle{Verdict: v, Symbol: "•", Colour: "#000000", Meaning: "a verdict this version of hardenlab does not know"}
}

// verdictOrder lists the verdicts that occur in counts: the known ones in
// the order reports count them, then any others sorted, never dropped.
func verdictOrder(counts map[string]int) []string {
	var order []string
	known := map[string]bool{}
	for _, k := range probes.VerdictKinds() {
		known[string(k)] = true
		if counts[string(k)] > 0 {
			order = append(order, string(k))
		}
	}
	var unknown []string
	for v, n := range counts {
		if !known[v] && n > 0 {
			unknown = append(unknown, v)
		}
	}
	sort.Strings(unknown)
	return append(order, unknown...)
}

// verdictCounts is "3 enforced, 1 inconclusive" for a list of verdicts.
func verdictCounts(verdicts []string) string {
	counts := map[string]int{}
	for _, v := range verdicts {
		counts[v]++
	}
	var parts []string
	for _, v := range verdictOrder(counts) {
		parts = append(parts, fmt.Sprintf("%d %s", counts[v], v))
	}
	return strings.Join(parts, ", ")
}

// levelColours colours systemd's exposure levels the way
// systemd-analyze security highlights them (red, yellow, plain, green).
func levelColours() map[string]string {
	return map[string]string{
		"DANGEROUS": "#b71c1c",
		"UNSAFE":    "#e53935",
		"EXPOSED":   "#f9a825",
		"MEDIUM":    "#757575",
		"OK":        "#43a047",
		"SAFE":      "#2e7d32",
		"PERFECT":   "#1b5e20",
	}
}

// seriesColours tells environments apart in the ladder chart.
func seriesColours() []string {
	return []string{"#1565c0", "#d84315", "#6a1b9a", "#00838f", "#5d4037"}
}

// levelBand is a range of exposure that systemd names with one word.
type levelBand struct {
	Level    string
	From, To float64 // exposure, From < To except for a single-value band
	Colour   string
}

// levelBands derives the bands from the scorer's own level table, so the
// chart can never drift from the words systemd prints.
func levelBands() []levelBand {
	colours := levelColours()
	var bands []levelBand
	for tenths := 0; tenths <= 100; tenths++ {
		word := score.LevelWord(tenths)
		e := float64(tenths) / 10
		if n := len(bands); n > 0 && bands[n-1].Level == word {
			bands[n-1].To = e
			continue
		}
		bands = append(bands, levelBand{Level: word, From: e, To: e, Colour: colours[word]})
	}
	return bands
}

type matrixView struct {
	Title            string
	Source           string
	Mode             string
	RunID            string
	Profiles         int
	WallSeconds      float64
	PerProfileMillis float64
	Jobs             int
	Incomplete       bool
	Directives       []string
	Envs             []envView
	// Comparison has one row per directive when there is more than one
	// environment.
	Comparison []comparisonRow
	Verdicts   []verdictStyle
	Bands      []levelBand
}

// Multi says whether environments are compared side by side.
func (v matrixView) Multi() bool { return len(v.Envs) > 1 }

type envView struct {
	Name   string // Environment.Name as recorded, possibly empty
	Label  string // what a reader sees
	Colour string
	Env    Environment
	// Control and Full are nil when the matrix has no such profile.
	Control *Record
	Full    *Record
	Ladder  []ladderPoint
	Rows    []directiveRow
	// HeatProbes are the heatmap's columns: every probe that judged a
	// directive, in the order the directives first name them.
	HeatProbes []string
	PathIDs    []exposureColumn
	ProfileRow []profileRow
	Lints      []Lint
	Notes      []string // what a reader must know about this environment's data
}

// ladderPoint is one step of the tutorial's "add one directive, read the
// score": step 0 is the control.
type ladderPoint struct {
	Step      int
	Directive string
	Profile   string
	Exposure  float64
	Level     string
}

type directiveRow struct {
	Directive   string
	Attributed  bool
	Alone       *float64
	LeaveOneOut *float64
	Ladder      *float64
	Groups      []verdictGroup
	Cells       []heatCell
	Broke       bool
	Hides       []string
}

type verdictGroup struct {
	Verdict string
	Probes  []string
}

// heatCell is one (directive, probe) pair; Verdict is empty where the probe
// does not judge the directive.
type heatCell struct {
	Probe   string
	Verdict string
}

type exposureColumn struct {
	ID   string
	Path string // with the run-specific part as one record had it
}

type profileRow struct {
	Name       string
	Kind       string
	Step       int
	Directive  string
	Scored     bool
	Exposure   float64
	Level      string
	Started    bool
	HTTPStatus int
	Exposed    []string
	Cells      []exposureCell
	Error      string
	// Outcome is the behavior finding ("serves", "unreachable", ...);
	// Effective ("effective 5.2 MEDIUM") and Discounts the effective
	// exposure, as EffectiveSummary and EffectiveDiscounts word them.
	Outcome   string
	Effective string
	Discounts []string
}

// exposureCell says what the service handed out for one sensitive path:
// "exposed", "hidden", or "unknown" when it was not checked.
type exposureCell struct {
	ID     string
	Path   string
	State  string
	Status int
}

type comparisonRow struct {
	Directive string
	Cells     []comparisonCell
	Differs   bool
	// Differences say in words what is not the same everywhere.
	Differences []string
}

type comparisonCell struct {
	Env      string
	Present  bool
	Alone    *float64
	Ladder   *float64
	Verdicts map[string]string
	Broke    bool
}

// newMatrixView derives everything the reports show. It never fails: a
// matrix with missing parts is shown with those parts marked missing.
func newMatrixView(m Matrix) matrixView {
	v := matrixView{
		Title:            "hardenlab matrix",
		Source:           m.Source,
		Mode:             m.Mode,
		RunID:            m.RunID,
		Profiles:         len(m.Records),
		WallSeconds:      m.WallMillis / 1000,
		PerProfileMillis: m.PerProfileMillis,
		Jobs:             m.Jobs,
		Incomplete:       m.Incomplete,
		Directives:       m.Directives,
		Verdicts:         verdictStyles(),
		Bands:            levelBands(),
	}
	if m.Source != "" {
		v.Title += ": " + m.Source
	}
	for i, name := range viewEnvironmentNames(m) {
		v.Envs = append(v.Envs, newEnvView(m, name, seriesColours()[i%len(seriesColours())]))
	}
	if v.Multi() {
		v.Comparison = compareEnvironments(m.Directives, v.Envs)
	}
	return v
}

// viewEnvironmentNames lists environments as the matrix declares them,
// then any that only records name.
func viewEnvironmentNames(m Matrix) []string {
	var names []string
	seen := map[string]bool{}
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, e := range m.Environments {
		add(e.Name)
	}
	for _, r := range m.Records {
		add(r.Environment.Name)
	}
	for _, a := range m.Attribution {
		add(a.Environment)
	}
	// A declared environment without records or attribution is shown
	// only when it is the only one, to say that nothing ran.
	if len(names) > 1 {
		var used []string
		for _, n := range names {
			if viewHasData(m, n) {
				used = append(used, n)
			}
		}
		if len(used) > 0 {
			names = used
		}
	}
	return names
}

func viewHasData(m Matrix, env string) bool {
	for _, r := range m.Records {
		if r.Environment.Name == env {
			return true
		}
	}
	for _, a := range m.Attribution {
		if a.Environment == env {
			return true
		}
	}
	return false
}

func newEnvView(m Matrix, name, colour string) envView {
	ev := envView{Name: name, Colour: colour}
	var recs []*Record
	for i := range m.Records {
		if m.Records[i].Environment.Name == name {
			recs = append(recs, &m.Records[i])
		}
	}
	envKnown := false
	for _, e := range m.Environments {
		if e.Name == name {
			ev.Env, envKnown = e, true
			break
		}
	}
	if !envKnown && len(recs) > 0 {
		ev.Env = recs[0].Environment
	}
	ev.Label = environmentLabel(ev.Env)

	for _, r := range recs {
		switch r.Profile.Kind {
		case profile.Control:
			if ev.Control == nil {
				ev.Control = r
			}
		case profile.Full:
			if ev.Full == nil {
				ev.Full = r
			}
		}
	}
	ev.Ladder, ev.Notes = ladderOf(recs, ev.Control)
	if ev.Full == nil && len(ev.Ladder) > 1 {
		// The last ladder step applies every directive: it is the full set.
		last := ev.Ladder[len(ev.Ladder)-1]
		for _, r := range recs {
			if r.Profile.Kind == profile.Ladder && r.Profile.Name == last.Profile {
				ev.Full = r
			}
		}
	}

	attr := map[string]*Attribution{}
	for i := range m.Attribution {
		a := &m.Attribution[i]
		if a.Environment == name {
			attr[a.Directive] = a
		}
	}
	probeSeen := map[string]bool{}
	for _, d := range m.Directives {
		row := directiveRow{Directive: d}
		if a := attr[d]; a != nil {
			row.Attributed = true
			row.Alone, row.LeaveOneOut, row.Ladder = a.AloneDelta, a.LeaveOneOutDelta, a.LadderExposure
			row.Broke = a.BrokeService
			row.Hides = a.Hides
			row.Groups = groupVerdicts(a.Verdicts)
			ids := make([]string, 0, len(a.Verdicts))
			for id := range a.Verdicts {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				if !probeSeen[id] {
					probeSeen[id] = true
					ev.HeatProbes = append(ev.HeatProbes, id)
				}
			}
		}
		ev.Rows = append(ev.Rows, row)
	}
	for i := range ev.Rows {
		row := &ev.Rows[i]
		verdicts := map[string]string{}
		if a := attr[row.Directive]; a != nil {
			verdicts = a.Verdicts
		}
		for _, id := range ev.HeatProbes {
			row.Cells = append(row.Cells, heatCell{Probe: id, Verdict: verdicts[id]})
		}
	}

	ev.PathIDs = exposureColumns(recs)
	for _, r := range recs {
		ev.ProfileRow = append(ev.ProfileRow, newProfileRow(r, ev.PathIDs))
	}
	ev.Lints = distinctLints(recs)
	if len(recs) == 0 {
		ev.Notes = append(ev.Notes, "no profile records for this environment")
	}
	return ev
}

// environmentLabel names an environment for a reader even when the run
// did not name it.
func environmentLabel(e Environment) string {
	if e.Name != "" {
		return e.Name
	}
	parts := []string{}
	if e.Sandbox != "" {
		parts = append(parts, string(e.Sandbox))
	}
	if e.SystemdVersion != "" {
		parts = append(parts, "systemd "+e.SystemdVersion)
	}
	if len(parts) == 0 {
		return "unnamed environment"
	}
	return strings.Join(parts, ", ")
}

// ladderOf orders the ladder's steps after the control (step 0). Steps
// whose score is unknown are left out and said so: a chart point at a
// made-up height would lie.
func ladderOf(recs []*Record, control *Record) ([]ladderPoint, []string) {
	var steps []*Record
	for _, r := range recs {
		if r.Profile.Kind == profile.Ladder {
			steps = append(steps, r)
		}
	}
	if len(steps) == 0 {
		return nil, nil
	}
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Profile.Step < steps[j].Profile.Step })
	var points []ladderPoint
	var notes []string
	add := func(step int, r *Record) {
		if r.Score.Error != "" || r.Score.Level == "" {
			notes = append(notes, fmt.Sprintf("ladder step %d (%s) has no score: %s", step, r.Profile.Name, orDefault(r.Score.Error, "not scored")))
			return
		}
		points = append(points, ladderPoint{Step: step, Directive: r.Profile.Directive, Profile: r.Profile.Name, Exposure: r.Score.Exposure, Level: r.Score.Level})
	}
	if control != nil {
		add(0, control)
	} else {
		notes = append(notes, "the ladder has no control profile to start from")
	}
	for _, r := range steps {
		add(r.Profile.Step, r)
	}
	return points, notes
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func groupVerdicts(verdicts map[string]string) []verdictGroup {
	byVerdict := map[string][]string{}
	counts := map[string]int{}
	for id, v := range verdicts {
		byVerdict[v] = append(byVerdict[v], id)
		counts[v]++
	}
	var groups []verdictGroup
	for _, v := range verdictOrder(counts) {
		ids := byVerdict[v]
		sort.Strings(ids)
		groups = append(groups, verdictGroup{Verdict: v, Probes: ids})
	}
	return groups
}

// verdictSummary is "3 enforced, 1 inconclusive".
func verdictSummary(groups []verdictGroup) string {
	if len(groups) == 0 {
		return "no probes"
	}
	parts := make([]string, 0, len(groups))
	for _, g := range groups {
		parts = append(parts, fmt.Sprintf("%d %s", len(g.Probes), g.Verdict))
	}
	return strings.Join(parts, ", ")
}

// exposureColumns lists the sensitive paths checked in any record, by their
// stable id, in the order the records list them.
func exposureColumns(recs []*Record) []exposureColumn {
	var cols []exposureColumn
	seen := map[string]bool{}
	for _, r := range recs {
		for _, e := range r.Behavior.Exposures {
			if !seen[e.ID] {
				seen[e.ID] = true
				cols = append(cols, exposureColumn{ID: e.ID, Path: e.Path})
			}
		}
	}
	return cols
}

func newProfileRow(r *Record, cols []exposureColumn) profileRow {
	row := profileRow{
		Name:       r.Profile.Name,
		Kind:       r.Profile.Kind,
		Step:       r.Profile.Step,
		Directive:  r.Profile.Directive,
		Scored:     r.Score.Error == "" && r.Score.Level != "",
		Exposure:   r.Score.Exposure,
		Level:      r.Score.Level,
		Started:    r.Behavior.Started,
		HTTPStatus: r.Behavior.HTTPStatus,
		Error:      r.Error,
		Outcome:    r.Behavior.Outcome,
		Discounts:  EffectiveDiscounts(r.Effective),
	}
	if r.Effective != nil {
		row.Effective = effectivePart(r.Effective)
	}
	if row.Error == "" && !r.Behavior.Started {
		row.Error = r.Behavior.Error
	}
	byID := map[string]int{}
	for i, e := range r.Behavior.Exposures {
		byID[e.ID] = i
		if e.Exposed {
			row.Exposed = append(row.Exposed, e.ID)
		}
	}
	for _, c := range cols {
		cell := exposureCell{ID: c.ID, Path: c.Path, State: "unknown"}
		if i, ok := byID[c.ID]; ok {
			e := r.Behavior.Exposures[i]
			cell.Path, cell.Status = e.Path, e.Status
			cell.State = "hidden"
			if e.Exposed {
				cell.State = "exposed"
			}
		}
		row.Cells = append(row.Cells, cell)
	}
	return row
}

func distinctLints(recs []*Record) []Lint {
	var out []Lint
	seen := map[string]bool{}
	for _, r := range recs {
		for _, l := range r.Lints {
			k := l.ID + "\x00" + l.Directive
			if !seen[k] {
				seen[k] = true
				out = append(out, l)
			}
		}
	}
	return out
}

// compareEnvironments puts each directive's score and verdicts side by side
// and says in words what differs.
func compareEnvironments(directives []string, envs []envView) []comparisonRow {
	var rows []comparisonRow
	for i, d := range directives {
		row := comparisonRow{Directive: d}
		for _, ev := range envs {
			cell := comparisonCell{Env: ev.Label, Verdicts: map[string]string{}}
			if i < len(ev.Rows) && ev.Rows[i].Attributed {
				r := ev.Rows[i]
				cell.Present = true
				cell.Alone, cell.Ladder, cell.Broke = r.Alone, r.Ladder, r.Broke
				for _, g := range r.Groups {
					for _, p := range g.Probes {
						cell.Verdicts[p] = g.Verdict
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		row.Differences = cellDifferences(row.Cells)
		row.Differs = len(row.Differences) > 0
		rows = append(rows, row)
	}
	return rows
}

func cellDifferences(cells []comparisonCell) []string {
	var diffs []string
	side := func(f func(c comparisonCell) string) string {
		parts := make([]string, len(cells))
		for i, c := range cells {
			parts[i] = f(c) + " (" + c.Env + ")"
		}
		return strings.Join(parts, " vs ")
	}
	allSame := func(f func(c comparisonCell) string) bool {
		for _, c := range cells[1:] {
			if f(c) != f(cells[0]) {
				return false
			}
		}
		return true
	}
	present := func(c comparisonCell) string {
		if c.Present {
			return "measured"
		}
		return "not measured"
	}
	if !allSame(present) {
		return []string{side(present)}
	}
	if !cells[0].Present {
		return nil
	}
	alone := func(c comparisonCell) string { return formatDelta(c.Alone) }
	if !allSame(alone) {
		diffs = append(diffs, "alone Δ "+side(alone))
	}
	ladder := func(c comparisonCell) string { return formatExposure(c.Ladder) }
	if !allSame(ladder) {
		diffs = append(diffs, "ladder "+side(ladder))
	}
	broke := func(c comparisonCell) string {
		if c.Broke {
			return "broke the service"
		}
		return "service ok"
	}
	if !allSame(broke) {
		diffs = append(diffs, side(broke))
	}
	probeSet := map[string]bool{}
	for _, c := range cells {
		for p := range c.Verdicts {
			probeSet[p] = true
		}
	}
	ids := make([]string, 0, len(probeSet))
	for p := range probeSet {
		ids = append(ids, p)
	}
	sort.Strings(ids)
	for _, p := range ids {
		verdict := func(c comparisonCell) string { return orDefault(c.Verdicts[p], "not run") }
		if !allSame(verdict) {
			diffs = append(diffs, p+": "+side(verdict))
		}
	}
	return diffs
}

// formatDelta prints a score change in tenths, signed so that a reader
// sees at once which way it went; rounding first avoids "-0.0".
func formatDelta(d *float64) string {
	if d == nil {
		return "–"
	}
	v := math.Round(*d*10) / 10
	if v == 0 {
		return "0.0"
	}
	return fmt.Sprintf("%+.1f", v)
}

func formatExposure(e *float64) string {
	if e == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f", *e)
}
