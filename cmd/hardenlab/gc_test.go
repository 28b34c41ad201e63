package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCollectVMDirs(t *testing.T) {
	roots := gcRoots{tempDir: t.TempDir(), stateDir: t.TempDir()}
	dead := filepath.Join(roots.tempDir, fmt.Sprintf("hardenlab-vm-%d.5-123", 1<<30))
	if err := os.MkdirAll(filepath.Join(dead, "work"), 0o755); err != nil {
		t.Fatal(err)
	}
	var said []string
	say := func(format string, a ...any) { said = append(said, fmt.Sprintf(format, a...)) }

	if n, err := collectVMDirs(roots, true, say); err != nil || n != 1 {
		t.Fatalf("dry run: %d, %v", n, err)
	}
	if _, err := os.Stat(dead); err != nil {
		t.Fatalf("dry run removed %s: %v", dead, err)
	}
	if n, err := collectVMDirs(roots, false, say); err != nil || n != 1 {
		t.Fatalf("%d, %v", n, err)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Fatalf("%s not removed: %v", dead, err)
	}
	want := []string{"would remove dead VM run's directory " + dead, "removing dead VM run's directory " + dead}
	if len(said) != 2 || !strings.HasPrefix(said[0], want[0]) || !strings.HasPrefix(said[1], want[1]) {
		t.Errorf("said %q", said)
	}
	if n, err := collectVMDirs(roots, false, say); err != nil || n != 0 {
		t.Errorf("second pass: %d, %v", n, err)
	}
}
