package sandbox

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func TestParseRootView(t *testing.T) {
	for in, want := range map[string]RootView{"": Volatile, "volatile": Volatile, "overlay": Overlay} {
		if got, err := ParseRootView(in); err != nil || got != want {
			t.Errorf("ParseRootView(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseRootView("ephemeral"); err == nil {
		t.Error("ParseRootView accepted ephemeral")
	}
}

func TestNspawnArgsOfEachView(t *testing.T) {
	has := func(args []string, s string) bool {
		for _, a := range args {
			if a == s {
				return true
			}
		}
		return false
	}
	if a := nspawnArgs("/", "r1", "/run/hardenlab/r1", Volatile); !has(a, "--volatile=yes") || !has(a, "--directory=/") {
		t.Errorf("volatile: %v", a)
	}
	if a := nspawnArgs("/run/hardenlab/r1/root", "r1", "/run/hardenlab/r1", Overlay); has(a, "--volatile=yes") || !has(a, "--directory=/run/hardenlab/r1/root") {
		t.Errorf("overlay: %v", a)
	}
}

// The overlay throws every write away, and a crashed run's overlay is
// unmounted before its directory is removed.
func TestOverlayKeepsTheLowerLayerAndGCUnmountsIt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting an overlay needs root")
	}
	lower, runDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(lower, "conf"), []byte("host"), 0o644); err != nil {
		t.Fatal(err)
	}
	merged, err := mountOverlay(runDir, lower)
	if err != nil {
		t.Skipf("no overlayfs here: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(merged, "conf")); err != nil || string(b) != "host" {
		t.Fatalf("the merged view does not show the lower layer: %q, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(merged, "conf"), []byte("service"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(merged, "new"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(lower, "conf")); string(b) != "host" {
		t.Errorf("a write through the overlay reached the lower layer: %q", b)
	}
	if _, err := os.Stat(filepath.Join(lower, "new")); err == nil {
		t.Error("a file created through the overlay appeared in the lower layer")
	}
	if !isMountPoint(merged) {
		t.Fatal("the merged view is not a mount point")
	}
	if err := (Debris{RunID: "t", Dir: runDir}).Clean(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(runDir); !os.IsNotExist(err) {
		t.Errorf("the run directory is still there: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(lower, "conf")); string(b) != "host" {
		t.Errorf("cleaning up changed the lower layer: %q", b)
	}
}
