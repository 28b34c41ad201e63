package systemd

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func TestExitStatusesAreUnique(t *testing.T) {
	seen := map[int]bool{}
	for _, e := range ExitStatuses() {
		if seen[e.Status] || e.Name == "" || e.Status < 0 || e.Status > 255 {
			t.Errorf("bad or repeated row %+v", e)
		}
		seen[e.Status] = true
	}
	if got := ExitStatusName(226); got != "226/NAMESPACE" {
		t.Errorf("ExitStatusName(226) = %q", got)
	}
	if got := ExitStatusName(99); got != "99" {
		t.Errorf("ExitStatusName(99) = %q", got)
	}
}

// TestExitStatusesMatchSystemd compares the table with the installed
// systemd's own: every name it prints is in the table with its status.
func TestExitStatusesMatchSystemd(t *testing.T) {
	out, err := exec.Command("systemd-analyze", "exit-status").Output()
	if err != nil {
		t.Skipf("systemd-analyze exit-status: %v", err)
	}
	want := map[string]ExitStatus{}
	for _, e := range ExitStatuses() {
		want[e.Name] = e
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("unexpected line %q", l)
		}
		st, err := strconv.Atoi(f[1])
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := want[f[0]]; !ok || e.Status != st || e.Class != f[2] {
			t.Errorf("systemd has %s=%d (%s), the table %+v", f[0], st, f[2], e)
		}
	}
}
