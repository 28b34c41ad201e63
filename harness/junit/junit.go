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
	"github.com/hardenlab/hardenlab/harness/behavior"
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
	s := gojunit.Testsuite{Name: class, File: r.Profile.Source, Time: seconds(r.Timings.Total)}
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
	case b.Outcome == string(behavior.Unreachable):
		// Running, and cut off from the host by the profile: not broken.
		answered = testcase(class, "service answered", Skipped, "", "unreachable from the host: "+b.OutcomeDetail)
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
	s := gojunit.Testsuite{Name: "regressions against " + path, File: path, Time: seconds(0)}
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

func seconds(ms float64) string { return fmt.Sprintf("%.3f", ms/1000) }

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Scored is one unit file as `hardenlab score` saw it.
type Scored struct {
	Path   string
	Tenths int // exposure in tenths, e.g. 49
	Level  string
	Error  string // why the file could not be scored
}

// WriteScores writes a suite with a case per unit file: it fails above the
// threshold (in tenths) and is an error when the file could not be scored.
func WriteScores(w io.Writer, units []Scored, threshold int) error {
	const class = "score"
	s := gojunit.Testsuite{Name: fmt.Sprintf("exposure at most %.1f", float64(threshold)/10), Time: seconds(0)}
	for _, u := range units {
		tc := testcase(class, u.Path, Passed, "", "")
		switch {
		case u.Error != "":
			tc = testcase(class, u.Path, Errored, "refused", u.Error)
		case u.Tenths > threshold:
			tc = testcase(class, u.Path, Failed, "over-threshold",
				fmt.Sprintf("exposure %.1f %s is above the threshold %.1f", float64(u.Tenths)/10, u.Level, float64(threshold)/10))
		}
		s.AddTestcase(tc)
	}
	suites := gojunit.Testsuites{Name: "hardenlab score"}
	suites.AddSuite(s)
	if err := suites.WriteXML(w); err != nil {
		return fmt.Errorf("write JUnit report: %w", err)
	}
	return nil
}
