//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"golang.org/x/net/html"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
)

// The HTML report is checked the way a person sees it: rendered by a real
// browser (headless Chromium, Debian package "chromium"), screenshotted and
// its DOM read back. The matrices are committed real runs of
// fixtures/p3test-hardened.service (harness/report/testdata/README.md), so
// this spec needs no sandbox.
var _ = Describe("HTML report", Label("report"), func() {
	const windowW, windowH = 1400, 2000

	load := func(name string) report.Matrix {
		b, err := os.ReadFile(filepath.Join(repo, "harness", "report", "testdata", name))
		Expect(err).NotTo(HaveOccurred())
		var m report.Matrix
		Expect(json.Unmarshal(b, &m)).To(Succeed())
		return m
	}

	// render writes the page, has Chromium screenshot it and dump its DOM
	// in one run (a start costs seconds), and returns both.
	render := func(ctx context.Context, m report.Matrix) (image.Image, *html.Node, string) {
		browser, err := exec.LookPath("chromium")
		Expect(err).NotTo(HaveOccurred(), "headless Chromium is needed: apt-get install chromium (see .ci/setup)")
		dir := GinkgoT().TempDir()
		page := filepath.Join(dir, "report.html")
		var buf bytes.Buffer
		Expect(report.WriteHTML(&buf, m)).To(Succeed())
		Expect(os.WriteFile(page, buf.Bytes(), 0o644)).To(Succeed())
		shot := filepath.Join(dir, "report.png")
		cmd := exec.CommandContext(ctx, browser,
			"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--disable-component-update", "--no-first-run", "--disable-sync",
			"--disable-crash-reporter", "--disable-breakpad",
			"--user-data-dir="+filepath.Join(dir, "profile"),
			"--screenshot="+shot, fmt.Sprintf("--window-size=%d,%d", windowW, windowH),
			"--dump-dom", "file://"+page)
		// Chromium forks helpers; its own process group lets us end all of
		// them, also when the spec times out.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
		// Crash reports and caches go to the spec's temporary directory,
		// not to root's home.
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err = cmd.Run()
		if cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
		Expect(err).NotTo(HaveOccurred(), "chromium: %s", reportLastLines(stderr.String(), 15))
		f, err := os.Open(shot)
		Expect(err).NotTo(HaveOccurred(), "no screenshot; chromium said: %s", reportLastLines(stderr.String(), 15))
		defer f.Close()
		img, err := png.Decode(f)
		Expect(err).NotTo(HaveOccurred(), "the screenshot is not a PNG")
		doc, err := html.Parse(bytes.NewReader(stdout.Bytes()))
		Expect(err).NotTo(HaveOccurred())
		if dst := os.Getenv("HARDENLAB_REPORT_SCREENSHOT"); dst != "" {
			b, _ := os.ReadFile(shot)
			Expect(os.WriteFile(dst, b, 0o644)).To(Succeed())
		}
		return img, doc, stdout.String()
	}

	It("draws the ladder chart and the verdict heatmap in a real browser", func(ctx SpecContext) {
		m := load("matrix-p3test-hardened.json")
		img, doc, _ := render(ctx, m)

		By("checking the screenshot is a page, not a blank or a single colour")
		Expect(img.Bounds().Dx()).To(Equal(windowW))
		Expect(img.Bounds().Dy()).To(Equal(windowH))
		colours, line := reportPixels(img, reportSeriesColour(doc))
		Expect(colours).To(BeNumerically(">", 200), "distinct colours in the screenshot")
		// The ladder's polyline is 3 px wide across ~1000 px of chart.
		Expect(line).To(BeNumerically(">", 1500), "pixels of the ladder line's colour")

		By("reading the ladder chart back from the browser's DOM")
		chart := reportByID(doc, "ladder-chart")
		Expect(chart).NotTo(BeNil())
		points := reportFindAll(chart, func(n *html.Node) bool { return n.Data == "circle" && reportHasClass(n, "ladder-point") })
		want := reportLadder(m, "")
		Expect(len(want)).To(BeNumerically(">", 2))
		Expect(points).To(HaveLen(len(want)), "one point per ladder step plus the control")
		for i, p := range points {
			Expect(reportAttr(p, "data-step")).To(Equal(fmt.Sprint(want[i].Profile.Step)))
			Expect(reportAttr(p, "data-exposure")).To(Equal(fmt.Sprintf("%.1f", want[i].Score.Exposure)), "step %d", want[i].Profile.Step)
		}
		AddReportEntry("ladder", fmt.Sprintf("%s -> %s over %d steps",
			reportAttr(points[0], "data-exposure"), reportAttr(points[len(points)-1], "data-exposure"), len(points)-1))

		By("reading the heatmap: one cell per (directive, probe) the attribution judged")
		heat := reportByID(doc, "verdict-heatmap")
		Expect(heat).NotTo(BeNil())
		pairs := map[string]string{}
		for _, a := range m.Attribution {
			for p, v := range a.Verdicts {
				pairs[a.Directive+" × "+p] = v
			}
		}
		cells := reportFindAll(heat, func(n *html.Node) bool { _, ok := reportAttrOK(n, "data-verdict"); return ok && n.Data == "td" })
		Expect(cells).To(HaveLen(len(pairs)))
		for _, c := range cells {
			key := reportAttr(c, "data-directive") + " × " + reportAttr(c, "data-probe")
			Expect(reportAttr(c, "data-verdict")).To(Equal(pairs[key]), key)
		}
	}, NodeTimeout(3*time.Minute))

	It("shows two systemd versions side by side", func(ctx SpecContext) {
		m := load("matrix-two-environments.json")
		Expect(m.Environments).To(HaveLen(2))
		_, doc, _ := render(ctx, m)
		series := reportFindAll(reportByID(doc, "ladder-chart"), func(n *html.Node) bool { return reportHasClass(n, "ladder-series") })
		Expect(series).To(HaveLen(2), "one ladder line per environment")
		for i, s := range series {
			env := m.Environments[i].Name
			Expect(reportAttr(s, "data-environment")).To(Equal(env))
			points := reportFindAll(s, func(n *html.Node) bool { return reportHasClass(n, "ladder-point") })
			Expect(points).To(HaveLen(len(reportLadder(m, env))), env)
		}
		table := reportByID(doc, "env-comparison")
		Expect(table).NotTo(BeNil())
		rows := reportFindAll(table, func(n *html.Node) bool { return reportHasClass(n, "cmp-row") })
		Expect(rows).To(HaveLen(len(m.Directives)))
		// The page says a row differs exactly when the attribution does.
		for i, r := range rows {
			d := m.Directives[i]
			Expect(reportAttr(r, "data-directive")).To(Equal(d))
			Expect(reportAttr(r, "data-differs")).To(Equal(fmt.Sprint(reportDiffers(m, d))), d)
		}
	}, NodeTimeout(3*time.Minute))
})

