package run

import (
	"testing"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// A profile in a fresh sandbox is judged against the control of another
// sandbox: everything the control's judging uses must travel with the
// baseline, or the per-call and bounding-set verdicts find no control.
func TestBaselineCarriesEveryControlResult(t *testing.T) {
	made := &Runner{ctlDone: make(chan struct{})}
	made.ctlDoc = []probes.Result{{ID: "fs.write-etc"}}
	made.ctlCalls = []probes.CallResult{{Name: "chown", Outcome: probes.CallAllowed}}
	made.ctlPosture = probes.Posture{CapBnd: "000001ffffffffff"}
	made.setControl(report.Record{Unit: "control"})
	b, ok := made.Baseline()
	if !ok {
		t.Fatal("no baseline from a finished control")
	}
	adopted := &Runner{ctlDone: make(chan struct{})}
	adopted.AdoptBaseline(b)
	if len(adopted.ctlDoc) != 1 || len(adopted.ctlCalls) != 1 || adopted.ctlCalls[0].Name != "chown" ||
		adopted.ctlPosture.CapBnd != "000001ffffffffff" || adopted.control == nil || adopted.control.Unit != "control" {
		t.Errorf("adopted baseline lost control results: doc %v calls %v posture %+v control %v",
			adopted.ctlDoc, adopted.ctlCalls, adopted.ctlPosture, adopted.control)
	}
}
