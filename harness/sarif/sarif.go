// Package sarif writes hardenlab's findings as a SARIF 2.1.0 log, the
// format code-scanning services read to put each finding on the line of
// the unit file it is about. The model and its schema check come from
// github.com/owenrumney/go-sarif.
package sarif

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/hardenlab/hardenlab/harness/findings"
)

// ToolName names hardenlab as the SARIF producer.
const ToolName = "hardenlab"

// Build makes the log: one run, every rule of findings.Rules (so that a
// clean result still tells which checks ran), one result per finding.
func Build(fs []findings.Finding) *gosarif.Report {
	run := gosarif.NewRun()
	run.Tool = gosarif.NewTool().WithDriver(gosarif.NewToolComponent().WithName(ToolName))
	for _, r := range findings.Rules() {
		run.AddRule(r.ID).
			WithName(r.Name).
			WithDescription(r.Title).
			WithFullDescription(gosarif.NewMultiformatMessageString().WithText(r.Help)).
			WithDefaultConfiguration(gosarif.NewReportingConfiguration().WithLevel(string(r.Level)))
	}
	sorted := append([]findings.Finding(nil), fs...)
	findings.Sort(sorted)
	for _, f := range sorted {
		addResult(run, f)
	}
	return gosarif.NewReport().AddRun(run)
}

func addResult(run *gosarif.Run, f findings.Finding) {
	res := run.CreateResultForRule(f.Rule).
		WithLevel(string(levelOf(f.Rule))).
		WithMessage(gosarif.NewTextMessage(f.Message))
	props := gosarif.NewPropertyBag()
	for k, v := range map[string]string{"directive": f.Directive, "environment": f.Environment, "profile": f.Profile, "probe": f.Probe} {
		if v != "" {
			props.Add(k, v)
		}
	}
	res.WithProperties(props)
	if f.File == "" {
		return
	}
	uri := fileURI(f.File)
	run.AddDistinctArtifact(uri)
	loc := gosarif.NewPhysicalLocation().WithArtifactLocation(gosarif.NewSimpleArtifactLocation(uri))
	if f.Line > 0 {
		loc.WithRegion(gosarif.NewSimpleRegion(f.Line, f.Line))
	}
	res.AddLocation(gosarif.NewLocationWithPhysicalLocation(loc))
}

func levelOf(rule string) findings.Level {
	for _, r := range findings.Rules() {
		if r.ID == rule {
			return r.Level
		}
	}
	return findings.Warning
}

// fileURI keeps a relative path relative (code scanning resolves it
// against the repository) and turns an absolute one into a file: URI.
func fileURI(path string) string {
	path = filepath.ToSlash(path)
	if !filepath.IsAbs(path) {
		return (&url.URL{Path: path}).String()
	}
	return (&url.URL{Scheme: "file", Path: path}).String()
}

// Write validates the log against the SARIF 2.1.0 schema and writes it.
func Write(w io.Writer, fs []findings.Finding) error {
	rep := Build(fs)
	if err := rep.Validate(); err != nil {
		return fmt.Errorf("SARIF log does not validate: %w", err)
	}
	if err := rep.PrettyWrite(w); err != nil {
		return fmt.Errorf("write SARIF log: %w", err)
	}
	return nil
}
