package probes

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// neverInProcess are probes whose check changes process-wide or host state
// or makes a system call that a profile's filter may kill: running them in
// "run" itself would taint the probes after them or lose the document.
func neverInProcess() map[string]string {
	return map[string]string{
		"caps.bounding-set": "chowns a scratch file; prctl(PR_CAPBSET_READ)",
		"caps.ambient":      "binds a socket",
		"fs.umask":          "creates a file",
		"fs.write-rw-path":  "creates a file outside the scratch dir",
		"sys.suid-chmod":    "creates and chmods a file",
		"sys.personality":   "sets the personality",
		"sys.sched-fifo":    "sets a scheduling policy",
		"sys.sethostname":   "sets the hostname",
		"sys.clock-set":     "settimeofday()",
		"kernel.log-read":   "syslog() is outside @system-service and the run's own calls",
		"id.root":           "setuid()",
		"id.private-users":  "chowns a scratch file",
	}
}

// neverInProcessAreas hold only probes whose point is a system call that a
// filter answers with SIGSYS, a socket or a new namespace.
func neverInProcessAreas() []string { return []string{"sys", "net", "ns"} }

func TestInProcessProbesOnlyLook(t *testing.T) {
	n := 0
	for _, p := range Registry() {
		if !p.InProcess {
			continue
		}
		n++
		if p.Unshare != 0 {
			t.Errorf("%s: runs in process but asks for new namespaces (%#x)", p.ID, p.Unshare)
		}
		if why, ok := neverInProcess()[p.ID]; ok {
			t.Errorf("%s: runs in process but %s", p.ID, why)
		}
		if contains(neverInProcessAreas(), p.Area()) {
			t.Errorf("%s: runs in process but area %q is never safe to", p.ID, p.Area())
		}
	}
	if n == 0 {
		t.Error("no probe runs in process")
	}
	for _, p := range preflightChecks() {
		if p.InProcess {
			t.Errorf("%s: a preflight check runs in process", p.ID)
		}
	}
	for id := range neverInProcess() {
		if _, ok := Find(id); !ok {
			t.Errorf("deny-list names %s, which is not in the registry", id)
		}
	}
}

// Running a probe in process must not change its answer: every InProcess
// probe runs both ways, interleaved with probes that keep their child so
// that the results' order is checked too.
func TestInProcessAgreesWithIsolated(t *testing.T) {
	dir := t.TempDir()
	roFile := filepath.Join(dir, "ro")
	if err := os.WriteFile(roFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	hidden := filepath.Join(dir, "hidden")
	if err := os.Mkdir(hidden, 0o700); err != nil {
		t.Fatal(err)
	}
	only := []string{"sys.wx-mmap", "fs.umask"}
	for _, p := range Registry() {
		if p.InProcess {
			only = append(only, p.ID)
		}
	}
	base := Options{Self: os.Args[0], Only: only, ReadOnlyPath: roFile, HiddenPath: hidden, SkipDestructiveCheck: true, SkipPreflight: true}
	runs := map[bool]Document{}
	for _, isolate := range []bool{false, true} {
		o := base
		o.IsolateAll = isolate
		doc, err := Run(context.Background(), o)
		if err != nil {
			t.Fatalf("isolate-all=%v: %v", isolate, err)
		}
		runs[isolate] = doc
	}
	want := selected(only)
	for isolate, doc := range runs {
		if len(doc.Results) != len(want) {
			t.Fatalf("isolate-all=%v: %d results, want %d", isolate, len(doc.Results), len(want))
		}
		for i, r := range doc.Results {
			if r.ID != want[i].ID {
				t.Errorf("isolate-all=%v: result %d is %s, want %s (registry order)", isolate, i, r.ID, want[i].ID)
			}
			if r.Outcome == Skipped {
				t.Errorf("isolate-all=%v: %s skipped (%s): the comparison would prove nothing", isolate, r.ID, r.Detail)
			}
		}
	}
	for i, in := range runs[false].Results {
		iso := runs[true].Results[i]
		if in.Outcome != iso.Outcome || in.Errno != iso.Errno || in.Signal != iso.Signal {
			t.Errorf("%s: in process %s %s (%s), in a child %s %s (%s)", in.ID, in.Outcome, in.Errno, in.Detail, iso.Outcome, iso.Errno, iso.Detail)
		}
	}
}

// A failing in-process check costs its own result, never the run; and
// --isolate-all really sends an InProcess probe to a child.
func TestRunProbeInProcessContainsFailures(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	tests := []struct {
		name    string
		check   func(context.Context, Options) Result
		needs   Need
		isolate bool
		want    Outcome
		says    string
	}{
		{name: "result", check: func(context.Context, Options) Result { return allowed("looked") }, want: Allowed, says: "looked"},
		{name: "panic", check: func(context.Context, Options) Result { panic("boom") }, want: Errored, says: "panicked in process: boom"},
		{name: "hang", check: func(context.Context, Options) Result { <-release; return allowed("late") }, want: Errored, says: "did not finish within"},
		{name: "missing need", check: func(context.Context, Options) Result { panic("must not run") }, needs: NeedHiddenPath, want: Skipped, says: "--hidden-path"},
		// Self does not exist, so only a child start can fail this way.
		{name: "isolate-all", check: func(context.Context, Options) Result { return allowed("looked") }, isolate: true, want: Errored, says: "starting the probe child"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Probe{ID: "test.in-process", InProcess: true, Needs: tt.needs, check: tt.check}
			o := Options{Self: "/nonexistent", Timeout: 100 * time.Millisecond, IsolateAll: tt.isolate}
			r := runProbe(context.Background(), p, o)
			if r.ID != p.ID || r.Outcome != tt.want || !strings.Contains(r.Detail, tt.says) {
				t.Errorf("got %s %s (%s), want %s saying %q", r.ID, r.Outcome, r.Detail, tt.want, tt.says)
			}
		})
	}
}
