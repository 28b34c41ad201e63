package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

// The sample matrices are real runs (see testdata/README.md); every
// expectation below is computed from the matrix itself, never typed in.

func loadSample(t testing.TB, name string) Matrix {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m Matrix
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestVerdictStylesCoverEveryVerdict(t *testing.T) {
	want := probes.VerdictKinds()
	if looks := verdictLooks(); len(looks) != len(want) {
		t.Errorf("%d verdict looks for %d verdicts: a look for a verdict probes does not define", len(looks), len(want))
	}
	styles := verdictStyles()
	if len(styles) != len(want) {
		t.Fatalf("%d styles for %d verdicts", len(styles), len(want))
	}
	symbols, colours := map[string]bool{}, map[string]bool{}
	for i, s := range styles {
		if s.Verdict != string(want[i]) {
			t.Errorf("style %d is %q, want %q (the order reports count in)", i, s.Verdict, want[i])
		}
		if s.Symbol == "" || s.Meaning == "" || !regexp.MustCompile(`^#[0-9a-f]{6}$`).MatchString(s.Colour) {
			t.Errorf("style %q incomplete: %+v", s.Verdict, s)
		}
		if symbols[s.Symbol] || colours[s.Colour] {
			t.Errorf("style %q shares its symbol or colour with another verdict", s.Verdict)
		}
		symbols[s.Symbol], colours[s.Colour] = true, true
	}
}

func TestLevelBandsFollowTheScorer(t *testing.T) {
	bands := levelBands()
	colours := levelColours()
	if len(colours) != len(bands) {
		t.Errorf("%d level colours for %d levels", len(colours), len(bands))
	}
	// Contiguous, ascending, covering 0.0 to 10.0.
	if bands[0].From != 0 || bands[len(bands)-1].To != 10 {
		t.Errorf("bands cover %.1f..%.1f, want 0..10", bands[0].From, bands[len(bands)-1].To)
	}
	for i, b := range bands {
		if b.Colour == "" {
			t.Errorf("level %s has no colour", b.Level)
		}
		if i > 0 && tenthsOf(b.From) != tenthsOf(bands[i-1].To)+1 {
			t.Errorf("gap between %s and %s", bands[i-1].Level, b.Level)
		}
		for e := tenthsOf(b.From); e <= tenthsOf(b.To); e++ {
			if got := score.LevelWord(e); got != b.Level {
				t.Errorf("exposure %.1f: band says %s, scorer says %s", float64(e)/10, b.Level, got)
			}
		}
	}
	// The thresholds systemd-analyze security prints (src/analyze/analyze-security.c).
	for _, c := range []struct {
		exposure float64
		level    string
	}{{9.0, "UNSAFE"}, {8.9, "EXPOSED"}, {7.5, "EXPOSED"}, {7.4, "MEDIUM"}, {5.0, "MEDIUM"}, {4.9, "OK"}, {1.0, "OK"}, {0.9, "SAFE"}, {10, "DANGEROUS"}} {
		if got := bandOf(bands, c.exposure); got != c.level {
			t.Errorf("%.1f is in band %s, want %s", c.exposure, got, c.level)
		}
	}
}

func tenthsOf(e float64) int { return int(e*10 + 0.5) }

func bandOf(bands []levelBand, e float64) string {
	for _, b := range bands {
		if tenthsOf(e) >= tenthsOf(b.From) && tenthsOf(e) <= tenthsOf(b.To) {
			return b.Level
		}
	}
	return ""
}

func TestChartGeometry(t *testing.T) {
	m := loadSample(t, "matrix-p3test-hardened.json")
	v := newMatrixView(m)
	c := newLadderChart(v.Envs)
	if c == nil {
		t.Fatal("no chart for a matrix with a ladder")
	}
	if c.y(10) != c.Top || c.y(0) != c.Bottom || c.y(-1) != c.Bottom || c.y(11) != c.Top {
		t.Errorf("y axis does not map 0..10 onto the plot (clamped): y(0)=%v y(10)=%v", c.y(0), c.y(10))
	}
	pts := c.Series[0].Points
	for i := 1; i < len(pts); i++ {
		if pts[i].X <= pts[i-1].X {
			t.Errorf("step %d is not right of step %d", pts[i].Step, pts[i-1].Step)
		}
		if (pts[i].Exposure < pts[i-1].Exposure) != (pts[i].Y > pts[i-1].Y) && pts[i].Exposure != pts[i-1].Exposure {
			t.Errorf("step %d: lower exposure must be drawn lower", pts[i].Step)
		}
	}
	var sum float64
	for _, b := range c.Bands {
		sum += b.H
	}
	if d := sum - (c.Bottom - c.Top); d > 0.01 || d < -0.01 {
		t.Errorf("bands cover %.2f of the %.2f plot height", sum, c.Bottom-c.Top)
	}
	if newLadderChart(nil) != nil {
		t.Error("a chart without a ladder")
	}
}

// ladderOfRecords is what the chart must show: the control then each
// ladder step, in step order.
func ladderOfRecords(m Matrix, env string) []Record {
	var control []Record
	var steps []Record
	for _, r := range m.Records {
		if r.Environment.Name != env {
			continue
		}
		switch r.Profile.Kind {
		case profile.Control:
			control = append(control, r)
		case profile.Ladder:
			steps = append(steps, r)
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Profile.Step < steps[j].Profile.Step })
	return append(control, steps...)
}

func renderHTML(t testing.TB, m Matrix) (string, *html.Node) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteHTML(&buf, m); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.String(), doc
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attr(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

// findAll returns the elements under n that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func byID(doc *html.Node, id string) *html.Node {
	found := findAll(doc, func(n *html.Node) bool { v, _ := attr(n, "id"); return v == id })
	if len(found) != 1 {
		return nil
	}
	return found[0]
}

func TestHTMLLadderChartHasOnePointPerStep(t *testing.T) {
	for _, sample := range []string{"matrix-p3test-hardened.json", "matrix-two-environments.json"} {
		t.Run(sample, func(t *testing.T) {
			m := loadSample(t, sample)
			_, doc := renderHTML(t, m)
			chart := byID(doc, "ladder-chart")
			if chart == nil || chart.Data != "svg" {
				t.Fatal("no single <svg id=ladder-chart>")
			}
			series := findAll(chart, func(n *html.Node) bool { return hasClass(n, "ladder-series") })
			envs := viewEnvironmentNames(m)
			if len(series) != len(envs) {
				t.Fatalf("%d series for %d environments", len(series), len(envs))
			}
			for i, s := range series {
				env, _ := attr(s, "data-environment")
				want := ladderOfRecords(m, envs[i])
				points := findAll(s, func(n *html.Node) bool { return n.Data == "circle" && hasClass(n, "ladder-point") })
				if len(points) != len(want) || len(want) < 2 {
					t.Fatalf("%s: %d points, want %d (control + ladder steps)", env, len(points), len(want))
				}
				for j, p := range points {
					e, _ := attr(p, "data-exposure")
					step, _ := attr(p, "data-step")
					if e != fmt.Sprintf("%.1f", want[j].Score.Exposure) || step != fmt.Sprint(want[j].Profile.Step) {
						t.Errorf("%s point %d: step %s exposure %s, want step %d exposure %.1f", env, j, step, e, want[j].Profile.Step, want[j].Score.Exposure)
					}
				}
			}
			bands := findAll(chart, func(n *html.Node) bool { return hasClass(n, "level-band") })
			if len(bands) < 5 {
				t.Errorf("%d level bands drawn", len(bands))
			}
		})
	}
}

func TestHTMLHeatmapHasOneCellPerDirectiveProbe(t *testing.T) {
	m := loadSample(t, "matrix-two-environments.json")
	_, doc := renderHTML(t, m)
	heat := byID(doc, "verdict-heatmap")
	if heat == nil {
		t.Fatal("no #verdict-heatmap")
	}
	tables := findAll(heat, func(n *html.Node) bool { return n.Data == "table" })
	if len(tables) != len(m.Environments) {
		t.Fatalf("%d heatmap tables for %d environments", len(tables), len(m.Environments))
	}
	for _, table := range tables {
		env, _ := attr(table, "data-environment")
		want := map[string]string{}
		for _, a := range m.Attribution {
			if a.Environment == env {
				for p, v := range a.Verdicts {
					want[a.Directive+" × "+p] = v
				}
			}
		}
		cells := findAll(table, func(n *html.Node) bool { _, ok := attr(n, "data-verdict"); return ok })
		if len(cells) != len(want) || len(want) == 0 {
			t.Errorf("%s: %d verdict cells, want %d", env, len(cells), len(want))
		}
		for _, c := range cells {
			d, _ := attr(c, "data-directive")
			p, _ := attr(c, "data-probe")
			v, _ := attr(c, "data-verdict")
			if want[d+" × "+p] != v {
				t.Errorf("%s: cell %s × %s says %q, attribution %q", env, d, p, v, want[d+" × "+p])
			}
		}
		rows := findAll(table, func(n *html.Node) bool { _, ok := attr(n, "data-directive"); return n.Data == "tr" && ok })
		if len(rows) != len(m.Directives) {
			t.Errorf("%s: %d heatmap rows for %d directives", env, len(rows), len(m.Directives))
		}
		for i, r := range rows {
			if d, _ := attr(r, "data-directive"); d != m.Directives[i] {
				t.Errorf("%s: row %d is %s, want %s (m.Directives order)", env, i, d, m.Directives[i])
			}
		}
	}
	legend := byID(doc, "verdict-legend")
	if legend == nil || len(findAll(legend, func(n *html.Node) bool { _, ok := attr(n, "data-verdict"); return ok })) != len(verdictStyles()) {
		t.Error("the legend does not name every verdict")
	}
}

func TestHTMLExposureGridMatchesRecords(t *testing.T) {
	m := loadSample(t, "matrix-p3test-hardened.json")
	_, doc := renderHTML(t, m)
	grid := byID(doc, "exposure-grid")
	if grid == nil {
		t.Fatal("no #exposure-grid")
	}
	rows := findAll(grid, func(n *html.Node) bool { return hasClass(n, "profile-row") })
	if len(rows) != len(m.Records) {
		t.Fatalf("%d profile rows for %d records", len(rows), len(m.Records))
	}
	for i, row := range rows {
		r := m.Records[i]
		if name, _ := attr(row, "data-profile"); name != r.Profile.Name {
			t.Errorf("row %d is %s, want %s", i, name, r.Profile.Name)
		}
		cells := findAll(row, func(n *html.Node) bool { return hasClass(n, "expo-cell") })
		if len(cells) != len(r.Behavior.Exposures) {
			t.Errorf("%s: %d path cells, %d paths checked", r.Profile.Name, len(cells), len(r.Behavior.Exposures))
			continue
		}
		for j, e := range r.Behavior.Exposures {
			state, _ := attr(cells[j], "data-exposed")
			id, _ := attr(cells[j], "data-path-id")
			want := "hidden"
			if e.Exposed {
				want = "exposed"
			}
			if id != e.ID || state != want {
				t.Errorf("%s: cell %d is %s/%s, want %s/%s", r.Profile.Name, j, id, state, e.ID, want)
			}
		}
	}
}

func TestHTMLIsSelfContained(t *testing.T) {
	page, doc := renderHTML(t, loadSample(t, "matrix-two-environments.json"))
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		if n.Data == "script" || n.Data == "link" || n.Data == "img" || n.Data == "iframe" {
			t.Errorf("page has a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			if a.Key == "src" || a.Key == "href" || strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s %s=%q>: the page must not load or run anything", n.Data, a.Key, a.Val)
			}
		}
	}
	for _, bad := range []string{"http://", "https://", "url(", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, id := range []string{"summary", "ladder-chart", "verdict-heatmap", "env-comparison", "attribution", "exposure-grid", "lints", "environments"} {
		if byID(doc, id) == nil {
			t.Errorf("no unique element #%s", id)
		}
	}
}

