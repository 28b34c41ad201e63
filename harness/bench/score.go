package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/corpus"
	"github.com/hardenlab/hardenlab/harness/score"
)

// ScoreOptions says what the scorer benchmark compares.
type ScoreOptions struct {
	Hardenlab string   // the hardenlab binary, run once over all the files
	Root      string   // "/" for the host's systemd-analyze, else a root it is chrooted into
	Version   string   // systemd version to score with, as --systemd-version takes it
	Files     []string // unit files, host paths inside Root
}

// ScoreResult is one run of the scorer benchmark.
type ScoreResult struct {
	Root           string   `json:"root"`
	SystemdVersion string   `json:"systemd_version"`
	Units          int      `json:"units"`
	Compared       int      `json:"compared"`
	HardenlabMs    float64  `json:"hardenlab_ms"`          // the whole hardenlab process (median of 5 runs)
	AnalyzeMs      float64  `json:"systemd_analyze_ms"`    // all systemd-analyze processes
	HardenlabPerMs float64  `json:"hardenlab_per_unit_ms"` // HardenlabMs / Units
	AnalyzePerMs   float64  `json:"systemd_analyze_per_unit_ms"`
	SpeedUp        float64  `json:"speed_up"`
	Refused        []string `json:"refused,omitempty"`         // files hardenlab did not score, with the reason
	AnalyzeRefused []string `json:"analyze_refused,omitempty"` // files systemd-analyze did not score
	Mismatches     []string `json:"mismatches,omitempty"`      // files the two score differently
}

// scoredJSON is the part of `hardenlab score --json` this reads.
type scoredJSON struct {
	Path   string `json:"path"`
	Tenths *int   `json:"tenths"`
	Error  string `json:"error"`
}

// RunScore times `hardenlab score --offline` over all files in one process
// against one `systemd-analyze security --offline=true FILE` per file, and
// compares the overall exposure of every file both scored.
func RunScore(ctx context.Context, o ScoreOptions) (*ScoreResult, error) {
	if len(o.Files) == 0 {
		return nil, errors.New("benchmarking the scorer: no unit files")
	}
	res := &ScoreResult{Root: o.Root, SystemdVersion: o.Version, Units: len(o.Files)}
	// The one hardenlab process is a single sample against hundreds of
	// systemd-analyze ones, on a machine whose load varies: it runs
	// hardenlabRuns times spread over the systemd-analyze loop, and the
	// median counts.
	var ours []scoredJSON
	var runs []float64
	every := max(1, len(o.Files)/(hardenlabRuns-1))
	for i, f := range o.Files {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if i%every == 0 && len(runs) < hardenlabRuns-1 {
			got, took, err := scoreAll(ctx, o)
			if err != nil {
				return nil, err
			}
			ours, runs = got, append(runs, took)
		}
		theirs, took, err := analyzeOne(ctx, o.Root, f)
		res.AnalyzeMs += float64(took.Microseconds()) / 1000
		res.record(f, ours[i], theirs, err)
	}
	_, took, err := scoreAll(ctx, o)
	if err != nil {
		return nil, err
	}
	runs = append(runs, took)
	slices.Sort(runs)
	res.HardenlabMs = runs[len(runs)/2]
	res.HardenlabPerMs = res.HardenlabMs / float64(res.Units)
	res.AnalyzePerMs = res.AnalyzeMs / float64(res.Units)
	res.SpeedUp = res.AnalyzePerMs / res.HardenlabPerMs
	return res, nil
}

// record compares one file's two scores.
func (res *ScoreResult) record(f string, ours scoredJSON, theirs int, analyzeErr error) {
	switch {
	case analyzeErr != nil:
		res.AnalyzeRefused = append(res.AnalyzeRefused, fmt.Sprintf("%s: %v", f, analyzeErr))
	case ours.Tenths == nil:
		res.Refused = append(res.Refused, fmt.Sprintf("%s: %s", f, firstLine(ours.Error)))
	case *ours.Tenths != theirs:
		res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s: hardenlab %d, systemd-analyze %d (tenths)", f, *ours.Tenths, theirs))
	default:
		res.Compared++
	}
}

// hardenlabRuns is how many times the hardenlab process runs.
const hardenlabRuns = 5

