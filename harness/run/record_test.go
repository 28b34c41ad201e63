package run

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/probes"
)

func testPlan(t *testing.T, lines ...string) plan {
	t.Helper()
	pl, err := testSetup(t, Options{}).plan(profileOf(t, lines...), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// ranProbes is an execution whose service and probes ran.
func ranProbes(posture probeRun) execution {
	posture.doc.Results = []probes.Result{{ID: "fs.private-tmp", Outcome: probes.Blocked, Detail: "private"}}
	return execution{mainPID: 1234, ready: readiness{Readiness: behavior.Readiness{Outcome: behavior.Serves, Status: 200}}, probes: posture}
}

// A posture that could not be read is an error in the record, and a
// comparison that never ran fails the proof of the shared sandbox.
func TestRecordOfAFailedPostureRead(t *testing.T) {
	pl := testPlan(t, "PrivateTmp=yes")
	ex := ranProbes(probeRun{postureErr: errors.New("reading the service's sandbox to compare the probe's with it: no such process")})
	rec := newRecord(sandbox.Environment{}, "t1", pl, nil, ex, judgement{verdicts: []report.ProbeResult{}})
	if rec.SandboxCompared || !strings.Contains(rec.SandboxError, "no such process") {
		t.Errorf("compared %v, error %q: want false and the read error", rec.SandboxCompared, rec.SandboxError)
	}
	err := SharedSandbox(rec)
	if err == nil || !strings.Contains(err.Error(), "never compared") || !strings.Contains(err.Error(), "no such process") {
		t.Errorf("SharedSandbox = %v, want a failure naming the read error", err)
	}
	data, jerr := json.Marshal(rec)
	if jerr != nil {
		t.Fatal(jerr)
	}
	if !strings.Contains(string(data), `"sandbox_compared":false`) || !strings.Contains(string(data), `"sandbox_error":"reading`) {
		t.Errorf("the JSON does not say that nothing was compared: %s", data)
	}
}

func TestSharedSandbox(t *testing.T) {
	pl := testPlan(t, "PrivateTmp=yes")
	for _, tc := range []struct {
		name string
		run  probeRun
		ex   func(execution) execution
		fail string // "" = the proof holds
	}{
		{"compared, equal", probeRun{compared: true}, nil, ""},
		{"compared, per-process difference", probeRun{compared: true, posture: []probes.Difference{{Field: "ns.mnt", MustMatch: false}}}, nil, ""},
		{"compared, sandbox differs", probeRun{compared: true, posture: []probes.Difference{{Field: "cap_bnd", Probe: "1", Service: "0", MustMatch: true}}}, nil, "differ in cap_bnd"},
		{"service not running", probeRun{}, func(ex execution) execution { ex.mainPID = 0; return ex }, "the service was not running"},
		{"no probe ran", probeRun{}, func(ex execution) execution { ex.probes.doc.Results = nil; return ex }, "no probe ran"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := ranProbes(tc.run)
			if tc.ex != nil {
				ex = tc.ex(ex)
			}
			rec := newRecord(sandbox.Environment{}, "t1", pl, nil, ex, judgement{verdicts: []report.ProbeResult{}})
			if rec.SandboxCompared != tc.run.compared {
				t.Errorf("sandbox_compared = %v, want %v", rec.SandboxCompared, tc.run.compared)
			}
			err := SharedSandbox(rec)
			switch {
			case tc.fail == "" && err != nil:
				t.Errorf("SharedSandbox = %v, want the proof to hold", err)
			case tc.fail != "" && (err == nil || !strings.Contains(err.Error(), tc.fail)):
				t.Errorf("SharedSandbox = %v, want a failure naming %q", err, tc.fail)
			}
		})
	}
}

func TestRecordOfAPlanError(t *testing.T) {
	pl := plan{profile: profileOf(t, "PrivateTmp=yes"), unit: "hardenlab-t1-p.service", note: "not the demo"}
	rec := newRecord(sandbox.Environment{}, "t1", pl, errors.New("systemd 200 does not support it"), execution{}, judgement{})
	if rec.Error != "systemd 200 does not support it" || rec.Unit != pl.unit || rec.Behavior.Port != 0 || rec.Behavior.Command != nil {
		t.Errorf("record: error %q unit %s port %d command %v", rec.Error, rec.Unit, rec.Behavior.Port, rec.Behavior.Command)
	}
	if n := rec.Profile.Notes; len(n) != 1 || n[0].Directive != "ExecStart" || n[0].Reason != "not the demo" {
		t.Errorf("notes %+v, want the ExecStart note", n)
	}
	if rec.Probes == nil || rec.Readback == nil || rec.Behavior.ExposedPaths == nil || rec.Behavior.Exposures == nil {
		t.Error("lists must be empty, not null, in every record")
	}
}

func TestRecordOfARefusedUnit(t *testing.T) {
	pl := testPlan(t, "PrivateTmp=yes")
	ex := execution{refused: errors.New("u.service:1: PrivateTmp=yes: refused"), stopErr: errors.New("stopping")}
	rec := newRecord(sandbox.Environment{}, "t1", pl, nil, ex, judgement{})
	if rec.Error != ex.refused.Error() || rec.ProbeScope != "" || rec.Score.Source != "" || rec.Behavior.Port != 4242 {
		t.Errorf("refused: error %q scope %q score %q port %d", rec.Error, rec.ProbeScope, rec.Score.Source, rec.Behavior.Port)
	}
}

func TestRecordOfAStartedUnit(t *testing.T) {
	pl := testPlan(t, "PrivateTmp=yes")
	ex := ranProbes(probeRun{compared: true})
	ex.stopErr = errors.New("stopping: timeout")
	verdicts := judge(pl.probe.claims, ex.probes.doc.Results, ex.probes.doc.Results, false)
	rec := newRecord(sandbox.Environment{}, "t1", pl, nil, ex, judgement{verdicts: verdicts})
	if !rec.Behavior.Started || rec.Behavior.HTTPStatus != 200 || rec.Error != "stopping: timeout" {
		t.Errorf("started %v status %d error %q", rec.Behavior.Started, rec.Behavior.HTTPStatus, rec.Error)
	}
	if rec.ProbeScope != "declared" || len(rec.Probes) != 1 || len(rec.ProbeResults) != 1 || rec.ProbeError != "" {
		t.Errorf("probes: scope %s verdicts %d results %d error %q", rec.ProbeScope, len(rec.Probes), len(rec.ProbeResults), rec.ProbeError)
	}
	rec = newRecord(sandbox.Environment{}, "t1", pl, nil, ex, judgement{err: errors.New("waiting for the control run: context canceled")})
	if !rec.Incomplete || !strings.Contains(rec.ProbeError, "control") || len(rec.Probes) != 0 || rec.Probes == nil {
		t.Errorf("no control: incomplete %v probe error %q verdicts %v", rec.Incomplete, rec.ProbeError, rec.Probes)
	}
}

func TestComparePosture(t *testing.T) {
	self, err := probes.ReadPosture("/proc/self")
	if err != nil {
		t.Fatal(err)
	}
	diff, compared, err := comparePosture(self, "/proc/self")
	if err != nil || !compared {
		t.Fatalf("comparing with itself: compared %v, %v", compared, err)
	}
	for _, d := range diff {
		if d.MustMatch {
			t.Errorf("a process differs from itself in %s", d.Field)
		}
	}
	diff, compared, err = comparePosture(self, t.TempDir())
	if err == nil || compared || diff != nil {
		t.Errorf("an unreadable service: compared %v, diff %v, error %v; want the error and nothing compared", compared, diff, err)
	}
}

// The demo sends no BusName= and says so; a unit that runs its own
// commands sends it, so its record has no such note.
func TestBusNameNoteOnlyForTheDemo(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server", "BusName=org.example.demo")
	for _, unitService := range []bool{false, true} {
		rec := newRecord(sandbox.Environment{}, "t1", plan{profile: p, unitService: unitService}, nil, execution{}, judgement{})
		has := false
		for _, n := range rec.Profile.Notes {
			has = has || n.Directive == "BusName"
		}
		if has == unitService {
			t.Errorf("unit's own commands %v: BusName note %v", unitService, has)
		}
	}
}