func TestHTMLEscapesHostileNames(t *testing.T) {
	m := loadSample(t, "matrix-p3test-hardened.json")
	evil := `<script>alert(1)</script>"'|`
	m.Directives[0] = evil
	m.Attribution[0].Directive = evil
	m.Records[0].Profile.Name = evil
	m.Records[0].Lints = append(m.Records[0].Lints, Lint{ID: "x", Directive: evil, Message: evil + "\nsecond line"})
	page, doc := renderHTML(t, m)
	if len(findAll(doc, func(n *html.Node) bool { return n.Data == "script" })) != 0 {
		t.Error("a directive name became a <script> element")
	}
	if !strings.Contains(page, "&lt;script&gt;") {
		t.Error("the hostile name is not shown escaped")
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, m); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.Contains(line, "second line") && !strings.Contains(line, "alert(1)") {
			t.Error("a newline in a lint message split the Markdown line")
		}
		if strings.HasPrefix(line, "| `<script>") && strings.Contains(line, `"'|`+"`") {
			t.Errorf("unescaped | in a table cell: %s", line)
		}
	}
}

// markdownTable returns the rows of the first table after heading.
func markdownTable(t *testing.T, md, heading string) [][]string {
	t.Helper()
	i := strings.Index(md, heading)
	if i < 0 {
		t.Fatalf("no %q in the Markdown", heading)
	}
	var rows [][]string
	inTable := false
	for _, line := range strings.Split(md[i:], "\n")[1:] {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		if strings.HasPrefix(line, "|---") {
			continue
		}
		cells := regexp.MustCompile(`\s*(?:^|[^\\])\|\s*`).Split(strings.TrimSuffix(line, " |"), -1)[1:]
		rows = append(rows, cells)
	}
	return rows[1:] // without the header
}

