package run

import (
	"encoding/json"
	"testing"

	"github.com/hardenlab/hardenlab/probes"
)

// A probe unit that makes only system calls still hands back a posture,
// its syscalls document's, so the shared sandbox can be proven for it.
func TestParseProbeOutputPosture(t *testing.T) {
	runDoc := probes.Document{Schema: probes.SchemaVersion, Posture: probes.Posture{CapEff: "run"}}
	callsDoc := probes.SyscallsDocument{Schema: probes.SchemaVersion, Posture: probes.Posture{CapEff: "calls"},
		Calls: []probes.CallResult{{Name: "swapon"}}}
	for _, tc := range []struct {
		name      string
		docs      []any
		run, call bool
		want      string
		calls     int
	}{
		{"run only", []any{runDoc}, true, false, "run", 0},
		{"run and calls", []any{runDoc, callsDoc}, true, true, "run", 1},
		{"calls only", []any{callsDoc}, false, true, "calls", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var data []byte
			for _, d := range tc.docs {
				b, err := json.Marshal(d)
				if err != nil {
					t.Fatal(err)
				}
				data = append(append(data, b...), '\n')
			}
			doc, calls, err := parseProbeOutput(data, tc.run, tc.call)
			if err != nil || doc.Posture.CapEff != tc.want || len(calls) != tc.calls {
				t.Errorf("posture %q, %d calls, %v; want posture %q, %d calls", doc.Posture.CapEff, len(calls), err, tc.want, tc.calls)
			}
		})
	}
}
