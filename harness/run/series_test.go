package run

import (
	"reflect"
	"testing"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// A control made in one sandbox judges the next sandbox's profiles with
// everything it measured: its probe results, its per-call syscall results
// (without them every syscall verdict is an error) and its posture.
func TestBaselineCarriesTheWholeControl(t *testing.T) {
	made := &Runner{ctlDone: make(chan struct{})}
	if _, ok := made.Baseline(); ok {
		t.Fatal("a baseline before the control ran")
	}
	made.ctlDoc = []probes.Result{{ID: "fs.write-usr"}}
	made.ctlCalls = []probes.CallResult{{Name: "chown", Outcome: "allowed"}}
	made.ctlPosture = probes.Posture{UID: 0, CapBnd: "000001ffffffffff"}
	made.setControl(report.Record{Profile: report.Profile{Name: "control"}})
	b, ok := made.Baseline()
	if !ok {
		t.Fatal("no baseline after the control")
	}
	next := &Runner{ctlDone: make(chan struct{})}
	next.AdoptBaseline(b)
	if !reflect.DeepEqual(next.ctlDoc, made.ctlDoc) || !reflect.DeepEqual(next.ctlCalls, made.ctlCalls) || !reflect.DeepEqual(next.ctlPosture, made.ctlPosture) ||
		next.control.Profile.Name != "control" {
		t.Errorf("adopted %+v %+v %+v %+v", next.ctlDoc, next.ctlCalls, next.ctlPosture, next.control)
	}
}
