package bench

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
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
	// CorpusRoot is a root (inside Root) whose unit directory holds
	// exactly Files, under the names score --all lists them by: the
	// headline command runs `score --all --root CorpusRoot`.
	CorpusRoot string
	// Analyzed are the files systemd-analyze scores, one for each of
	// Files (nil: Files themselves).
	Analyzed []string
	Runs     int // whole comparisons, one after the other (0: 1)
}

// ScoreResult is the scorer benchmark: every run's times and ratios, the
// median run's figures at the top, and the exactness of every file.
type ScoreResult struct {
	Root           string  `json:"root"`
	SystemdVersion string  `json:"systemd_version"`
	Units          int     `json:"units"`
	Compared       int     `json:"compared"`
	Command        string  `json:"command"`      // the hardenlab command timed, files left out
	TextCommand    string  `json:"text_command"` // the same with text output, as a user runs it
	AnalyzeCommand string  `json:"analyze_command"`
	HardenlabMs    float64 `json:"hardenlab_ms"`          // of the median run
	AnalyzeMs      float64 `json:"systemd_analyze_ms"`    // of the median run
	HardenlabPerMs float64 `json:"hardenlab_per_unit_ms"` // HardenlabMs / Units
	AnalyzePerMs   float64 `json:"systemd_analyze_per_unit_ms"`
	SpeedUp        float64 `json:"speed_up"` // median of the runs' ratios
	SpeedUpMin     float64 `json:"speed_up_min"`
	SpeedUpMax     float64 `json:"speed_up_max"`
	TextSpeedUp    float64 `json:"text_speed_up"` // median ratio for the text command
	AllCommand     string  `json:"all_command"`
	AllUnits       int     `json:"all_units"` // services score --all found in the root
	AllSpeedUp     float64 `json:"all_speed_up"`
	// The headline: score --all over a root that holds every unit file.
	CorpusCommand    string     `json:"corpus_all_command"`
	CorpusUnits      int        `json:"corpus_all_units"`    // units it scored
	CorpusCompared   int        `json:"corpus_all_compared"` // of them, scored the same as systemd-analyze scores the file
	CorpusSpeedUp    float64    `json:"corpus_all_speed_up"` // median of the runs' ratios
	CorpusSpeedUpMin float64    `json:"corpus_all_speed_up_min"`
	CorpusSpeedUpMax float64    `json:"corpus_all_speed_up_max"`
	Runs             []ScoreRun `json:"runs"`
	Refused          []string   `json:"refused,omitempty"`         // files hardenlab did not score, with the reason
	AnalyzeRefused   []string   `json:"analyze_refused,omitempty"` // files systemd-analyze did not score
	Mismatches       []string   `json:"mismatches,omitempty"`      // files the two score differently
}

// ScoreRun is one whole comparison: both sides timed in the same window
// of time, so that their ratio holds whatever the machine's load.
type ScoreRun struct {
	HardenlabMs     float64 `json:"hardenlab_ms"`      // median of hardenlabRuns processes
	HardenlabTextMs float64 `json:"hardenlab_text_ms"` // the same, text output
	AllMs           float64 `json:"hardenlab_all_ms"`  // score --all --root: the root's installed services by name
	AllPerMs        float64 `json:"hardenlab_all_per_unit_ms"`
	AllSpeedUp      float64 `json:"all_speed_up"`
	CorpusMs        float64 `json:"hardenlab_corpus_all_ms"` // score --all --root over the corpus root
	CorpusPerMs     float64 `json:"hardenlab_corpus_all_per_unit_ms"`
	CorpusSpeedUp   float64 `json:"corpus_all_speed_up"`
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
	if len(o.Files) == 0 || o.CorpusRoot == "" || (o.Analyzed != nil && len(o.Analyzed) != len(o.Files)) {
		return nil, errors.New("benchmarking the scorer: no unit files, no corpus root holding them, or not one file for systemd-analyze each")
	}
	res := &ScoreResult{Root: o.Root, SystemdVersion: o.Version, Units: len(o.Files),
		Command:        "hardenlab " + strings.Join(scoreArgs(o, true), " ") + " FILE...",
		TextCommand:    "hardenlab " + strings.Join(scoreArgs(o, false), " ") + " FILE...",
		AllCommand:     "hardenlab " + strings.Join(allArgs(o, o.Root), " "),
		CorpusCommand:  "hardenlab " + strings.Join(allArgs(o, "SCRATCH"), " "),
		AnalyzeCommand: "SYSTEMD_UNIT_PATH=$(dirname FILE) systemd-analyze security --offline=true --no-pager FILE, once per FILE"}
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
	slices.SortFunc(runs, func(a, b ScoreRun) int { return cmp.Compare(a.CorpusSpeedUp, b.CorpusSpeedUp) })
	res.CorpusSpeedUp, res.CorpusSpeedUpMin, res.CorpusSpeedUpMax = runs[len(runs)/2].CorpusSpeedUp, runs[0].CorpusSpeedUp, runs[len(runs)-1].CorpusSpeedUp
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
	var s samples
	every := max(1, len(o.Files)/hardenlabRuns)
	for i, f := range o.Files {
		if ctx.Err() != nil {
			return run, ctx.Err()
		}
		if i%every == 0 && len(s.json) < hardenlabRuns {
			if err := s.take(ctx, o); err != nil {
				return run, err
			}
			res.AllUnits, res.CorpusUnits = s.allUnits, len(s.corpus)
		}
		analyzed := f
		if o.Analyzed != nil {
			analyzed = o.Analyzed[i]
		}
		theirs, took, err := analyzeOne(ctx, o.Root, analyzed)
		run.AnalyzeMs += float64(took.Microseconds()) / 1000
		if first {
			res.record(f, s.files[i], theirs, err)
			res.recordAll(f, s.corpus, theirs, err)
		}
	}
	if first {
		res.recordUnlisted(o.Files, s.corpus)
	}
	units := float64(len(o.Files))
	run.HardenlabMs, run.HardenlabTextMs = median(s.json), median(s.text)
	run.HardenlabPerMs, run.TextPerMs, run.AnalyzePerMs = run.HardenlabMs/units, run.HardenlabTextMs/units, run.AnalyzeMs/units
	run.SpeedUp, run.TextSpeedUp = run.AnalyzePerMs/run.HardenlabPerMs, run.AnalyzePerMs/run.TextPerMs
	run.AllMs = median(s.all)
	run.AllPerMs = run.AllMs / float64(max(1, res.AllUnits))
	run.AllSpeedUp = run.AnalyzePerMs / run.AllPerMs
	run.CorpusMs = median(s.corpusMs)
	run.CorpusPerMs = run.CorpusMs / float64(max(1, res.CorpusUnits))
	run.CorpusSpeedUp = run.AnalyzePerMs / run.CorpusPerMs
	run.Load += " -> " + loadAvg()
	return run, nil
}

