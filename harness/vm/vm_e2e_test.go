//go:build e2e

package vm

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The VM e2e tests boot a real guest. They use the real image cache by
// default (HARDENLAB_STATE_DIR overrides it), so a CI machine that keeps
// /var/lib/hardenlab builds the image once. Run with:
//
//	go test -tags e2e -run E2E -v -timeout 60m ./harness/vm

func e2eStateDir() string {
	if d := os.Getenv("HARDENLAB_STATE_DIR"); d != "" {
		return d
	}
	return DefaultStateDir
}

// syncBuffer collects Progress lines from QEMU's two copiers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	t   *testing.T
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if testing.Verbose() {
		os.Stderr.Write(p)
	}
	return s.buf.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

func TestE2EEnsureImage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	start := time.Now()
	dir, built, err := ensureImage(ctx, Config{StateDir: e2eStateDir()}.withDefaults(), nil, &syncBuffer{t: t})
	if err != nil {
		t.Fatal(err)
	}
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image %s built=%v in %s: kernel %s, systemd %s (recorded build %s)",
		dir, built, time.Since(start).Round(time.Millisecond), m.Kernel, m.SystemdPackage, m.BuildDuration.Round(time.Second))
	if !strings.HasPrefix(m.SystemdPackage, "257") {
		t.Errorf("trixie image has systemd package %s, want 257.x", m.SystemdPackage)
	}
}

func TestE2ERun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	tmpRoot := t.TempDir()
	payload := filepath.Join(t.TempDir(), "payload")
	if err := os.WriteFile(payload, []byte("#!/bin/sh\necho payload-ran\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	progress := &syncBuffer{t: t}
	cfg := Config{
		StateDir: e2eStateDir(),
		Files:    map[string]string{"/usr/local/bin/hardenlab-payload": payload},
		Command: []string{"sh", "-c", `systemctl --version; systemd-detect-virt; cat /proc/1/comm
hardenlab-payload > ` + GuestResultsDir + `/payload.out
cat /proc/1/comm > ` + GuestResultsDir + `/pid1
echo "$` + GuestAccelEnv + `" > "$` + GuestResultsEnv + `/accel"
exit 7`},
		Progress: progress,
	}.withDefaults()

	start := time.Now()
	out, err := run(ctx, cfg, runEnv{tempDir: tmpRoot})
	cycle := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(out.Results)
	t.Logf("accel=%s kernel=%s systemd=%s virt=%s built=%v build=%s boot=%s run=%s full cycle=%s",
		out.Accel, out.Kernel, out.SystemdVersion, out.Virt, out.ImageBuilt,
		out.BuildDuration.Round(time.Millisecond), out.BootDuration.Round(time.Millisecond),
		out.RunDuration.Round(time.Millisecond), cycle.Round(time.Millisecond))

	if out.Accel != AccelKVM && out.Accel != AccelTCG {
		t.Errorf("accelerator %q not recorded", out.Accel)
	}
	if out.SystemdVersion != "257" {
		t.Errorf("guest systemd %q, want 257 for trixie", out.SystemdVersion)
	}
	if out.Virt != "kvm" && out.Virt != "qemu" {
		t.Errorf("systemd-detect-virt in the guest says %q, want qemu or kvm", out.Virt)
	}
	if out.ExitStatus != 7 {
		t.Errorf("exit status %d, want 7", out.ExitStatus)
	}
	if out.BootDuration <= 0 || out.RunDuration <= 0 {
		t.Errorf("durations not measured: boot %s run %s", out.BootDuration, out.RunDuration)
	}
	for name, want := range map[string]string{"pid1": "systemd\n", "payload.out": "payload-ran\n", "accel": out.Accel + "\n"} {
		data, err := os.ReadFile(filepath.Join(out.Results, name))
		if err != nil || string(data) != want {
			t.Errorf("result %s: %q, %v; want %q", name, data, err, want)
		}
	}
	// The command's output streamed live from the guest.
	for _, want := range []string{"vm| systemd 257", "vm| systemd\n", "vm console| "} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q", want)
		}
	}
	assertNothingLeft(t, tmpRoot, out.Results)
}

// assertNothingLeft checks that no run dir and no QEMU process remain.
func assertNothingLeft(t *testing.T, tmpRoot string, keep ...string) {
	t.Helper()
	entries, err := os.ReadDir(tmpRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(tmpRoot, e.Name())
		kept := false
		for _, k := range keep {
			kept = kept || p == k
		}
		if !kept {
			t.Errorf("left behind: %s", p)
		}
	}
	if pids := qemuProcessesUsing(t, tmpRoot); len(pids) > 0 {
		t.Errorf("QEMU processes left running: %v", pids)
	}
}

func TestE2ECancelLeavesNothing(t *testing.T) {
	tmpRoot := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	progress := &syncBuffer{t: t}
	cfg := Config{StateDir: e2eStateDir(), Command: []string{"sleep", "infinity"}, Progress: progress}.withDefaults()
	go func() {
		// Cancel once the guest console is alive, i.e. QEMU is running.
		for !strings.Contains(progress.String(), "vm console| ") {
			time.Sleep(100 * time.Millisecond)
		}
		cancel()
	}()
	_, err := run(ctx, cfg, runEnv{tempDir: tmpRoot})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("got %v, want a cancelled run", err)
	}
	assertNothingLeft(t, tmpRoot)
}

// BenchmarkE2ERunCycle measures a full cycle with the cached image: overlay,
// work disk, boot to the runner, a trivial command, poweroff, results.
//
//	go test -tags e2e -run '^$' -bench E2ERunCycle -benchtime 2x ./harness/vm
func BenchmarkE2ERunCycle(b *testing.B) {
	ctx := context.Background()
	if _, _, err := EnsureImage(ctx, Config{StateDir: e2eStateDir()}); err != nil {
		b.Fatal(err)
	}
	var boot, run time.Duration
	for b.Loop() {
		out, err := Run(ctx, Config{StateDir: e2eStateDir(), Command: []string{"true"}})
		if err != nil {
			b.Fatal(err)
		}
		boot += out.BootDuration
		run += out.RunDuration
		os.RemoveAll(out.Results)
	}
	b.ReportMetric(float64(boot.Milliseconds())/float64(b.N), "boot-ms/op")
	b.ReportMetric(float64(run.Milliseconds())/float64(b.N), "run-ms/op")
}
