package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/bench"
	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

const benchUsage = `Usage: hardenlab bench [flags] [UNITFILE]
       hardenlab bench --score [--root DIR] [UNITFILE...]

Measures, in one run and one systemd, the same profiles two ways:
  naive      a shell loop, one profile after the other: systemd-run with
             the profile's directives (ExecStop= and Type= included, the
             demo's command for ExecStart=), wait for HTTP with curl,
             systemd-analyze security, systemctl stop (run inside the
             sandbox, timed by the loop itself)
  hardenlab  the matrix runner: the same start, wait, score and stop, plus
             the probes (each profile's own, all of them in the control),
             the exposure checks and the read-back, --jobs at a time; the
             score comes from hardenlab's scorer, and systemd-analyze
             checks it on the unit as written (--systemd-analyze)
and prints the time per profile of each, their ratio, hardenlab's peak
RSS, and the floor: the CPU time the demo service itself took per
profile in this run (python3's start and its answers), which any tool
pays, divided by the CPUs — the least a runner that only started the demo
could take per profile at this load. Every profile's score is compared
between the two ways.
UNITFILE defaults to the tutorial's hardened unit; the profiles are its
"single" matrix.

Examples:
  hardenlab bench
  hardenlab bench --jobs 3 --json fixtures/p3test-hardened.service
  hardenlab bench --score
  hardenlab bench --score --root $(hardenlab rootfs path debian:trixie)

Exit status: 0 measured, every score the same both ways; 1 some profile
or file scored differently (or a profile failed to run); 2 bad usage;
3 the sandbox, a tool or a download failed.

Flags:
`

func cmdBench(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.err)
	jobs := fs.Int("jobs", 3, "profiles hardenlab runs at once")
	mode := fs.String("mode", "single", "matrix mode of the profiles: "+strings.Join(profile.ModeNames(), ", "))
	kindFlag := fs.String("sandbox", "auto", "where systemd comes from: auto, host or nspawn")
	probeBin := fs.String("probe-bin", "", "the static hardenlab-probe binary (default: next to hardenlab)")
	allProbes := fs.Bool("all-probes", false, allProbesHelp)
	analyze := fs.String("systemd-analyze", string(run.AnalyzeUnit), analyzeHelp)
	asJSON := fs.Bool("json", false, "print the result as JSON (see README, Benchmarks)")
	scoreMode := fs.Bool("score", false, benchScoreHelp)
	var sf benchScoreFlags
	fs.StringVar(&sf.root, "root", "/", "with --score: the root whose systemd-analyze (chrooted) and stock units to use")
	fs.StringVar(&sf.debCache, "deb-cache", "", "with --score: where downloaded packages are kept (default /var/cache/hardenlab/debs)")
	fs.BoolVar(&sf.packages, "packages", true, "with --score and no files: add the Debian server packages' units")
	fs.IntVar(&sf.runs, "score-runs", 3, "with --score: whole comparisons to run, one after the other (their median ratio counts)")
	var svc serviceFlags
	svc.register(fs)
	fs.Usage = func() { fmt.Fprint(io.err, benchUsage); fs.PrintDefaults() }
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	if *scoreMode {
		sf.asJSON = *asJSON
		return cmdBenchScore(ctx, sf, fs.Args(), io)
	}
	path := "fixtures/p3test-hardened.service"
	if fs.NArg() == 1 {
		path = fs.Arg(0)
	} else if fs.NArg() > 1 {
		errorf(io, "bench takes at most one unit file")
		return exitUsage
	}
	kind, err := sandbox.ParseKind(*kindFlag)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	policy, err := run.ParseAnalyzePolicy(*analyze)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	choice, err := svc.resolve()
	if err == nil && svc.installed != "" {
		err = fmt.Errorf("bench takes a unit file, not --installed")
	}
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	u, err := directive.ParseFile(path)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	profiles, err := profile.Generate(u, *mode)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	bin, err := findProbeBinary(*probeBin)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	runID := newRunID()
	progress := newProgress(io.err)
	sb, err := sandbox.Start(ctx, sandbox.Options{Kind: kind, RunID: runID, Binaries: map[string]string{run.ProbeBinary: bin}, RootView: choice.view})
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = sb.Close(cctx)
	}()
	sd, err := systemd.Dial(ctx, sb.BusAddress)
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	defer sd.Close()

	progress.linef("naive loop: %d profiles, one at a time", len(profiles))
	basePort, err := behavior.FreePort()
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	naive, naiveWall, err := bench.RunNaive(ctx, sb, sd, runID, profiles, basePort)
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}

	progress.linef("hardenlab: %d profiles, %d at a time, with probes", len(profiles), *jobs)
	// The naive loop always runs the demo: it is the floor any tool pays.
	r, err := run.New(ctx, sb, run.Options{RunID: runID, Progress: func(string, ...any) {}, AllProbes: *allProbes, Analyze: policy,
		Service: choice.service, Health: choice.health})
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	defer r.Close(context.WithoutCancel(ctx))
	start := time.Now()
	records := r.RunAll(ctx, profiles, *jobs, nil)
	ours := time.Since(start)
	progress.done()
	if ctx.Err() != nil {
		return interruptedExit(ctx)
	}

	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	res := benchResult{
		Unit: path, Mode: *mode, Profiles: len(profiles), Jobs: *jobs, AllProbes: *allProbes, SystemdAnalyze: *analyze,
		SystemdVersion: sb.Env.SystemdVersion, Sandbox: string(sb.Env.Sandbox), CPUs: runtime.NumCPU(),
		NaiveWallMillis: float64(naiveWall.Milliseconds()), OursWallMillis: float64(ours.Milliseconds()),
		PeakRSSMiB: float64(ru.Maxrss) / 1024,
	}
	n := float64(len(profiles))
	res.NaivePerProfile = res.NaiveWallMillis / n
	res.OursPerProfile = res.OursWallMillis / n
	res.SpeedUp = res.NaivePerProfile / res.OursPerProfile
	if cpu, k := demoCPU(records); k > 0 {
		res.DemoCPUMillis = cpu
		res.FloorPerProfile = cpu / float64(res.CPUs)
		res.BestSpeedUp = res.NaivePerProfile / res.FloorPerProfile
	}
	for i, p := range profiles {
		row := benchRow{Profile: p.Name, NaiveExposure: "-", Exposure: "-"}
		if i < len(naive) {
			row.NaiveMillis, row.NaiveExposure = naive[i].Millis, naive[i].Exposure
		}
		rec := records[i]
		row.Millis, row.Error = rec.Timings.Total, rec.Error
		if rec.Schema != 0 && rec.Score.Level != "" {
			row.Exposure = fmt.Sprintf("%.1f", rec.Score.Exposure)
		}
		if row.Exposure != row.NaiveExposure {
			res.Mismatches = append(res.Mismatches, fmt.Sprintf("%s: naive %s, hardenlab %s", p.Name, row.NaiveExposure, row.Exposure))
		}
		res.Rows = append(res.Rows, row)
	}
	if *asJSON {
		if err := writeJSON(io.out, res); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	} else {
		res.writeText(io.out)
	}
	if len(res.Mismatches) > 0 {
		// Each one is a hardenlab bug (or a profile that failed to run).
		return exitFindings
	}
	return exitOK
}

