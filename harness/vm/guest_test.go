package vm

import (
	"path"
	"strings"
	"testing"
)

func TestInGuestNeedsTheRunnersEnvironment(t *testing.T) {
	for _, tt := range []struct {
		accel, results string
		want           bool
	}{
		{"", "", false},
		{"tcg", "", false},
		{"", GuestResultsDir, false},
		{"tcg", "/tmp/elsewhere", false},
		{"tcg", GuestResultsDir, true},
	} {
		t.Setenv(GuestAccelEnv, tt.accel)
		t.Setenv(GuestResultsEnv, tt.results)
		if got := InGuest(); got != tt.want {
			t.Errorf("accel %q results %q: InGuest() = %v, want %v", tt.accel, tt.results, got, tt.want)
		}
	}
}

func TestMountFreshStateRefusesOutsideAGuest(t *testing.T) {
	t.Setenv(GuestAccelEnv, "")
	if f, err := MountFreshState(); err == nil {
		_ = f.Unmount()
		t.Fatal("MountFreshState mounted over this machine's own directories")
	}
}

// The fresh paths are where a service keeps state; never what the running
// guest itself needs unchanged (its /usr, the runner's /run, the kernel's).
func TestFreshPathsTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range FreshPaths() {
		if !path.IsAbs(p) || path.Clean(p) != p || seen[p] {
			t.Errorf("fresh path %q is not a clean, unique absolute path", p)
		}
		seen[p] = true
		for _, never := range []string{"/", "/usr", "/run", "/proc", "/sys", "/dev", "/boot"} {
			if p == never {
				t.Errorf("fresh path %s would hide what the guest runs on", p)
			}
		}
		if strings.HasPrefix(freshBase, p+"/") || strings.HasPrefix(guestWorkMount, p+"/") {
			t.Errorf("fresh path %s would hide %s or %s", p, freshBase, guestWorkMount)
		}
	}
	for _, want := range []string{"/etc", "/var", "/tmp"} {
		if !seen[want] {
			t.Errorf("fresh paths lack %s, where packaged services write", want)
		}
	}
}
