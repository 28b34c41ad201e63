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
"hardenlab score --offline --all --root SCRATCH" process, SCRATCH a
scratch root (removed afterwards) whose unit directory holds every unit
file, against one "systemd-analyze security --offline=true FILE" per
file, with the systemd-analyze of --root; also one process over the
files (JSON and text) and --all over --root's own services, each timed
5 times per run, output to a file. The files are the arguments, or every
stock service unit of --root plus the service units of 30 Debian server
packages of its release (fetched with apt-get download into --deb-cache,
never installed); templates are written as the instance systemd-analyze
--offline scores them as. Exits 1 when a unit scores differently`

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
	scratch, err := os.MkdirTemp(filepath.Join(root, "tmp"), "hardenlab-bench-")
	if err != nil {
		errorf(io, "making the scratch root: %v", err)
		return exitError
	}
	defer os.RemoveAll(scratch)
	cr, alone, err := writeBenchCorpus(ctx, f, root, scratch, int(version), files)
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	self, err := os.Executable()
	if err != nil {
		errorf(io, "finding the hardenlab binary: %v", err)
		return exitError
	}
	res, err := bench.RunScore(ctx, bench.ScoreOptions{Hardenlab: self, Root: root, Version: version.String(), Files: cr.Files, CorpusRoot: cr.Dir, Analyzed: alone, Runs: f.runs})
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
		writeScoreBench(io.out, res, cr)
	}
	if len(res.Mismatches) > 0 {
		return exitFindings
	}
	return exitOK
}

// writeBenchCorpus lays the files (or, with none, the corpus of root)
// out as a scratch root in scratch/root, and links each file alone into
// scratch/alone for systemd-analyze; scratch is inside root's /tmp, where
// root's systemd-analyze reads them too.
func writeBenchCorpus(ctx context.Context, f benchScoreFlags, root, scratch string, version int, files []string) (*bench.CorpusRoot, []string, error) {
	units, err := bench.FileUnits(files)
	if len(files) == 0 {
		units, err = bench.CorpusUnits(ctx, root, f.debCache, f.packages)
	}
	if err != nil {
		return nil, nil, err
	}
	cr, err := bench.WriteCorpusRoot(root, filepath.Join(scratch, "root"), units, version)
	if err != nil {
		return nil, nil, err
	}
	if len(cr.Files) == 0 {
		return nil, nil, fmt.Errorf("no unit files to benchmark: %d empty", len(cr.Empty))
	}
	alone, err := bench.LinkAlone(cr.Files, filepath.Join(scratch, "alone"))
	if err != nil {
		return nil, nil, err
	}
	return cr, alone, nil
}

func writeScoreBench(w io.Writer, r *bench.ScoreResult, cr *bench.CorpusRoot) {
	fmt.Fprintf(w, "scorer benchmark, systemd %s (%s), %d unit files, %d runs\n", r.SystemdVersion, r.Root, r.Units, len(r.Runs))
	fmt.Fprintf(w, "  corpus root:     SCRATCH=%s, every file in /%s (%s)\n", cr.Dir, bench.CorpusUnitDir, corpusNotes(cr))
	fmt.Fprintf(w, "  hardenlab --all: %s (%d units)\n", r.CorpusCommand, r.CorpusUnits)
	fmt.Fprintf(w, "  hardenlab:       %s (one process; median of 5 in each run)\n", r.Command)
	fmt.Fprintf(w, "  hardenlab text:  %s\n", r.TextCommand)
	fmt.Fprintf(w, "  root --all:      %s (%d installed services)\n", r.AllCommand, r.AllUnits)
	fmt.Fprintf(w, "  systemd-analyze: %s (FILE: the unit file hard-linked alone into a directory of its own)\n", r.AnalyzeCommand)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  run\t--all ms/unit\tfiles\ttext\troot --all\tsystemd-analyze ms/unit\t--all ratio\tfiles\ttext\troot --all\tload\t")
	for i, run := range r.Runs {
		fmt.Fprintf(tw, "  %d\t%.3f\t%.3f\t%.3f\t%.3f\t%.2f\t%.1fx\t%.1fx\t%.1fx\t%.1fx\t%s\t\n", i+1, run.CorpusPerMs, run.HardenlabPerMs, run.TextPerMs, run.AllPerMs,
			run.AnalyzePerMs, run.CorpusSpeedUp, run.SpeedUp, run.TextSpeedUp, run.AllSpeedUp, run.Load)
	}
	tw.Flush()
	fmt.Fprintf(w, "  speed-up per unit, whole process, score --all over the corpus: %.1fx median (%.1fx to %.1fx over the runs)\n", r.CorpusSpeedUp, r.CorpusSpeedUpMin, r.CorpusSpeedUpMax)
	fmt.Fprintf(w, "  the same, the files as arguments: %.1fx (%.1fx to %.1fx); text output %.1fx; --all over %s's services %.1fx\n", r.SpeedUp, r.SpeedUpMin, r.SpeedUpMax, r.TextSpeedUp, r.Root, r.AllSpeedUp)
	fmt.Fprintf(w, "  exact: --all over the corpus scores %d of %d units as systemd-analyze scores their files, the files as arguments %d of %d; %d differ, %d refused by hardenlab, %d by systemd-analyze\n",
		r.CorpusCompared, r.Units, r.Compared, r.Units, len(r.Mismatches), len(r.Refused), len(r.AnalyzeRefused))
	for _, group := range []struct {
		title string
		lines []string
	}{{"differ", r.Mismatches}, {"refused by hardenlab", r.Refused}, {"refused by systemd-analyze", r.AnalyzeRefused}, {"renamed in the corpus root", cr.Renamed}, {"left out, empty (masked)", cr.Empty}} {
		if len(group.lines) > 0 {
			fmt.Fprintf(w, "%s:\n  %s\n", group.title, strings.Join(group.lines, "\n  "))
		}
	}
}

// corpusNotes says how the corpus became the scratch root's files.
func corpusNotes(cr *bench.CorpusRoot) string {
	return fmt.Sprintf("%d templates as their offline instance, %d units left out as the same name and text as another, %d renamed, %d empty left out",
		cr.Instances, cr.Shared, len(cr.Renamed), len(cr.Empty))
}