// scoreAll is one hardenlab score process over every file, and how long
// it took in milliseconds.
func scoreAll(ctx context.Context, o ScoreOptions) ([]scoredJSON, float64, error) {
	args := append([]string{"score", "--offline", "--json=short", "--systemd-version", o.Version}, o.Files...)
	cmd := exec.CommandContext(ctx, o.Hardenlab, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	took := float64(time.Since(start).Microseconds()) / 1000
	var ours []scoredJSON
	if jerr := json.Unmarshal(out, &ours); jerr != nil || len(ours) != len(o.Files) {
		return nil, 0, fmt.Errorf("running hardenlab score: %v %v: %s", err, jerr, strings.TrimSpace(stderr.String()))
	}
	return ours, took, nil
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// analyzeOne is one systemd-analyze process for one file, its unit search
// path limited to the file's directory.
func analyzeOne(ctx context.Context, root, file string) (int, time.Duration, error) {
	inner := file
	argv := []string{"systemd-analyze"}
	if root != "/" && root != "" {
		rel, err := filepath.Rel(root, file)
		if err != nil || strings.HasPrefix(rel, "..") {
			return 0, 0, fmt.Errorf("not inside root %s", root)
		}
		inner = "/" + rel
		argv = []string{"chroot", root, "systemd-analyze"}
	}
	argv = append(argv, "security", "--offline=true", "--no-pager", inner)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "SYSTEMD_UNIT_PATH="+filepath.Dir(inner), "SYSTEMD_COLORS=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	took := time.Since(start)
	if err != nil {
		return 0, took, fmt.Errorf("%w: %s", err, firstLine(strings.TrimSpace(stderr.String())))
	}
	overall, err := score.ParseOverall(out)
	if err != nil || len(overall) != 1 {
		return 0, took, fmt.Errorf("reading its overall exposure: %v", err)
	}
	return overall[0], took, nil
}

// AnalyzeVersion asks the root's systemd-analyze for its version.
func AnalyzeVersion(ctx context.Context, root string) (score.Version, error) {
	argv := []string{"systemd-analyze", "--version"}
	if root != "/" && root != "" {
		argv = append([]string{"chroot", root}, argv...)
	}
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).Output()
	if err != nil {
		return 0, fmt.Errorf("running %s: %w", strings.Join(argv, " "), err)
	}
	first := strings.Fields(firstLine(string(out)))
	if len(first) < 2 || first[0] != "systemd" {
		return 0, fmt.Errorf("reading the version of systemd-analyze in %s: %q", root, firstLine(string(out)))
	}
	return score.ParseVersion(first[1])
}

// WriteCorpus writes the stock service units of root and, with packages,
// the units of corpus.ServerPackages() of root's release (fetched into
// cacheDir) into dir, one subdirectory per source, and returns the paths.
func WriteCorpus(ctx context.Context, root, dir, cacheDir string, packages bool) ([]string, error) {
	units, _, err := corpus.Stock(root)
	if err != nil {
		return nil, err
	}
	if packages {
		apt, err := aptOf(root, cacheDir)
		if err != nil {
			return nil, err
		}
		pkgUnits, _, err := apt.Units(ctx, corpus.ServerPackages())
		if err != nil {
			return nil, err
		}
		units = append(units, pkgUnits...)
	}
	var paths []string
	for _, u := range units {
		p := filepath.Join(dir, u.Source(), u.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("writing the corpus: %w", err)
		}
		if err := os.WriteFile(p, u.Text, 0o644); err != nil {
			return nil, fmt.Errorf("writing the corpus: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// aptOf fetches packages of root's release: the host's apt for "/", else
// apt with root's own sources.
func aptOf(root, cacheDir string) (corpus.Apt, error) {
	data, err := os.ReadFile(filepath.Join(root, "etc/os-release"))
	if err != nil {
		return corpus.Apt{}, fmt.Errorf("reading the release of %s: %w", root, err)
	}
	suite := ""
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VERSION_CODENAME="); ok {
			suite = strings.Trim(v, `"`)
		}
	}
	if suite == "" {
		return corpus.Apt{}, fmt.Errorf("reading the release of %s: no VERSION_CODENAME", root)
	}
	apt := corpus.Apt{Suite: suite, CacheDir: cacheDir}
	if root != "/" && root != "" {
		if apt.Sources, err = corpus.SourcesOf(root); err != nil {
			return corpus.Apt{}, err
		}
	}
	return apt, nil
}
