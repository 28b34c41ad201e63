package junit

import (
	"bytes"
	"encoding/xml"
	"testing"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

func tutorialMatrix(t *testing.T) report.Matrix {
	t.Helper()
	m, err := baseline.Load("../report/testdata/matrix-p3test-hardened.json")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestEveryVerdictHasAnOutcome(t *testing.T) {
	for _, v := range probes.VerdictKinds() {
		if _, ok := verdictOutcomes()[v]; !ok {
			t.Errorf("verdict %s has no test outcome", v)
		}
	}
}

type parsed struct {
	Suites []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
			Error *struct{} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// counts is what the JSON document says, counted straight from it.
type counts struct{ tests, failures, skipped, errors int }

func fromJSON(m report.Matrix, regs int) counts {
	var c counts
	for _, r := range m.Records {
		for _, p := range r.Probes {
			for range p.Directives {
				c.tests++
				switch p.Verdict {
				case "not-enforced", "broke-service":
					c.failures++
				case "inconclusive":
					c.skipped++
				case "error":
					c.errors++
				}
			}
		}
		c.tests += 2
		if !r.Behavior.Started {
			c.failures++
			c.skipped++
		} else if r.Behavior.HTTPStatus == 0 {
			c.failures++
		}
	}
	c.tests += max(regs, 1)
	c.failures += regs
	return c
}

func fromXML(t *testing.T, data []byte) counts {
	t.Helper()
	var p parsed
	if err := xml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	var c counts
	for _, s := range p.Suites {
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s says %d tests and has %d", s.Name, s.Tests, len(s.Cases))
		}
		for _, tc := range s.Cases {
			c.tests++
			switch {
			case tc.Failure != nil:
				c.failures++
			case tc.Skipped != nil:
				c.skipped++
				if tc.Skipped.Message == "" {
					t.Errorf("%s/%s skipped without a reason", s.Name, tc.Name)
				}
			case tc.Error != nil:
				c.errors++
			}
		}
	}
	return c
}

func TestCountsMatchTheJSON(t *testing.T) {
	m := tutorialMatrix(t)
	regs := []baseline.Regression{{Kind: baseline.VerdictLost, Profile: "full", Directive: "ProtectClock", Message: "lost"}}
	for _, c := range []struct {
		name string
		m    report.Matrix
		regs []baseline.Regression
	}{{"tutorial", m, nil}, {"with a regression", m, regs}, {"broken", brokenCopy(m), nil}} {
		var b bytes.Buffer
		if err := Write(&b, c.m, c.regs, "b.json"); err != nil {
			t.Fatal(err)
		}
		got, want := fromXML(t, b.Bytes()), fromJSON(c.m, len(c.regs))
		if got != want {
			t.Errorf("%s: JUnit counts %+v, the JSON's %+v", c.name, got, want)
		}
		if want.failures == 0 || want.skipped == 0 {
			t.Errorf("%s: the sample must have failures and skips to test anything: %+v", c.name, want)
		}
	}
}

// brokenCopy is the tutorial matrix with one profile that never started.
func brokenCopy(m report.Matrix) report.Matrix {
	c := m
	c.Records = append([]report.Record(nil), m.Records...)
	c.Records[3].Behavior.Started = false
	c.Records[3].Behavior.HTTPStatus = 0
	return c
}
