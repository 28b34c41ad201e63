package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/findings"
	"github.com/hardenlab/hardenlab/harness/junit"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/sarif"
)

// gateFlags are the CI formats every command that judges a unit writes.
type gateFlags struct {
	sarif, junit string
}

func (g *gateFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.sarif, "sarif", "", "write the findings as SARIF 2.1.0 to this file, each at the unit file's line\n(for code scanning: not-enforced directives, lints, broke-service, refused units, regressions, threshold)")
	fs.StringVar(&g.junit, "junit", "", "write a JUnit XML report to this file: a suite per profile, a case per (directive, probe)\nand per behaviour check; not-enforced, broke-service and regressions fail, inconclusive is skipped")
}

// writeMatrix writes the formats asked for; regs and baselinePath are a
// check's comparison, nil and "" elsewhere.
func (g gateFlags) writeMatrix(m report.Matrix, regs []baseline.Regression, baselinePath string) error {
	return g.writeMatrixAnd(m, regs, baselinePath, nil)
}

// writeMatrixAnd is writeMatrix with findings of units that never made a
// record (a sweep's refused units) added to the SARIF.
func (g gateFlags) writeMatrixAnd(m report.Matrix, regs []baseline.Regression, baselinePath string, extra []findings.Finding) error {
	if err := writeFileWith(g.sarif, func(w io.Writer) error {
		return sarif.Write(w, append(findings.FromMatrix(m, regs), extra...))
	}); err != nil {
		return err
	}
	return writeFileWith(g.junit, func(w io.Writer) error {
		return junit.Write(w, m, regs, baselinePath)
	})
}

// writeRecords is writeMatrix for the records of `run`, one per unit file.
func (g gateFlags) writeRecords(records []report.Record) error {
	return g.writeMatrix(report.Matrix{Schema: report.SchemaVersion, Records: records}, nil, "")
}

// writeFileWith creates path (when set) and lets write fill it.
func writeFileWith(path string, write func(io.Writer) error) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
