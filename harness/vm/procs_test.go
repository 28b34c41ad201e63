//go:build e2e

package vm

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// qemuProcessesUsing lists live processes whose command line mentions dir,
// which every QEMU of a run under dir does (its overlay path).
func qemuProcessesUsing(t *testing.T, dir string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if strings.Contains(string(cmdline), dir) {
			pids = append(pids, pid)
		}
	}
	return pids
}
