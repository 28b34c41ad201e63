package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/sweep"
)

// A sweep's refused units are in its SARIF (a result on the unit file),
// not only in its table: code scanning must not show them as clean.
func TestSweepSARIFNamesRefusedUnits(t *testing.T) {
	out := filepath.Join(t.TempDir(), "s.sarif")
	d := sweep.Document{Units: []string{"bad.service"}, Rows: []sweep.Row{
		{Unit: "bad.service", Path: "units/bad.service", State: sweep.Refused, Reason: "units/bad.service:3: ProtectSystem=bogus: unknown value"},
	}}
	var stdout, stderr bytes.Buffer
	if code := writeSweepOutputs(sweepFlags{gate: gateFlags{sarif: out}}, d, stdio{out: &stdout, err: &stderr}); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ruleId": "refused"`, `"uri": "units/bad.service"`, "ProtectSystem=bogus: unknown value"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("SARIF lacks %s:\n%s", want, data)
		}
	}
}
