package main

import (
	"context"
	"flag"
	"fmt"
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
RSS, and the floor: the CPU time the demo service itself takes per
profile (python3's start and its answers), which any tool pays, divided by
the CPUs — no runner can do better per profile on this machine. Every
profile's score is compared between the two ways.
UNITFILE defaults to the tutorial's hardened unit; the profiles are its
"single" matrix.

Flags:
`

func cmdBench(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.err)
	jobs := fs.Int("jobs", 4, "profiles hardenlab runs at once")
	mode := fs.String("mode", "single", "matrix mode of the profiles: "+strings.Join(profile.ModeNames(), ", "))
	kindFlag := fs.String("sandbox", "auto", "where systemd comes from: auto, host or nspawn")
	probeBin := fs.String("probe-bin", "", "the static hardenlab-probe binary (default: next to hardenlab)")
	allProbes := fs.Bool("all-probes", false, allProbesHelp)
	analyze := fs.String("systemd-analyze", string(run.AnalyzeUnit), analyzeHelp)
	fs.Usage = func() { fmt.Fprint(io.err, benchUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
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
	if _, err := run.ParseAnalyzePolicy(*analyze); err != nil {
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
	sb, err := sandbox.Start(ctx, sandbox.Options{Kind: kind, RunID: runID, Binaries: map[string]string{run.ProbeBinary: bin}})
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
	r, err := run.New(ctx, sb, run.Options{RunID: runID, Progress: func(string, ...any) {}, AllProbes: *allProbes, Analyze: run.AnalyzePolicy(*analyze)})
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
	n := float64(len(profiles))
	naivePer := float64(naiveWall.Milliseconds()) / n
	oursPer := float64(ours.Milliseconds()) / n
	fmt.Fprintf(io.out, "hardenlab bench — %s, %d profiles (%s), systemd %s (%s), %d CPUs\n\n",
		path, len(profiles), *mode, sb.Env.SystemdVersion, sb.Env.Sandbox, runtime.NumCPU())
	fmt.Fprintf(io.out, "%-36s %12s %10s %14s %8s\n", "PROFILE", "NAIVE ms", "NAIVE", "HARDENLAB ms", "OURS")
	for i, p := range profiles {
		nv, ov := "-", "-"
		nm := 0.0
		if i < len(naive) {
			nm, nv = naive[i].Millis, naive[i].Exposure
		}
		rec := records[i]
		if rec.Schema != 0 && rec.Score.Level != "" {
			ov = fmt.Sprintf("%.1f", rec.Score.Exposure)
		}
		fmt.Fprintf(io.out, "%-36s %12.0f %10s %14.0f %8s\n", p.Name, nm, nv, rec.Timings.Total, ov)
	}
	fmt.Fprintf(io.out, "\nnaive loop   %8.0f ms wall, %6.0f ms per profile (start, HTTP wait, score, stop)\n", float64(naiveWall.Milliseconds()), naivePer)
	probesRun := "each profile's probes"
	if *allProbes {
		probesRun = "all probes"
	}
	fmt.Fprintf(io.out, "hardenlab    %8.0f ms wall, %6.0f ms per profile (same + %s, exposure checks, read-back; --jobs %d)\n",
		float64(ours.Milliseconds()), oursPer, probesRun, *jobs)
	fmt.Fprintf(io.out, "speed-up     %.2fx per profile\n", naivePer/oursPer)
	if cpu, n := demoCPU(records); n > 0 {
		floor := cpu / float64(runtime.NumCPU())
		fmt.Fprintf(io.out, "floor        %6.0f ms per profile: the demo service alone uses %.0f ms of CPU per profile (mean of %d), on %d CPUs; best possible speed-up %.2fx\n",
			floor, cpu, n, runtime.NumCPU(), naivePer/floor)
	}
	fmt.Fprintf(io.out, "peak RSS     %.1f MiB (hardenlab process)\n", float64(ru.Maxrss)/1024)
	mismatch := 0
	for i := range naive {
		if i < len(records) && records[i].Score.Level != "" && naive[i].Exposure != fmt.Sprintf("%.1f", records[i].Score.Exposure) {
			mismatch++
		}
	}
	if mismatch > 0 {
		fmt.Fprintf(io.out, "WARNING      %d profiles scored differently by the two methods\n", mismatch)
	}
	return exitOK
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