func TestMarkdownDirectiveTable(t *testing.T) {
	m := loadSample(t, "matrix-p3test-hardened.json")
	var buf bytes.Buffer
	if err := WriteMarkdown(&buf, m); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	rows := markdownTable(t, md, "### Directives")
	if len(rows) != len(m.Directives) {
		t.Fatalf("%d directive rows for %d directives", len(rows), len(m.Directives))
	}
	for i, a := range m.Attribution {
		row := rows[i]
		if row[0] != "`"+a.Directive+"`" {
			t.Errorf("row %d is %s, want %s", i, row[0], a.Directive)
		}
		if row[1] != formatDelta(a.AloneDelta) || row[2] != formatDelta(a.LeaveOneOutDelta) || row[3] != formatExposure(a.LadderExposure) {
			t.Errorf("%s: Δ %s / %s / %s, attribution %s / %s / %s", a.Directive, row[1], row[2], row[3],
				formatDelta(a.AloneDelta), formatDelta(a.LeaveOneOutDelta), formatExposure(a.LadderExposure))
		}
		enforced := 0
		for _, v := range a.Verdicts {
			if v == string(probes.Enforced) {
				enforced++
			}
		}
		if !strings.HasPrefix(row[4], fmt.Sprint(enforced)) {
			t.Errorf("%s: enforced column %q, %d enforced", a.Directive, row[4], enforced)
		}
		if want := strings.Join(a.Hides, ", "); strings.TrimSpace(row[len(row)-1]) != want {
			t.Errorf("%s: hides %q, want %q", a.Directive, row[len(row)-1], want)
		}
	}
	profiles := markdownTable(t, md, "### Profiles")
	if len(profiles) != len(m.Records) {
		t.Errorf("%d profile rows for %d records", len(profiles), len(m.Records))
	}
	for i, r := range m.Records {
		if i < len(profiles) && profiles[i][2] != fmt.Sprintf("%.1f", r.Score.Exposure) {
			t.Errorf("%s: exposure %s, record %.1f", r.Profile.Name, profiles[i][2], r.Score.Exposure)
		}
	}
	if strings.Contains(md, "side by side") {
		t.Error("one environment, yet a comparison")
	}
	for _, l := range m.Records[len(m.Records)-1].Lints {
		if !strings.Contains(md, l.Message) {
			t.Errorf("lint %s missing", l.ID)
		}
	}
}

