package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hardenlab/hardenlab/harness/bench"
)

const benchScoreHelp = `instead of the profile cycle, benchmark the offline scorer: one
"hardenlab score --offline" process over every unit file against one
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
	res, err := bench.RunScore(ctx, bench.ScoreOptions{Hardenlab: self, Root: root, Version: version.String(), Files: files})
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
	fmt.Fprintf(w, "scorer benchmark, systemd %s (%s), %d unit files\n", r.SystemdVersion, r.Root, r.Units)
	fmt.Fprintf(w, "  hardenlab score --offline, one process (median of 5 runs):%8.1f ms  (%.2f ms per unit)\n", r.HardenlabMs, r.HardenlabPerMs)
	fmt.Fprintf(w, "  systemd-analyze, one process per unit: %8.1f ms  (%.2f ms per unit)\n", r.AnalyzeMs, r.AnalyzePerMs)
	fmt.Fprintf(w, "  speed-up per unit: %.0fx\n", r.SpeedUp)
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
