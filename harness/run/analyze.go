package run

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
)

// analyzer is systemd-analyze as the sandbox has it.
const analyzer = "/usr/bin/systemd-analyze"

var overallRE = regexp.MustCompile(`Overall exposure level for \S+: (\d+\.\d) ([A-Z]+)`)

// AnalyzePolicy says which profiles systemd-analyze security scores besides
// hardenlab's own scorer.
type AnalyzePolicy string

const (
	// AnalyzeUnit has systemd-analyze score the unit as written (the
	// matrix's "full" profile, or a plain run's unit) and hardenlab's scorer
	// every profile: one cross-check per run at the cost of one.
	AnalyzeUnit AnalyzePolicy = "unit"
	// AnalyzeAll has systemd-analyze score every profile.
	AnalyzeAll AnalyzePolicy = "all"
	// AnalyzeNone leaves scoring to hardenlab's scorer alone.
	AnalyzeNone AnalyzePolicy = "none"
)

// AnalyzePolicies are the policies in the order --help lists them.
func AnalyzePolicies() []AnalyzePolicy { return []AnalyzePolicy{AnalyzeUnit, AnalyzeAll, AnalyzeNone} }

// ParseAnalyzePolicy reads a --systemd-analyze value.
func ParseAnalyzePolicy(s string) (AnalyzePolicy, error) {
	for _, p := range AnalyzePolicies() {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("--systemd-analyze: unknown value %q (want unit, all or none)", s)
}

const (
	sourceAnalyze   = "systemd-analyze"
	sourceHardenlab = "hardenlab"
)

// score scores the running unit as the plan says.
func (r *Runner) score(ctx context.Context, pl plan) report.Score {
	sp := pl.score
	if sp.analyze {
		return r.analyze(ctx, pl)
	}
	ours, err := score.Score(pl.profile.Settings, score.Options{Version: sp.version, UnitName: pl.unit})
	if err != nil {
		// Not a reason to give up on the profile: systemd can still say.
		sc := r.analyze(ctx, pl)
		sc.Disagreements = append(sc.Disagreements, "hardenlab's scorer failed: "+err.Error())
		return sc
	}
	sc := report.Score{
		Exposure: ours.Exposure, Level: ours.Level, Source: sourceHardenlab,
		Ours: &report.OwnScore{Exposure: ours.Exposure, Level: ours.Level, Mode: "online", Version: sp.version.String()},
	}
	sc.Checks = reportChecks(ours.Checks)
	return sc
}

// wantsAnalyze says whether the policy has systemd-analyze score p.
func wantsAnalyze(policy AnalyzePolicy, p Profile) bool {
	switch policy {
	case AnalyzeAll:
		return true
	case AnalyzeNone:
		return false
	}
	return p.Kind == profile.Full || p.Kind == ""
}

// analyze asks the systemd under test for the running unit's exposure. It
// runs systemd-analyze inside the sandbox as a oneshot unit of its own —
// the one way that works the same for the host's systemd and a
// container's — once as text (for the overall number, which the JSON form
// omits) and once as JSON with the debug fields (for each check).
func (r *Runner) analyze(ctx context.Context, pl plan) report.Score {
	sp, target := pl.score, pl.unit
	defer os.Remove(sp.hostOut)
	props := []sdbus.Property{
		sdbus.PropDescription("hardenlab score of " + target),
		sdbus.PropType("oneshot"),
		// Both commands append to one file: "file:" would make the second
		// overwrite the first from offset 0.
		{Name: "ExecStart", Value: dbusVariant([]execCommand{
			{Path: analyzer, Args: []string{analyzer, "security", "--no-pager", target}},
			{Path: analyzer, Args: []string{analyzer, "security", "--no-pager", "--json=short", target}},
		})},
		{Name: "Environment", Value: dbusVariant([]string{"SYSTEMD_ANALYZE_DEBUG=1", "SYSTEMD_COLORS=0", "LANG=C.UTF-8"})},
		{Name: "StandardOutputFileToAppend", Value: dbusVariant(sp.unitOut)},
		{Name: "StandardError", Value: dbusVariant("journal")},
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10e9)
		defer cancel()
		_ = r.sd.Stop(sctx, sp.unit)
	}()
	if err := r.sd.StartTransient(ctx, sp.unit, props); err != nil {
		return report.Score{Error: fmt.Sprintf("running systemd-analyze security: %v; %s", err, strings.Join(r.journalTail(sp.unit, 5), " | "))}
	}
	data, err := os.ReadFile(sp.hostOut)
	if err != nil {
		return report.Score{Error: fmt.Sprintf("reading systemd-analyze output: %v", err)}
	}
	sc, err := parseAnalyze(string(data))
	if err != nil {
		return report.Score{Error: err.Error()}
	}
	sc.Source = sourceAnalyze
	compareScorer(&sc, pl, string(data))
	return sc
}