// samples are one run's hardenlab timings and the last answers.
type samples struct {
	json, text, all, corpusMs []float64
	files                     []scoredJSON          // the JSON command's, in file order
	corpus                    map[string]scoredJSON // --all over the corpus root, by unit name
	allUnits                  int                   // services --all found in the real root
}

// take times each hardenlab command once.
func (s *samples) take(ctx context.Context, o ScoreOptions) error {
	files, took, err := scoreAll(ctx, o, true)
	if err != nil {
		return err
	}
	_, textTook, err := scoreAll(ctx, o, false)
	if err != nil {
		return err
	}
	installed, allTook, err := scoreInstalled(ctx, o, o.Root)
	if err != nil {
		return err
	}
	corpus, corpusTook, err := scoreInstalled(ctx, o, o.CorpusRoot)
	if err != nil {
		return err
	}
	s.files, s.allUnits, s.corpus = files, len(installed), map[string]scoredJSON{}
	for _, u := range corpus {
		s.corpus[u.Path] = u
	}
	s.json, s.text = append(s.json, took), append(s.text, textTook)
	s.all, s.corpusMs = append(s.all, allTook), append(s.corpusMs, corpusTook)
	return nil
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

// recordAll compares --all's score of the unit named after file with
// systemd-analyze's of the file; a refusal by either is recorded once,
// by record.
func (res *ScoreResult) recordAll(f string, corpus map[string]scoredJSON, theirs int, analyzeErr error) {
	ours, ok := corpus[filepath.Base(f)]
	switch {
	case !ok || analyzeErr != nil:
	case ours.Tenths == nil:
		res.Refused = append(res.Refused, fmt.Sprintf("--all %s: %s", ours.Path, firstLine(ours.Error)))
	case *ours.Tenths != theirs:
		res.Mismatches = append(res.Mismatches, fmt.Sprintf("--all %s: hardenlab %d, systemd-analyze %d (tenths)", ours.Path, *ours.Tenths, theirs))
	default:
		res.CorpusCompared++
	}
}

// recordUnlisted names the files --all over the corpus root did not
// score, and the units it scored that are no file: the corpus root holds
// exactly the files, so either is a difference in listing.
func (res *ScoreResult) recordUnlisted(files []string, corpus map[string]scoredJSON) {
	names := map[string]bool{}
	for _, f := range files {
		names[filepath.Base(f)] = true
		if _, ok := corpus[filepath.Base(f)]; !ok {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("--all %s: not listed", filepath.Base(f)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(corpus)) {
		if !names[name] {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("--all %s: listed, but no such file", name))
		}
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

// allArgs is `score --all` over a root's installed services, which it
// finds by name as systemctl --root would (JSON, to read the scores).
func allArgs(o ScoreOptions, root string) []string {
	return []string{"score", "--offline", "--systemd-version", o.Version, "--json=short", "--all", "--root", root}
}

// scoreInstalled is one `hardenlab score --all --root root` process: the
// units it scored, by the name it lists them under, and how long it
// took in milliseconds.
func scoreInstalled(ctx context.Context, o ScoreOptions, root string) ([]scoredJSON, float64, error) {
	data, took, err := timeHardenlab(ctx, o.Hardenlab, allArgs(o, root))
	if err != nil {
		return nil, 0, err
	}
	var units []scoredJSON
	if err := json.Unmarshal(data, &units); err != nil || len(units) == 0 {
		return nil, 0, fmt.Errorf("reading hardenlab score --all --root %s's output: %d units, %v", root, len(units), err)
	}
	return units, took, nil
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

// CorpusUnits are the stock service units of root and, with packages,
// the units of corpus.ServerPackages() of root's release (fetched into
// cacheDir), the stock ones first.
func CorpusUnits(ctx context.Context, root, cacheDir string, packages bool) ([]corpus.Unit, error) {
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
	return units, nil
}

// FileUnits reads unit files given by path, each named after its file.
func FileUnits(files []string) ([]corpus.Unit, error) {
	units := make([]corpus.Unit, 0, len(files))
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("reading the unit files: %w", err)
		}
		units = append(units, corpus.Unit{Name: filepath.Base(f), Origin: f, Text: text})
	}
	return units, nil
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
