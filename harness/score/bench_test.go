package score

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score/internal/unitgen"
)

// benchCorpus writes n generated units and returns their paths.
func benchCorpus(b *testing.B, n int) []string {
	b.Helper()
	dir := b.TempDir()
	paths := make([]string, n)
	for i := range n {
		paths[i] = filepath.Join(dir, unitgen.Name(i))
		if err := os.WriteFile(paths[i], []byte(unitgen.Unit(1, i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return paths
}

// scoreFile is the whole in-process path: read, parse, resolve, score.
func scoreFile(path string, opts Options) (*Result, error) {
	u, err := directive.ParseFile(path)
	if err != nil {
		return nil, err
	}
	s, err := directive.Resolve(u.Service, u.DefaultDependencies)
	if err != nil {
		return nil, err
	}
	opts.UnitName = filepath.Base(path)
	return Score(s, opts)
}

// BenchmarkScoreInProcess: one unit file per op, read from disk, parsed,
// resolved and scored offline.
func BenchmarkScoreInProcess(b *testing.B) {
	paths := benchCorpus(b, 200)
	opts := Options{Version: V252, Offline: true}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := scoreFile(paths[i%len(paths)], opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScoreVsAnalyze scores each unit both ways in one run: in
// process, and with one `systemd-analyze security --offline=true FILE`
// per unit, and reports both per-unit times and the ratio.
//
//	go test -run '^$' -bench ScoreVsAnalyze -benchtime 200x ./harness/score/
func BenchmarkScoreVsAnalyze(b *testing.B) {
	tool, err := exec.LookPath("systemd-analyze")
	if err != nil {
		b.Skip("systemd-analyze not installed")
	}
	paths := benchCorpus(b, 200)
	opts := Options{Version: V252, Offline: true}
	const repeat = 20 // in-process runs per unit, to rise above timer noise
	var ours, theirs time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		p := paths[i%len(paths)]
		start := time.Now()
		for range repeat {
			if _, err := scoreFile(p, opts); err != nil {
				b.Fatal(err)
			}
		}
		ours += time.Since(start) / repeat
		start = time.Now()
		cmd := exec.CommandContext(context.Background(), tool, "security", "--offline=true", "--no-pager", p)
		cmd.Env = append(os.Environ(), "SYSTEMD_UNIT_PATH="+filepath.Dir(p))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", p, err, out)
		}
		theirs += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Nanoseconds())/n, "inprocess-ns/unit")
	b.ReportMetric(float64(theirs.Nanoseconds())/n, "analyze-ns/unit")
	b.ReportMetric(float64(theirs)/float64(ours), "x-faster")
}
