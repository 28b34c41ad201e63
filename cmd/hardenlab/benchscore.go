package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/hardenlab/hardenlab/harness/bench"
)

const benchScoreHelp = `instead of the profile cycle, benchmark the offline scorer: one
"hardenlab score --offline" process over every unit file (JSON and
text, each timed 5 times per run, output to a file) against one
"systemd-analyze security --offline=true FILE" per file, with the
systemd-analyze of --root; the files are the arguments, or every stock
service unit of --root plus the service units of 30 Debian server
packages of its release (fetched with apt-get download into --deb-cache,
never installed). Exits 1 when a file scores differently`

// benchScoreFlags are the flags of "hardenlab bench --score".
type benchScoreFlags struct {
	root, debCache string
	packages       bool
	asJSON         bool
	runs           int
}

func cmdBenchScore(ctx context.Context, f benchScoreFlags, files []string, io stdio) int {
	root, err := filepath.Abs(f.root)
	if err != nil {
		errorf(io, "--root: %v", err)
		return exitUsage
	}
	version, err := bench.AnalyzeVersion(ctx, root)
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	if len(files) == 0 {
		dir, err := os.MkdirTemp(filepath.Join(root, "tmp"), "hardenlab-bench-")
		if err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		defer os.RemoveAll(dir)
		if files, err = bench.WriteCorpus(ctx, root, dir, f.debCache, f.packages); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	}
	self, err := os.Executable()
	if err != nil {
		errorf(io, "finding the hardenlab binary: %v", err)
		return exitError
	}
	res, err := bench.RunScore(ctx, bench.ScoreOptions{Hardenlab: self, Root: root, Version: version.String(), Files: files, Runs: f.runs})
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	if f.asJSON {
		if err := writeJSON(io.out, res); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	} else {
		writeScoreBench(io.out, res)
	}
	if len(res.Mismatches) > 0 {
		return exitFindings
	}
	return exitOK
}

func writeScoreBench(w io.Writer, r *bench.ScoreResult) {
	fmt.Fprintf(w, "scorer benchmark, systemd %s (%s), %d unit files, %d runs\n", r.SystemdVersion, r.Root, r.Units, len(r.Runs))
	fmt.Fprintf(w, "  hardenlab:       %s (one process; median of 5 in each run)\n", r.Command)
	fmt.Fprintf(w, "  hardenlab text:  %s\n", r.TextCommand)
	fmt.Fprintf(w, "  hardenlab --all: %s (%d installed services)\n", r.AllCommand, r.AllUnits)
	fmt.Fprintf(w, "  systemd-analyze: %s\n", r.AnalyzeCommand)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  run\thardenlab ms/unit\ttext\t--all\tsystemd-analyze ms/unit\tratio\ttext ratio\t--all ratio\tload\t")
	for i, run := range r.Runs {
		fmt.Fprintf(tw, "  %d\t%.3f\t%.3f\t%.3f\t%.2f\t%.1fx\t%.1fx\t%.1fx\t%s\t\n", i+1, run.HardenlabPerMs, run.TextPerMs, run.AllPerMs, run.AnalyzePerMs, run.SpeedUp, run.TextSpeedUp, run.AllSpeedUp, run.Load)
	}
	tw.Flush()
	fmt.Fprintf(w, "  speed-up per unit, whole process: %.1fx median (%.1fx to %.1fx over the runs); text output %.1fx; --all %.1fx\n", r.SpeedUp, r.SpeedUpMin, r.SpeedUpMax, r.TextSpeedUp, r.AllSpeedUp)
	fmt.Fprintf(w, "  exact: %d units score the same both ways, %d differently, %d refused by hardenlab, %d by systemd-analyze\n",
		r.Compared, len(r.Mismatches), len(r.Refused), len(r.AnalyzeRefused))
	for _, group := range []struct {
		title string
		lines []string
	}{{"differ", r.Mismatches}, {"refused by hardenlab", r.Refused}, {"refused by systemd-analyze", r.AnalyzeRefused}} {
		if len(group.lines) > 0 {
			fmt.Fprintf(w, "%s:\n  %s\n", group.title, strings.Join(group.lines, "\n  "))
		}
	}
}
