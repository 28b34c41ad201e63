package run

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/report"
)

// analyzer is systemd-analyze as the sandbox has it.
const analyzer = "/usr/bin/systemd-analyze"

var overallRE = regexp.MustCompile(`Overall exposure level for \S+: (\d+\.\d) ([A-Z]+)`)

// analyze asks the systemd under test for the running unit's exposure. It
// runs systemd-analyze inside the sandbox as a oneshot unit of its own —
// the one way that works the same for the host's systemd and a
// container's — once as text (for the overall number, which the JSON form
// omits) and once as JSON with the debug fields (for each check).
func (r *Runner) analyze(ctx context.Context, profile, target string) report.Score {
	name := r.UnitName(profile, "-score")
	unitOut, hostOut := r.outFile(name + ".txt")
	defer os.Remove(hostOut)
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
		{Name: "StandardOutputFileToAppend", Value: dbusVariant(unitOut)},
		{Name: "StandardError", Value: dbusVariant("journal")},
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10e9)
		defer cancel()
		_ = r.sd.Stop(sctx, name)
	}()
	if err := r.sd.StartTransient(ctx, name, props); err != nil {
		return report.Score{Error: fmt.Sprintf("running systemd-analyze security: %v; %s", err, strings.Join(r.journalTail(name, 5), " | "))}
	}
	data, err := os.ReadFile(hostOut)
	if err != nil {
		return report.Score{Error: fmt.Sprintf("reading systemd-analyze output: %v", err)}
	}
	sc, err := parseAnalyze(string(data))
	if err != nil {
		return report.Score{Error: err.Error()}
	}
	return sc
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
		var rows []struct {
			Set         *bool   `json:"set"`
			Name        string  `json:"name"`
			JSONField   string  `json:"json_field"`
			Description *string `json:"description"`
			Exposure    *string `json:"exposure"`
			Weight      *uint64 `json:"weight"`
			Badness     *uint64 `json:"badness"`
			Range       *uint64 `json:"range"`
		}
		if err := json.Unmarshal([]byte(line), &rows); err != nil {
			return sc, fmt.Errorf("parsing systemd-analyze --json output: %w", err)
		}
		for _, r := range rows {
			c := report.Check{ID: r.JSONField, Name: r.Name, Set: r.Set, Weight: r.Weight, Badness: r.Badness, Range: r.Range}
			if r.Description != nil {
				c.Description = *r.Description
			}
			if r.Exposure != nil {
				c.Exposure = *r.Exposure
			}
			sc.Checks = append(sc.Checks, c)
		}
	}
	return sc, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
