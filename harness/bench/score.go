package bench

import (
	"bytes"
	"cmp"
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
	Runs      int      // whole comparisons, one after the other (0: 1)
}

// ScoreResult is the scorer benchmark: every run's times and ratios, the
// median run's figures at the top, and the exactness of every file.
type ScoreResult struct {
	Root           string     `json:"root"`
	SystemdVersion string     `json:"systemd_version"`
	Units          int        `json:"units"`
	Compared       int        `json:"compared"`
	Command        string     `json:"command"`      // the hardenlab command timed, files left out
	TextCommand    string     `json:"text_command"` // the same with text output, as a user runs it
	AnalyzeCommand string     `json:"analyze_command"`
	HardenlabMs    float64    `json:"hardenlab_ms"`          // of the median run
	AnalyzeMs      float64    `json:"systemd_analyze_ms"`    // of the median run
	HardenlabPerMs float64    `json:"hardenlab_per_unit_ms"` // HardenlabMs / Units
	AnalyzePerMs   float64    `json:"systemd_analyze_per_unit_ms"`
	SpeedUp        float64    `json:"speed_up"` // median of the runs' ratios
	SpeedUpMin     float64    `json:"speed_up_min"`
	SpeedUpMax     float64    `json:"speed_up_max"`
	TextSpeedUp    float64    `json:"text_speed_up"` // median ratio for the text command
	AllCommand     string     `json:"all_command"`
	AllUnits       int        `json:"all_units"` // services score --all found in the root
	AllSpeedUp     float64    `json:"all_speed_up"`
	Runs           []ScoreRun `json:"runs"`
	Refused        []string   `json:"refused,omitempty"`         // files hardenlab did not score, with the reason
	AnalyzeRefused []string   `json:"analyze_refused,omitempty"` // files systemd-analyze did not score
	Mismatches     []string   `json:"mismatches,omitempty"`      // files the two score differently
}

// ScoreRun is one whole comparison: both sides timed in the same window
// of time, so that their ratio holds whatever the machine's load.
type ScoreRun struct {
	HardenlabMs     float64 `json:"hardenlab_ms"`      // median of hardenlabRuns processes
	HardenlabTextMs float64 `json:"hardenlab_text_ms"` // the same, text output
	AllMs           float64 `json:"hardenlab_all_ms"`  // score --all --root: the root's installed services by name
	AllPerMs        float64 `json:"hardenlab_all_per_unit_ms"`
	AllSpeedUp      float64 `json:"all_speed_up"`
	AnalyzeMs       float64 `json:"systemd_analyze_ms"`
	HardenlabPerMs  float64 `json:"hardenlab_per_unit_ms"`
	TextPerMs       float64 `json:"hardenlab_text_per_unit_ms"`
	AnalyzePerMs    float64 `json:"systemd_analyze_per_unit_ms"`
	SpeedUp         float64 `json:"speed_up"`
	TextSpeedUp     float64 `json:"text_speed_up"`
	Load            string  `json:"load"` // /proc/loadavg's 1-minute figure before and after
}

// scoredJSON is the part of `hardenlab score --json` this reads.
type scoredJSON struct {
	Path   string `json:"path"`
	Tenths *int   `json:"tenths"`
	Error  string `json:"error"`
}

// RunScore times `hardenlab score --offline` over all files in one process
// against one `systemd-analyze security --offline=true FILE` per file, Runs
// times, and compares the overall exposure of every file both scored.
func RunScore(ctx context.Context, o ScoreOptions) (*ScoreResult, error) {
	if len(o.Files) == 0 {
		return nil, errors.New("benchmarking the scorer: no unit files")
	}
	res := &ScoreResult{Root: o.Root, SystemdVersion: o.Version, Units: len(o.Files),
		Command:        "hardenlab " + strings.Join(scoreArgs(o, true), " ") + " FILE...",
		TextCommand:    "hardenlab " + strings.Join(scoreArgs(o, false), " ") + " FILE...",
		AllCommand:     "hardenlab " + strings.Join(allArgs(o), " "),
		AnalyzeCommand: "systemd-analyze security --offline=true --no-pager FILE, once per FILE"}
	for range max(1, o.Runs) {
		run, err := res.runOnce(ctx, o)
		if err != nil {
			return nil, err
		}
		res.Runs = append(res.Runs, run)
	}
	runs := slices.Clone(res.Runs)
	slices.SortFunc(runs, func(a, b ScoreRun) int { return cmp.Compare(a.SpeedUp, b.SpeedUp) })
	mid := runs[len(runs)/2]
	res.HardenlabMs, res.AnalyzeMs, res.HardenlabPerMs, res.AnalyzePerMs = mid.HardenlabMs, mid.AnalyzeMs, mid.HardenlabPerMs, mid.AnalyzePerMs
	res.SpeedUp, res.SpeedUpMin, res.SpeedUpMax = mid.SpeedUp, runs[0].SpeedUp, runs[len(runs)-1].SpeedUp
	slices.SortFunc(runs, func(a, b ScoreRun) int { return cmp.Compare(a.TextSpeedUp, b.TextSpeedUp) })
	res.TextSpeedUp = runs[len(runs)/2].TextSpeedUp
	slices.SortFunc(runs, func(a, b ScoreRun) int { return cmp.Compare(a.AllSpeedUp, b.AllSpeedUp) })
	res.AllSpeedUp = runs[len(runs)/2].AllSpeedUp
	return res, nil
}

