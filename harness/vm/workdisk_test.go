package vm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func writeHostFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestStageWorkDisk(t *testing.T) {
	host := t.TempDir()
	bin := writeHostFile(t, host, "probe", "#!/bin/sh\n", 0o755)
	unit := writeHostFile(t, host, "p3test.service", "[Service]\n", 0o640)
	stage := t.TempDir()
	n, err := stageWorkDisk(stage, map[string]string{
		"/usr/local/bin/hardenlab-probe":     bin,
		"/etc/systemd/system/p3test.service": unit,
	}, []string{"true"}, AccelTCG)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len("#!/bin/sh\n")+len("[Service]\n")) {
		t.Errorf("payload %d bytes", n)
	}
	for rel, mode := range map[string]os.FileMode{
		"files/usr/local/bin/hardenlab-probe":     0o755,
		"files/etc/systemd/system/p3test.service": 0o640,
		workRunner: 0o755,
	} {
		info, err := os.Stat(filepath.Join(stage, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if info.Mode().Perm() != mode {
			t.Errorf("%s: mode %o, want %o", rel, info.Mode().Perm(), mode)
		}
	}
	if info, err := os.Stat(filepath.Join(stage, workResultsDir)); err != nil || !info.IsDir() {
		t.Errorf("results dir not staged: %v", err)
	}
}

func TestStageWorkDiskRejects(t *testing.T) {
	host := t.TempDir()
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"missing host file", map[string]string{"/x": filepath.Join(host, "nope")}, "no such file"},
		{"directory", map[string]string{"/x": host}, "not a regular file"},
		{"reserved guest path", map[string]string{GuestResultsDir + "/x": host}, "runner owns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := stageWorkDisk(t.TempDir(), tt.files, []string{"true"}, AccelTCG)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestWorkDiskSize(t *testing.T) {
	for payload, want := range map[int64]string{0: "524288k", 8 << 20: "533504k"} {
		if got := workDiskSize(payload); got != want {
			t.Errorf("payload %d: %s, want %s", payload, got, want)
		}
	}
}

// TestDebugfsRoundTrip makes a real ext4 image with mkfs.ext4 -d and reads it
// back with the same debugfs calls Run uses.
func TestDebugfsRoundTrip(t *testing.T) {
	for _, tool := range []string{"mkfs.ext4", "debugfs"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (e2fsprogs)", tool)
		}
	}
	ctx := context.Background()
	src := t.TempDir()
	if err := os.MkdirAll(filepath.Join(src, "results", "sub dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeHostFile(t, src, "status", "42\n", 0o644)
	writeHostFile(t, filepath.Join(src, "results", "sub dir"), "r.json", `{"ok":true}`, 0o644)
	img := filepath.Join(t.TempDir(), "work.img")
	if _, err := runQuiet(ctx, "mkfs", "mkfs.ext4", workDiskMkfsArgs(src, img, "8m")...); err != nil {
		t.Fatal(err)
	}
	features, err := runQuiet(ctx, "dumpe2fs", "dumpe2fs", "-h", img)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(features), "has_journal") {
		t.Error("work disk has a journal, which debugfs would not replay")
	}
	got, err := debugfsCat(ctx, "debugfs", img, "/status")
	if err != nil || got != "42\n" {
		t.Fatalf("cat /status: %q, %v", got, err)
	}
	if _, err := debugfsCat(ctx, "debugfs", img, "/missing"); err == nil {
		t.Fatal("cat of a missing file succeeded")
	}
	dest := t.TempDir()
	if err := debugfsRdump(ctx, "debugfs", img, "/results", dest); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dest, "results", "sub dir", "r.json"))
	if err != nil || string(data) != `{"ok":true}` {
		t.Fatalf("rdump: %q, %v", data, err)
	}
	if err := debugfsRdump(ctx, "debugfs", img, "/nope", dest); err == nil {
		t.Fatal("rdump of a missing dir succeeded")
	}
}
