package vagrant

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/report"
)

type fakeMachine struct {
	name    string
	systemd string
	steps   []Step
	run     []report.Record // nil: no run.json
	matrix  *report.Matrix
}

func record(profile, systemd string, exposure float64, verdicts map[string]string, paths ...string) report.Record {
	r := report.Record{
		Schema:      report.SchemaVersion,
		Environment: report.Environment{SystemdVersion: systemd},
		Profile:     report.Profile{Name: profile},
		Score:       report.Score{Exposure: exposure, Level: "OK"},
		Behavior:    report.Behavior{Started: true, HTTPStatus: 200, ExposedPaths: paths},
	}
	for id, v := range verdicts {
		r.Probes = append(r.Probes, report.ProbeResult{ID: id, Verdict: v})
	}
	return r
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeOut lays out machines the way guest.sh leaves out/<machine>/.
func writeOut(t *testing.T, machines ...fakeMachine) string {
	t.Helper()
	out := t.TempDir()
	for _, m := range machines {
		dir := filepath.Join(out, m.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		writeJSON(t, filepath.Join(dir, machineFile), map[string]any{
			"machine": m.name, "os": "Test OS", "systemd": "systemd " + m.systemd, "kernel": "6.1", "pid1": "systemd", "prebuilt": false,
		})
		if m.steps != nil {
			writeJSON(t, filepath.Join(dir, stepsFile), m.steps)
		}
		if m.run != nil {
			writeJSON(t, filepath.Join(dir, runFile), m.run)
		}
		if m.matrix != nil {
			writeJSON(t, filepath.Join(dir, "matrix-single.json"), m.matrix)
		}
	}
	// Not machines: the e2e reports .ci/test leaves in out/, and a stray dir.
	if err := os.WriteFile(filepath.Join(out, "e2e-report.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(out, "scratch"), 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMergeComparesMachines(t *testing.T) {
	ok := []Step{{Step: "test", Command: "bash .ci/setup && bash .ci/test", Exit: 0}, {Step: "run", Command: "bash .ci/main", Exit: 0}}
	out := writeOut(t,
		fakeMachine{name: "debian13", systemd: "257", steps: ok,
			run: []report.Record{
				record("p3test", "257", 9.6, map[string]string{"fs.write-etc": "not-enforced"}, "/etc/shadow"),
				record("p3test-hardened", "257", 4.9, map[string]string{"fs.write-etc": "enforced", "net.deny": "enforced"}, "/etc/shadow"),
			},
			matrix: &report.Matrix{Records: []report.Record{record("single-PrivateTmp", "257", 9.2, nil)}},
		},
		fakeMachine{name: "debian12", systemd: "252", steps: ok,
			run: []report.Record{
				record("p3test", "252", 9.6, map[string]string{"fs.write-etc": "not-enforced"}, "/etc/shadow"),
				record("p3test-hardened", "252", 5.1, map[string]string{"fs.write-etc": "enforced", "net.deny": "not-enforced"}, "/etc/shadow", "/proc/1/environ"),
			},
		},
		fakeMachine{name: "fedora", systemd: "258",
			steps: []Step{{Step: "test", Command: "bash .ci/test", Exit: 2}, {Step: "run", Command: "bash .ci/build && ...", Exit: 0}},
		},
	)
	c, err := Merge(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, m := range c.Machines {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"debian12", "debian13", "fedora"}) {
		t.Fatalf("machines %q, want debian12, debian13, fedora (sorted; e2e files and dirs without machine.json ignored)", names)
	}
	if m := c.Machines[0]; m.SystemdVersion != "252" || m.Records != 2 || len(m.Failed) != 0 || len(m.Problems) != 0 {
		t.Errorf("debian12 summary %+v", m)
	}
	if m := c.Machines[1]; m.Records != 3 {
		t.Errorf("debian13 has %d records, want 3 (run and matrix)", m.Records)
	}
	fedora := c.Machines[2]
	if !slices.Equal(fedora.Failed, []string{"test"}) {
		t.Errorf("fedora failed steps %q, want [test]", fedora.Failed)
	}
	if len(fedora.Problems) != 1 || !strings.Contains(fedora.Problems[0], "run.json is missing") {
		t.Errorf("fedora problems %q, want run.json missing", fedora.Problems)
	}

	rows := map[string]ProfileRow{}
	for _, r := range c.Profiles {
		rows[r.Key] = r
	}
	tests := []struct {
		key  string
		want []string
	}{
		{"p3test", []string{"missing"}},
		{"p3test-hardened", []string{"missing", "exposure", "exposed_paths", "verdict:net.deny"}},
		{"matrix-single/single-PrivateTmp", []string{"missing"}},
	}
	for _, tt := range tests {
		row, ok := rows[tt.key]
		if !ok {
			t.Errorf("no row %s; rows: %v", tt.key, c.Profiles)
			continue
		}
		if !slices.Equal(row.Differences, tt.want) {
			t.Errorf("%s differences %q, want %q", tt.key, row.Differences, tt.want)
		}
	}
	if got := rows["p3test-hardened"].ByMachine["debian12"].Exposure; got != 5.1 {
		t.Errorf("debian12's p3test-hardened exposure %v, want 5.1", got)
	}
	if c.Differing != 3 {
		t.Errorf("Differing = %d, want 3", c.Differing)
	}
}

func TestMergeOfIdenticalMachinesFindsNoDifference(t *testing.T) {
	recs := []report.Record{record("p3test", "252", 9.6, map[string]string{"a": "enforced"}, "/etc/shadow", "/dev/", "/tmp/hardenlab-marker-8d49626f")}
	recs[0].RunID = "8d49626f"
	// The same paths in another order, with markers of another run, are
	// the same exposure.
	other := []report.Record{record("p3test", "252", 9.6, map[string]string{"a": "enforced"}, "/tmp/hardenlab-marker-1a32936e", "/dev/", "/etc/shadow")}
	other[0].RunID = "1a32936e"
	out := writeOut(t,
		fakeMachine{name: "a", systemd: "252", steps: []Step{}, run: recs},
		fakeMachine{name: "b", systemd: "252", steps: []Step{}, run: other},
	)
	c, err := Merge(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Differing != 0 || len(c.Profiles) != 1 || len(c.Profiles[0].Differences) != 0 {
		t.Errorf("identical machines differ: %+v", c.Profiles)
	}
	if got := c.Profiles[0].ByMachine["a"].ExposedPaths; !slices.Contains(got, "/tmp/hardenlab-marker-<run>") {
		t.Errorf("exposed paths %q do not name the marker with the run placeholder", got)
	}
}

func TestMergeFailsWithoutMachines(t *testing.T) {
	if _, err := Merge(context.Background(), t.TempDir()); err == nil {
		t.Error("Merge of an empty directory did not fail")
	}
	if _, err := Merge(context.Background(), filepath.Join(t.TempDir(), "absent")); err == nil {
		t.Error("Merge of a missing directory did not fail")
	}
}

func TestMergeReportsUnreadableFiles(t *testing.T) {
	out := writeOut(t, fakeMachine{name: "a", systemd: "252", steps: []Step{}})
	if err := os.WriteFile(filepath.Join(out, "a", runFile), []byte("[{"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Merge(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.Machines[0].Problems; len(p) != 1 || !strings.Contains(p[0], "decoding run.json") {
		t.Errorf("problems %q, want a decoding error for run.json", p)
	}
}