// runOnce is one comparison. The one hardenlab process is a single sample
// against hundreds of systemd-analyze ones, on a machine whose load
// varies: each hardenlab command runs hardenlabRuns times spread over the
// systemd-analyze loop, and the median counts. Only the first run records
// the exactness of the files (the answers do not change between runs).
func (res *ScoreResult) runOnce(ctx context.Context, o ScoreOptions) (ScoreRun, error) {
	first := len(res.Runs) == 0
	run := ScoreRun{Load: loadAvg()}
	var ours []scoredJSON
	var jsonMs, textMs, allMs []float64
	every := max(1, len(o.Files)/hardenlabRuns)
	for i, f := range o.Files {
		if ctx.Err() != nil {
			return run, ctx.Err()
		}
		if i%every == 0 && len(jsonMs) < hardenlabRuns {
			got, took, err := scoreAll(ctx, o, true)
			if err != nil {
				return run, err
			}
			_, textTook, err := scoreAll(ctx, o, false)
			if err != nil {
				return run, err
			}
			n, allTook, err := scoreInstalled(ctx, o)
			if err != nil {
				return run, err
			}
			ours, jsonMs, textMs, allMs = got, append(jsonMs, took), append(textMs, textTook), append(allMs, allTook)
			res.AllUnits = n
		}
		theirs, took, err := analyzeOne(ctx, o.Root, f)
		run.AnalyzeMs += float64(took.Microseconds()) / 1000
		if first {
			res.record(f, ours[i], theirs, err)
		}
	}
	units := float64(len(o.Files))
	run.HardenlabMs, run.HardenlabTextMs = median(jsonMs), median(textMs)
	run.HardenlabPerMs, run.TextPerMs, run.AnalyzePerMs = run.HardenlabMs/units, run.HardenlabTextMs/units, run.AnalyzeMs/units
	run.SpeedUp, run.TextSpeedUp = run.AnalyzePerMs/run.HardenlabPerMs, run.AnalyzePerMs/run.TextPerMs
	run.AllMs = median(allMs)
	run.AllPerMs = run.AllMs / float64(max(1, res.AllUnits))
	run.AllSpeedUp = run.AnalyzePerMs / run.AllPerMs
	run.Load += " -> " + loadAvg()
	return run, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// loadAvg is the 1-minute load average, "?" where it cannot be read.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(data)); err == nil && len(fields) > 0 {
		return fields[0]
	}
	return "?"
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

// hardenlabRuns is how many times each hardenlab command runs per run.
const hardenlabRuns = 5

// scoreArgs is the score command timed: --json=short (what the bench
// reads back to compare), or the default text a user reads.
func scoreArgs(o ScoreOptions, asJSON bool) []string {
	args := []string{"score", "--offline", "--systemd-version", o.Version}
	if asJSON {
		args = append(args, "--json=short")
	}
	return args
}

// allArgs is `score --all` over the root's installed services, which it
// finds by name as systemctl --root would (JSON, to count them).
func allArgs(o ScoreOptions) []string {
	return []string{"score", "--offline", "--systemd-version", o.Version, "--json=short", "--all", "--root", o.Root}
}

// scoreInstalled is one `hardenlab score --all` process: how many units
// it scored and how long it took in milliseconds.
func scoreInstalled(ctx context.Context, o ScoreOptions) (int, float64, error) {
	data, took, err := timeHardenlab(ctx, o.Hardenlab, allArgs(o))
	if err != nil {
		return 0, 0, err
	}
	var units []scoredJSON
	if err := json.Unmarshal(data, &units); err != nil || len(units) == 0 {
		return 0, 0, fmt.Errorf("reading hardenlab score --all's output: %d units, %v", len(units), err)
	}
	return len(units), took, nil
}

// scoreAll is one hardenlab score process over every file, and how long
// it took in milliseconds.
func scoreAll(ctx context.Context, o ScoreOptions, asJSON bool) ([]scoredJSON, float64, error) {
	data, took, err := timeHardenlab(ctx, o.Hardenlab, append(scoreArgs(o, asJSON), o.Files...))
	if err != nil || !asJSON {
		return nil, took, err
	}
	var ours []scoredJSON
	if err := json.Unmarshal(data, &ours); err != nil || len(ours) != len(o.Files) {
		return nil, 0, fmt.Errorf("reading hardenlab score's output: %d of %d files, %v", len(ours), len(o.Files), err)
	}
	return ours, took, nil
}

// timeHardenlab runs one hardenlab process and returns its output and how
// long it took in milliseconds. The output goes to a file, as "> out.json"
// sends it: a pipe would time the benchmark's own reading too.
func timeHardenlab(ctx context.Context, binary string, args []string) ([]byte, float64, error) {
	out, err := os.CreateTemp("", "hardenlab-bench-score-")
	if err != nil {
		return nil, 0, fmt.Errorf("running hardenlab %s: %w", args[0], err)
	}
	defer os.Remove(out.Name())
	defer out.Close()
	cmd := exec.CommandContext(ctx, binary, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = out, &stderr
	start := time.Now()
	err = cmd.Run()
	took := float64(time.Since(start).Microseconds()) / 1000
	var exit *exec.ExitError
	// Exit 2 is score's "some unit could not be scored": its output still
	// holds every unit, the failed ones with their error.
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 2) {
		return nil, 0, fmt.Errorf("running hardenlab %s: %w: %s", strings.Join(args[:min(len(args), 8)], " "), err, strings.TrimSpace(stderr.String()))
	}
	data, err := os.ReadFile(out.Name())
	if err != nil {
		return nil, 0, fmt.Errorf("reading hardenlab's output: %w", err)
	}
	return data, took, nil
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
