package probes

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestReadPostureOfSelf(t *testing.T) {
	p, err := ReadPosture("/proc/self")
	if err != nil {
		t.Fatal(err)
	}
	if p.UID != os.Getuid() || p.EUID != os.Geteuid() {
		t.Errorf("uid %d/%d, want %d/%d", p.UID, p.EUID, os.Getuid(), os.Geteuid())
	}
	if len(p.CapBnd) != 16 || p.Hostname == "" || p.NS["mnt"] == 0 || p.TmpIno == 0 {
		t.Errorf("posture incomplete: %+v", p)
	}
	if len(p.Mounts) != len(summaryPaths()) {
		t.Errorf("%d mount summaries", len(p.Mounts))
	}
}

// The harness reads the service from outside through /proc/<pid>: the same
// process read both ways must show no difference at all.
func TestReadPostureByPidMatchesSelf(t *testing.T) {
	self, err := ReadPosture("/proc/self")
	if err != nil {
		t.Fatal(err)
	}
	byPid, err := ReadPosture("/proc/" + strconv.Itoa(os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(self, byPid); len(d) != 0 {
		t.Errorf("same process differs from itself: %+v", d)
	}
}

func TestReadPostureErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "status"), []byte("Name:\tx\nUid:\tzero 0 0 0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ReadPosture(dir)
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "status")+":2") {
		t.Fatalf("error %v does not name status:2", err)
	}
	if _, err := ReadPosture(filepath.Join(dir, "nonexistent")); err == nil {
		t.Fatal("no error for a missing process")
	}
}

func TestDiffSaysWhichFieldsMustMatch(t *testing.T) {
	base, err := ReadPosture("/proc/self")
	if err != nil {
		t.Fatal(err)
	}
	other := base
	other.NS = map[string]uint64{}
	for k, v := range base.NS {
		other.NS[k] = v
	}
	other.CapBnd = "0000000000000000"
	other.NS["mnt"]++
	other.TmpIno++
	got := map[string]bool{}
	for _, d := range Diff(base, other) {
		got[d.Field] = d.MustMatch
		if d.Why == "" {
			t.Errorf("%s: no reason", d.Field)
		}
	}
	want := map[string]bool{"cap_bnd": true, "tmp": true, "ns.mnt": false}
	for f, must := range want {
		if m, ok := got[f]; !ok || m != must {
			t.Errorf("field %s: in diff %v, must match %v; want must match %v", f, ok, m, must)
		}
	}
	if len(got) != len(want) {
		t.Errorf("diff has %d fields, want %d: %v", len(got), len(want), got)
	}
}

// The fields the harness relies on to prove same-sandbox must be strict.
func TestPostureFieldTable(t *testing.T) {
	must := []string{"cap_bnd", "cap_eff", "no_new_privs", "seccomp", "ns.net", "ns.ipc", "tmp", "mounts"}
	seen := map[string]bool{}
	for _, f := range postureFields() {
		if seen[f.name] {
			t.Errorf("field %s listed twice", f.name)
		}
		seen[f.name] = true
		if slices.Contains(must, f.name) && !f.mustMatch {
			t.Errorf("field %s must be required to match", f.name)
		}
		if f.name == "ns.mnt" && f.mustMatch {
			t.Error("ns.mnt differs per spawned process by design; it must not be required to match")
		}
	}
	for _, f := range must {
		if !seen[f] {
			t.Errorf("field %s is not compared", f)
		}
	}
}

func BenchmarkReadPosture(b *testing.B) {
	for b.Loop() {
		if _, err := ReadPosture("/proc/self"); err != nil {
			b.Fatal(err)
		}
	}
}