// withDifference changes what the second environment saw for one
// directive, as another systemd version might.
func withDifference(m Matrix) (Matrix, string) {
	second := m.Environments[1].Name
	for i, a := range m.Attribution {
		if a.Environment == second && len(a.Verdicts) > 0 {
			verdicts := map[string]string{}
			for p, v := range a.Verdicts {
				verdicts[p] = v
			}
			for p := range verdicts {
				verdicts[p] = string(probes.Inconclusive)
				break
			}
			m.Attribution[i].Verdicts = verdicts
			return m, a.Directive
		}
	}
	return m, ""
}

func TestComparisonHighlightsDifferences(t *testing.T) {
	m := loadSample(t, "matrix-two-environments.json")
	v := newMatrixView(m)
	// The two real runs agree on every directive; the view must say so.
	for _, r := range v.Comparison {
		if r.Differs {
			t.Errorf("%s differs in the real runs? %v", r.Directive, r.Differences)
		}
	}
	changed, directive := withDifference(loadSample(t, "matrix-two-environments.json"))
	if directive == "" {
		t.Fatal("sample has no verdict to change")
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, changed); err != nil {
		t.Fatal(err)
	}
	rows := markdownTable(t, md.String(), "## Environments side by side")
	marked := 0
	for _, r := range rows {
		if r[0] == "**≠**" {
			marked++
			if r[1] != "`"+directive+"`" || !strings.Contains(r[len(r)-1], "inconclusive") {
				t.Errorf("wrong row marked: %v", r)
			}
		}
	}
	if marked != 1 {
		t.Errorf("%d rows marked as differing, want 1", marked)
	}
	_, doc := renderHTML(t, changed)
	diff := findAll(doc, func(n *html.Node) bool { return hasClass(n, "differs") })
	if len(diff) != 1 {
		t.Fatalf("%d highlighted rows, want 1", len(diff))
	}
	if d, _ := attr(diff[0], "data-directive"); d != directive {
		t.Errorf("highlighted %s, want %s", d, directive)
	}
}