// benchResult is what "hardenlab bench --json" prints.
type benchResult struct {
	Unit            string     `json:"unit"`
	Mode            string     `json:"mode"`
	Profiles        int        `json:"profiles"`
	Jobs            int        `json:"jobs"`
	AllProbes       bool       `json:"all_probes"`
	SystemdAnalyze  string     `json:"systemd_analyze"`
	SystemdVersion  string     `json:"systemd_version"`
	Sandbox         string     `json:"sandbox"`
	CPUs            int        `json:"cpus"`
	Rows            []benchRow `json:"rows"`
	NaiveWallMillis float64    `json:"naive_wall_ms"`
	NaivePerProfile float64    `json:"naive_per_profile_ms"`
	OursWallMillis  float64    `json:"hardenlab_wall_ms"`
	OursPerProfile  float64    `json:"hardenlab_per_profile_ms"`
	SpeedUp         float64    `json:"speed_up"`
	// DemoCPUMillis is the demo service's own CPU time per profile; over
	// the CPUs it is the floor no runner can beat on this machine.
	DemoCPUMillis   float64  `json:"demo_cpu_ms,omitempty"`
	FloorPerProfile float64  `json:"floor_per_profile_ms,omitempty"`
	BestSpeedUp     float64  `json:"best_possible_speed_up,omitempty"`
	PeakRSSMiB      float64  `json:"peak_rss_mib"`
	Mismatches      []string `json:"score_mismatches,omitempty"`
}

// benchRow is one profile, both ways.
type benchRow struct {
	Profile       string  `json:"profile"`
	NaiveMillis   float64 `json:"naive_ms"`
	NaiveExposure string  `json:"naive_exposure"`
	Millis        float64 `json:"hardenlab_ms"`
	Exposure      string  `json:"hardenlab_exposure"`
	Error         string  `json:"error,omitempty"`
}

func (b benchResult) writeText(w io.Writer) {
	fmt.Fprintf(w, "hardenlab bench — %s, %d profiles (%s), systemd %s (%s), %d CPUs\n\n",
		b.Unit, b.Profiles, b.Mode, b.SystemdVersion, b.Sandbox, b.CPUs)
	fmt.Fprintf(w, "%-36s %12s %10s %14s %8s\n", "PROFILE", "NAIVE ms", "NAIVE", "HARDENLAB ms", "OURS")
	for _, r := range b.Rows {
		fmt.Fprintf(w, "%-36s %12.0f %10s %14.0f %8s\n", r.Profile, r.NaiveMillis, r.NaiveExposure, r.Millis, r.Exposure)
	}
	fmt.Fprintf(w, "\nnaive loop   %8.0f ms wall, %6.0f ms per profile (start, HTTP wait, score, stop)\n", b.NaiveWallMillis, b.NaivePerProfile)
	probesRun := "each profile's probes"
	if b.AllProbes {
		probesRun = "all probes"
	}
	fmt.Fprintf(w, "hardenlab    %8.0f ms wall, %6.0f ms per profile (same + %s, exposure checks, read-back; --jobs %d)\n",
		b.OursWallMillis, b.OursPerProfile, probesRun, b.Jobs)
	fmt.Fprintf(w, "speed-up     %.2fx per profile\n", b.SpeedUp)
	if b.FloorPerProfile > 0 {
		fmt.Fprintf(w, "floor        %6.0f ms per profile: the demo service alone uses %.0f ms of CPU per profile, on %d CPUs; best possible speed-up %.2fx\n",
			b.FloorPerProfile, b.DemoCPUMillis, b.CPUs, b.BestSpeedUp)
	}
	fmt.Fprintf(w, "peak RSS     %.1f MiB (hardenlab process)\n", b.PeakRSSMiB)
	for _, m := range b.Mismatches {
		fmt.Fprintf(w, "MISMATCH     %s\n", m)
	}
}

// demoCPU is the mean CPU time of the demo service's main process over the
// records that measured it.
func demoCPU(records []report.Record) (mean float64, n int) {
	var sum float64
	for _, r := range records {
		if r.Behavior.CPUMillis > 0 {
			sum += r.Behavior.CPUMillis
			n++
		}
	}
	if n == 0 {
		return 0, 0
	}
	return sum / float64(n), n
}
