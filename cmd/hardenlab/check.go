package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/report"
)

const checkUsage = `Usage: hardenlab check --baseline FILE [flags] UNIT

The CI gate. Reruns the matrix of UNIT (a unit file, or the name of an
installed unit; see matrix) in the baseline's mode, unless --mode says
otherwise, and compares it with a stored baseline. Exits 1 with
a readable diff when, against the baseline:
  - a profile's exposure score rose, or the full unit's exceeds --threshold;
  - the full unit's effective exposure (its score with each directive its
    probes show not enforced counted as unset) exceeds --effective-threshold;
  - a (directive, probe) verdict went from enforced to anything else;
  - a directive of the baseline is gone from the unit;
  - the service broke where it used to start and answer;
  - the demo exposes more sensitive paths over HTTP.
Exits 0 otherwise. --update-baseline writes the new run as the baseline.

Flags:
`

const checkExamples = `
Examples:
  hardenlab check --baseline fixtures/baselines/p3test-hardened.json fixtures/p3test-hardened.service
  hardenlab check --baseline b.json --threshold 5.0 unit.service
  hardenlab check --baseline b.json --effective-threshold 5.0 unit.service
  hardenlab check --baseline b.json --update-baseline unit.service
  hardenlab check --baseline b.json --sarif findings.sarif --junit junit.xml unit.service

Exit status: 0 no regression; 1 regression (diff on stdout); 2 bad usage,
unit or baseline; 3 no usable systemd; 130/143 interrupted.
`

func cmdCheck(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var f matrixFlags
	f.register(fs)
	basePath := fs.String("baseline", "", "the stored baseline matrix (JSON written by --update-baseline or matrix --out)")
	update := fs.Bool("update-baseline", false, "write this run as the new baseline instead of comparing")
	threshold := fs.Float64("threshold", -1, "also fail when the full unit's exposure is above this (e.g. 5.0); negative: off")
	effThreshold := fs.Float64("effective-threshold", -1, "also fail when the full unit's effective exposure (each directive its probes show\nnot enforced counted as unset) is above this, in --threshold's units; negative: off")
	fs.Usage = func() {
		fmt.Fprint(io.err, checkUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, checkExamples)
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	path, err := f.svc.single(fs.Args())
	if err != nil || *basePath == "" {
		errorf(io, "check needs --baseline FILE and one unit file or unit name (or --installed NAME.service)")
		return exitUsage
	}
	var base report.Matrix
	if !*update {
		var err error
		base, err = baseline.Load(*basePath)
		if err != nil {
			errorf(io, "%v", err)
			if errors.Is(err, os.ErrNotExist) {
				hintf(io, "create it: hardenlab check --update-baseline --baseline %s %s", *basePath, path)
			}
			return exitUsage
		}
		modeSet := false
		fs.Visit(func(fl *flag.Flag) { modeSet = modeSet || fl.Name == "mode" })
		if !modeSet && base.Mode != "" {
			f.mode = base.Mode
		}
	}
	m, code := runMatrix(ctx, f, path, io)
	if m == nil {
		return code
	}
	if ctx.Err() != nil {
		_ = writeMatrixOutputs(f, *m, nil, "", stdio{out: discard{}, err: io.err})
		return interruptedExit(ctx)
	}
	if code != exitOK {
		errorf(io, "some profiles could not be run; see the records")
	}
	if *update {
		if o := writeMatrixOutputs(f, *m, nil, "", stdio{out: discard{}, err: io.err}); o != exitOK {
			return o
		}
		if err := baseline.Save(*basePath, *m); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		fmt.Fprintf(io.out, "baseline %s written: %d profiles, %s mode\n", *basePath, len(m.Records), m.Mode)
		return exitOK
	}
	var gates baseline.Gates
	if *threshold >= 0 {
		gates.Threshold = threshold
	}
	if *effThreshold >= 0 {
		gates.EffectiveThreshold = effThreshold
	}
	regs := baseline.CompareWith(base, *m, gates)
	if o := writeMatrixOutputs(f, *m, regs, *basePath, stdio{out: discard{}, err: io.err}); o != exitOK {
		return o
	}
	if len(regs) == 0 {
		fmt.Fprintf(io.out, "no regression against %s (%d profiles, %s mode)\n", *basePath, len(m.Records), m.Mode)
		return code
	}
	if err := baseline.WriteDiff(io.out, regs); err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	return exitFindings
}

// discard is an io.Writer that drops everything.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
