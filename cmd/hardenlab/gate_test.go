package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// score --sarif/--junit: one over-threshold finding for the baseline unit,
// none for the hardened one, and the JUnit counts to match.
func TestScoreWritesGateFormats(t *testing.T) {
	dir := t.TempDir()
	sarifPath, junitPath := filepath.Join(dir, "s.sarif"), filepath.Join(dir, "s.xml")
	code, _, errOut := runScore(t, "--systemd-version", "252", "--threshold", "50", "--sarif", sarifPath, "--junit", junitPath, scoreBaseline, scoreHardened)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d (above the threshold): %s", code, exitFindings, errOut)
	}
	rep, err := gosarif.Open(sarifPath, gosarif.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
	results := rep.Runs[0].Results
	if len(results) != 1 || *results[0].RuleID != "exposure-over-threshold" ||
		*results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != scoreBaseline {
		t.Errorf("results %+v, want one over-threshold finding on %s", results, scoreBaseline)
	}
	data, err := os.ReadFile(junitPath)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(data, &suites); err != nil {
		t.Fatal(err)
	}
	if suites.Tests != 2 || suites.Failures != 1 {
		t.Errorf("JUnit: %d tests, %d failures; want 2 and 1", suites.Tests, suites.Failures)
	}
}

func TestProgressBar(t *testing.T) {
	tty := &progress{tty: true}
	if got := tty.bar(6, 24); got != "[######------------------] 6/24" {
		t.Errorf("bar on a terminal: %q", got)
	}
	if got := tty.bar(3, 3); got != "[########################] 3/3" {
		t.Errorf("full bar: %q", got)
	}
	if got := (&progress{}).bar(6, 24); got != "[6/24]" {
		t.Errorf("bar in a log: %q", got)
	}
}

// Every command's flags register without a clash (flag panics on a name
// registered twice) and its -h teaches with examples or flags.
func TestEveryCommandHelp(t *testing.T) {
	for _, c := range commands() {
		var out, errOut bytes.Buffer
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s -h panicked: %v", c.name, r)
				}
			}()
			if code := c.run(context.Background(), []string{"-h"}, stdio{out: &out, err: &errOut}); code != exitOK {
				t.Errorf("%s -h: exit %d", c.name, code)
			}
		}()
		if help := out.String() + errOut.String(); !strings.Contains(help, "Usage") && !strings.Contains(help, "usage") {
			t.Errorf("%s -h prints no usage:\n%s", c.name, help)
		}
	}
}

// Every command's help teaches: examples to copy and what each exit
// status means, and "hardenlab help COMMAND" prints the same as -h.
func TestEveryCommandHelpHasExamplesAndExitStatus(t *testing.T) {
	for _, c := range commands() {
		var out, errOut bytes.Buffer
		if code := realMain([]string{"help", c.name}, stdio{out: &out, err: &errOut}); code != exitOK {
			t.Errorf("help %s: exit %d", c.name, code)
		}
		help := out.String() + errOut.String()
		for _, want := range []string{"Usage: hardenlab " + c.name, "\nExamples:\n  hardenlab ", "\nExit status: 0 "} {
			if !strings.Contains(help, want) {
				t.Errorf("help %s lacks %q:\n%s", c.name, want, help)
			}
		}
		if !strings.HasSuffix(help, "\n") {
			t.Errorf("help %s does not end its last line", c.name)
		}
	}
	var out, errOut bytes.Buffer
	if code := realMain([]string{"bogus"}, stdio{out: &out, err: &errOut}); code != exitUsage || !strings.Contains(errOut.String(), "the commands are run, matrix") || strings.Count(errOut.String(), "\n") != 2 {
		t.Errorf("unknown command: exit %d, stderr:\n%s", code, errOut.String())
	}
}

// A mistyped flag is one error line and a hint, not the whole help.
func TestBadFlagIsOneLine(t *testing.T) {
	for _, c := range commands() {
		var out, errOut bytes.Buffer
		args := []string{"--no-such-flag"}
		if c.name == "rootfs" {
			args = []string{"build", "--no-such-flag"}
		}
		code := c.run(context.Background(), args, stdio{out: &out, err: &errOut})
		want := "hardenlab: error: flag provided but not defined: -no-such-flag\nhardenlab: hint: hardenlab " + c.name
		if code != exitUsage || !strings.HasPrefix(errOut.String(), want) || strings.Count(errOut.String(), "\n") != 2 {
			t.Errorf("%s: exit %d, stderr:\n%s", c.name, code, errOut.String())
		}
	}
}