// reportLadder is the control then the ladder steps of one environment.
func reportLadder(m report.Matrix, env string) []report.Record {
	var control, steps []report.Record
	for _, r := range m.Records {
		if env != "" && r.Environment.Name != env {
			continue
		}
		if env == "" && r.Environment.Name != m.Records[0].Environment.Name {
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

// reportDiffers compares a directive's attribution across
// environments: score changes, ladder exposure, verdicts, breakage.
func reportDiffers(m report.Matrix, directive string) bool {
	var seen []string
	for _, a := range m.Attribution {
		if a.Directive != directive {
			continue
		}
		keys := make([]string, 0, len(a.Verdicts))
		for p, v := range a.Verdicts {
			keys = append(keys, p+"="+v)
		}
		sort.Strings(keys)
		seen = append(seen, fmt.Sprintf("%s|%s|%s|%v|%s", reportNum(a.AloneDelta), reportNum(a.LadderExposure), strings.Join(keys, ","), a.BrokeService, ""))
	}
	for _, s := range seen[1:] {
		if s != seen[0] {
			return true
		}
	}
	return false
}

func reportNum(v *float64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *v)
}

// reportSeriesColour is the stroke of the first ladder line, as the page drew it.
func reportSeriesColour(doc *html.Node) [3]uint8 {
	lines := reportFindAll(doc, func(n *html.Node) bool { return n.Data == "polyline" && reportHasClass(n, "ladder-line") })
	Expect(lines).NotTo(BeEmpty())
	var c [3]uint8
	_, err := fmt.Sscanf(reportAttr(lines[0], "stroke"), "#%02x%02x%02x", &c[0], &c[1], &c[2])
	Expect(err).NotTo(HaveOccurred())
	return c
}

// reportPixels counts distinct colours and pixels close to want.
func reportPixels(img image.Image, want [3]uint8) (distinct, near int) {
	seen := map[[3]uint8]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
			seen[c] = true
			if reportAbsDiff(c[0], want[0]) < 24 && reportAbsDiff(c[1], want[1]) < 24 && reportAbsDiff(c[2], want[2]) < 24 {
				near++
			}
		}
	}
	return len(seen), near
}

func reportAbsDiff(a, b uint8) int {
	if a > b {
		return int(a - b)
	}
	return int(b - a)
}

func reportAttrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func reportAttr(n *html.Node, key string) string {
	v, _ := reportAttrOK(n, key)
	return v
}

func reportHasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(reportAttr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func reportFindAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n == nil {
			return
		}
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

func reportByID(doc *html.Node, id string) *html.Node {
	found := reportFindAll(doc, func(n *html.Node) bool { return reportAttr(n, "id") == id })
	if len(found) != 1 {
		return nil
	}
	return found[0]
}

func reportLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
