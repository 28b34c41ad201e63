package probes

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// checkPrivateIPC in the test's own IPC namespace and in a child started
// in a new one: allowed and blocked when PID 1's namespace is readable,
// an error naming PID 1 when it is not (never a pass).
func TestPrivateIPCComparesWithPID1(t *testing.T) {
	_, pid1Err := os.Readlink("/proc/1/ns/ipc")
	own, _ := os.Readlink("/proc/self/ns/ipc")
	init, _ := os.Readlink("/proc/1/ns/ipc")

	r := checkPrivateIPC(context.Background(), Options{})
	switch {
	case pid1Err != nil:
		if r.Outcome != Errored || !strings.Contains(r.Detail, "PID 1's") {
			t.Errorf("PID 1's namespace unreadable (%v): got %s (%s), want an error naming PID 1", pid1Err, r.Outcome, r.Detail)
		}
	case own == init:
		if r.Outcome != Allowed {
			t.Errorf("same namespace as PID 1: got %s (%s), want allowed", r.Outcome, r.Detail)
		}
	}

	if os.Geteuid() != 0 {
		t.Skip("a new IPC namespace needs root")
	}
	cmd := exec.Command(os.Args[0], "child", "ns.private-ipc")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWIPC}
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("cannot start a child in a new IPC namespace here: %v", err)
	}
	var child Result
	if err := json.Unmarshal(out, &child); err != nil {
		t.Fatalf("child output %q: %v", out, err)
	}
	want := Blocked
	if pid1Err != nil {
		want = Errored
	}
	if child.Outcome != want {
		t.Errorf("in a new IPC namespace: got %s (%s), want %s", child.Outcome, child.Detail, want)
	}
}