// compareScorer scores the same settings with hardenlab's own scorer, in
// online mode for the systemd under test, and records every disagreement
// with systemd's answer: each one is a hardenlab bug.
func compareScorer(sc *report.Score, pl plan, analyzeOut string) {
	sp := pl.score
	if sp.versionErr != nil {
		sc.Disagreements = append(sc.Disagreements, "hardenlab's scorer does not model systemd "+pl.systemd+": "+sp.versionErr.Error())
		return
	}
	ours, err := score.Score(pl.profile.Settings, score.Options{Version: sp.version, UnitName: pl.unit})
	if err != nil {
		sc.Disagreements = append(sc.Disagreements, "hardenlab's scorer failed: "+err.Error())
		return
	}
	sc.Ours = &report.OwnScore{Exposure: ours.Exposure, Level: ours.Level, Mode: "online", Version: sp.version.String()}
	if ours.Tenths != int(math.Round(sc.Exposure*10)) || ours.Level != sc.Level {
		sc.Disagreements = append(sc.Disagreements, fmt.Sprintf("overall: ours %.1f %s, systemd %.1f %s", ours.Exposure, ours.Level, sc.Exposure, sc.Level))
	}
	for _, line := range strings.Split(analyzeOut, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "[") {
			continue
		}
		theirs, err := score.ParseAnalyzeJSON([]byte(line))
		if err != nil || len(theirs) != 1 {
			continue
		}
		for _, d := range score.Compare(ours.Checks, theirs[0]) {
			if d.Field == "description" || d.Field == "exposure" {
				continue // wording and per-row rounding are shown, not scored
			}
			sc.Disagreements = append(sc.Disagreements, d.String())
		}
	}
}

func leadingNumber(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// execCommand is the a(sasb) element of ExecStart.
type execCommand struct {
	Path          string
	Args          []string
	IgnoreFailure bool
}

// parseAnalyze reads the text table's summary line and the JSON rows.
func parseAnalyze(out string) (report.Score, error) {
	var sc report.Score
	m := overallRE.FindStringSubmatch(out)
	if m == nil {
		return sc, fmt.Errorf("systemd-analyze printed no overall exposure: %q", firstLine(out))
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return sc, fmt.Errorf("parsing exposure %q: %w", m[1], err)
	}
	sc.Exposure, sc.Level = v, m[2]
	s := bufio.NewScanner(strings.NewReader(out))
	s.Buffer(make([]byte, 1<<20), 16<<20)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if !strings.HasPrefix(line, "[") {
			continue
		}
		units, err := score.ParseAnalyzeJSON([]byte(line))
		if err != nil {
			return sc, fmt.Errorf("parsing systemd-analyze --json output: %w", err)
		}
		for _, rows := range units {
			sc.Checks = append(sc.Checks, reportChecks(rows)...)
		}
	}
	return sc, nil
}

// reportChecks turns score rows — systemd-analyze's, parsed, or
// hardenlab's own — into the record's form, so both read alike.
func reportChecks(rows []score.Check) []report.Check {
	out := make([]report.Check, 0, len(rows))
	for _, r := range rows {
		c := report.Check{ID: r.ID, Name: r.Name, Set: r.Set, Description: r.Description}
		if r.Range != 0 {
			w, rg, b := r.Weight, r.Range, r.Badness
			c.Weight, c.Range, c.Badness = &w, &rg, &b
		}
		if r.Exposure > 0 {
			c.Exposure = strconv.FormatFloat(r.Exposure, 'f', 1, 64)
		}
		out = append(out, c)
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