func TestBrokenServiceIsShown(t *testing.T) {
	m := loadSample(t, "matrix-p3test-hardened.json")
	m.Attribution[2].BrokeService = true
	for i := range m.Records {
		if m.Records[i].Profile.Kind == profile.Single && m.Records[i].Profile.Directive == m.Attribution[2].Directive {
			m.Records[i].Behavior.Started = false
			m.Records[i].Behavior.Error = "exited with status 226/NAMESPACE"
		}
	}
	var md bytes.Buffer
	if err := WriteMarkdown(&md, m); err != nil {
		t.Fatal(err)
	}
	rows := markdownTable(t, md.String(), "### Directives")
	if got := rows[2][len(rows[2])-2]; got != "**YES**" {
		t.Errorf("broke service column %q", got)
	}
	if !strings.Contains(md.String(), "**NO**: exited with status 226/NAMESPACE") {
		t.Error("the profile table does not say why the service did not start")
	}
}

func TestEmptyMatrixRendersAndSaysSo(t *testing.T) {
	var md, page bytes.Buffer
	if err := WriteMarkdown(&md, Matrix{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&page, Matrix{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "nothing ran") || !strings.Contains(page.String(), "nothing ran") {
		t.Error("an empty matrix is not called empty")
	}
	if !strings.Contains(page.String(), `id="ladder-chart-missing"`) {
		t.Error("no ladder, yet no note")
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWriteErrorsAreReturned(t *testing.T) {
	m := loadSample(t, "matrix-p3test-hardened.json")
	if err := WriteMarkdown(failingWriter{}, m); !errors.Is(err, errDiskFull) {
		t.Errorf("Markdown: %v", err)
	}
	if err := WriteHTML(failingWriter{}, m); !errors.Is(err, errDiskFull) {
		t.Errorf("HTML: %v", err)
	}
}

func BenchmarkWriteHTML(b *testing.B) {
	m := loadSample(b, "matrix-two-environments.json")
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteHTML(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}

func BenchmarkWriteMarkdown(b *testing.B) {
	m := loadSample(b, "matrix-two-environments.json")
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WriteMarkdown(&buf, m); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
