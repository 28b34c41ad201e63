// Package junit writes hardenlab's records as a JUnit XML report, so that a
// CI system's test view counts what the hardening did: a test suite per
// profile, a test case per (directive, probe) verdict and per behaviour
// check. not-enforced, broke-service and regressions are failures,
// inconclusive is skipped with its reason, a probe that failed is an
// error. The XML model is github.com/jstemmer/go-junit-report's.
package junit

import (
	"fmt"
	"io"

	gojunit "github.com/jstemmer/go-junit-report/v2/junit"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// Outcome is what one test case reports.
type Outcome int

const (
	Passed Outcome = iota
	Failed
	Skipped
	Errored
)

// verdictOutcomes maps each verdict to a test outcome; every verdict the
// probes package defines has a row (checked by the tests).
func verdictOutcomes() map[probes.VerdictKind]Outcome {
	return map[probes.VerdictKind]Outcome{
		probes.Enforced:     Passed,
		probes.NotEnforced:  Failed,
		probes.BrokeService: Failed,
		probes.Inconclusive: Skipped,
		probes.VerdictError: Errored,
	}
}

// Build makes the report of a matrix (or of plain runs wrapped in one) and,
// for a check, of its regressions against baselinePath.
func Build(m report.Matrix, regs []baseline.Regression, baselinePath string) gojunit.Testsuites {
	suites := gojunit.Testsuites{Name: "hardenlab"}
	for i := range m.Records {
		suites.AddSuite(recordSuite(&m.Records[i]))
	}
	if baselinePath != "" {
		suites.AddSuite(regressionSuite(regs, baselinePath))
	}
	return suites
}

func recordSuite(r *report.Record) gojunit.Testsuite {
	class := suiteName(r)
	s := gojunit.Testsuite{Name: class, File: r.Profile.Source}
	s.AddProperty("unit", r.Unit)
	if r.Score.Level != "" {
		s.AddProperty("exposure", fmt.Sprintf("%.1f %s", r.Score.Exposure, r.Score.Level))
	}
	for _, p := range r.Probes {
		for _, d := range p.Directives {
			s.AddTestcase(verdictCase(class, d, p))
		}
	}
	for _, c := range behaviorCases(class, r) {
		s.AddTestcase(c)
	}
	return s
}

func suiteName(r *report.Record) string {
	if r.Environment.Name == "" {
		return r.Profile.Name
	}
	return r.Environment.Name + "/" + r.Profile.Name
}

func verdictCase(class, directive string, p report.ProbeResult) gojunit.Testcase {
	name := fmt.Sprintf("%s= %s", directive, p.ID)
	out, known := verdictOutcomes()[probes.VerdictKind(p.Verdict)]
	if !known {
		out = Errored
	}
	msg := fmt.Sprintf("%s: control %s, profile %s: %s", p.Verdict, p.Control, p.Outcome, p.Detail)
	return testcase(class, name, out, p.Verdict, msg)
}

// behaviorCases are the two checks every profile gets: did the unit
// start, and did the service answer once it had.
func behaviorCases(class string, r *report.Record) []gojunit.Testcase {
	b := r.Behavior
	started := testcase(class, "service started", Passed, "", "")
	answered := testcase(class, "service answered", Passed, "", "")
	switch {
	case !b.Started:
		why := fmt.Sprintf("the unit did not start (%s, result %s): %s", b.ActiveState, b.Result, firstNonEmpty(b.Error, r.Error))
		started = testcase(class, "service started", Failed, string(probes.BrokeService), why)
		answered = testcase(class, "service answered", Skipped, "", "the unit did not start")
	case b.HTTPStatus == 0:
		why := fmt.Sprintf("started but did not answer: %s", firstNonEmpty(b.Error, r.Error, "no HTTP answer"))
		answered = testcase(class, "service answered", Failed, string(probes.BrokeService), why)
	}
	return []gojunit.Testcase{started, answered}
}

func regressionSuite(regs []baseline.Regression, path string) gojunit.Testsuite {
	const class = "baseline"
	s := gojunit.Testsuite{Name: "regressions against " + path, File: path}
	if len(regs) == 0 {
		s.AddTestcase(testcase(class, "no regression", Passed, "", ""))
		return s
	}
	for _, g := range regs {
		name := fmt.Sprintf("%s %s %s", g.Kind, g.Profile, g.Directive)
		s.AddTestcase(testcase(class, name, Failed, string(g.Kind), fmt.Sprintf("%s (was %s, now %s)", g.Message, g.Was, g.Now)))
	}
	return s
}

func testcase(class, name string, out Outcome, kind, msg string) gojunit.Testcase {
	tc := gojunit.Testcase{Classname: class, Name: name, Time: "0"}
	res := &gojunit.Result{Message: msg, Type: kind}
	switch out {
	case Failed:
		tc.Failure = res
	case Skipped:
		tc.Skipped = res
	case Errored:
		tc.Error = res
	}
	return tc
}

// Write writes the report of Build.
func Write(w io.Writer, m report.Matrix, regs []baseline.Regression, baselinePath string) error {
	suites := Build(m, regs, baselinePath)
	if err := suites.WriteXML(w); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
