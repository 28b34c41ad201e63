package vm

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests run Run against fake QEMUs (shell and Python scripts) to prove
// the host side: deadlines, cancellation, failures and the results path all
// end with no process and no run directory left behind.

// hangingQemu records its pid and a child's pid, then hangs: a guest that
// never boots. The child proves the whole process group is killed.
const hangingQemu = `#!/bin/sh
sleep 1000 &
echo $! > "$FAKE_QEMU_PIDS/child"
echo $$ > "$FAKE_QEMU_PIDS/qemu"
echo "fake console line"
exec sleep 1000
`

const failingQemu = `#!/bin/sh
echo $$ > "$FAKE_QEMU_PIDS/qemu"
echo "qemu-system-x86_64: -drive file=x: Could not open: boom" >&2
exit 1
`

// guestQemu plays a guest that boots, runs and powers off: it writes what
// the runner would onto the work disk with debugfs -w and sends the ready
// line over the progress socket.
const guestQemu = `#!/usr/bin/python3
import os, socket, subprocess, sys, tempfile
args = sys.argv[1:]
with open(os.environ["FAKE_QEMU_PIDS"] + "/qemu", "w") as f:
    f.write(str(os.getpid()))
drives = [args[i + 1] for i, a in enumerate(args) if a == "-drive"]
work = drives[1].split(",")[0][len("file="):]
sock = [a for a in args if a.startswith("socket,id=progress,path=")][0].split("path=")[1]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
print("fake console: booting", flush=True)
d = tempfile.mkdtemp()
for name, text in {"env": "kernel=6.12.0-fake\nsystemd=systemd 257 (257.9-1)\nvirt=qemu\npid1=systemd\n",
                   "status": "3\n", "out.json": '{"probe":"ok"}'}.items():
    with open(os.path.join(d, name), "w") as f:
        f.write(text)
cmds = "write %s/env env\nwrite %s/status status\ncd results\nwrite %s/out.json out.json\n" % (d, d, d)
subprocess.run(["debugfs", "-w", "-f", "-", work], input=cmds.encode(), check=True, capture_output=True)
s.sendall(b"@hardenlab-vm ready\nhello from the guest\n")
s.close()
`

type fakeRun struct {
	state, tmpRoot, pids string
	tools                toolPaths
}

func newFakeRun(t *testing.T, script string) fakeRun {
	t.Helper()
	for _, tl := range []tool{toolQemuImg, toolMkfs, toolDebugfs} {
		if _, err := exec.LookPath(tl.name); err != nil {
			t.Skipf("%s not installed (%s)", tl.name, tl.pkg)
		}
	}
	f := fakeRun{state: t.TempDir(), tmpRoot: t.TempDir(), pids: t.TempDir()}
	fakeImage(t, f.state, DefaultRelease)
	qemu := writeHostFile(t, t.TempDir(), "qemu-system-x86_64", script, 0o755)
	f.tools = toolPaths{toolQemu.name: qemu}
	t.Setenv("FAKE_QEMU_PIDS", f.pids)
	return f
}

func (f fakeRun) run(ctx context.Context, mutate func(*Config)) (*Outcome, error) {
	cfg := Config{StateDir: f.state, Command: []string{"true"}, BootTimeout: time.Minute, RunTimeout: time.Minute}
	if mutate != nil {
		mutate(&cfg)
	}
	return run(ctx, cfg.withDefaults(), runEnv{tools: f.tools, tempDir: f.tmpRoot, kvm: fakeKVM{device: errors.New("no kvm in tests")}})
}

// assertClean checks the run dir root is empty (but for keep) and every pid
// the fake recorded is gone.
func (f fakeRun) assertClean(t *testing.T, keep ...string) {
	t.Helper()
	entries, err := os.ReadDir(f.tmpRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		p := filepath.Join(f.tmpRoot, e.Name())
		if len(keep) == 0 || p != keep[0] {
			t.Errorf("left behind: %s", p)
		}
	}
	pidFiles, _ := os.ReadDir(f.pids)
	if len(pidFiles) == 0 {
		t.Fatal("fake QEMU never ran")
	}
	for _, e := range pidFiles {
		data, err := os.ReadFile(filepath.Join(f.pids, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		if state := processState(pid); state != "" {
			t.Errorf("%s process %d still exists (state %s)", e.Name(), pid, state)
		}
	}
}

func TestRunBootTimeoutKillsHungGuest(t *testing.T) {
	f := newFakeRun(t, hangingQemu)
	_, err := f.run(context.Background(), func(c *Config) { c.BootTimeout = 2 * time.Second })
	if err == nil || !strings.Contains(err.Error(), "guest hung") || !strings.Contains(err.Error(), "fake console line") {
		t.Fatalf("got %v, want a hung-guest error quoting the console", err)
	}
	f.assertClean(t)
}

func TestRunCancelKillsGuest(t *testing.T) {
	f := newFakeRun(t, hangingQemu)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			if _, err := os.Stat(filepath.Join(f.pids, "qemu")); err == nil {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	_, err := f.run(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	f.assertClean(t)
}

func TestRunReportsQemuFailure(t *testing.T) {
	f := newFakeRun(t, failingQemu)
	_, err := f.run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "QEMU failed") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("got %v, want QEMU's own error", err)
	}
	f.assertClean(t)
}

func TestRunBringsBackResults(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 needed for the fake guest")
	}
	f := newFakeRun(t, guestQemu)
	var progress strings.Builder
	out, err := f.run(context.Background(), func(c *Config) { c.Progress = &progress })
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(out.Results)
	if o, ok := dirOwner(filepath.Base(out.Results)); !ok || !o.Alive() {
		t.Errorf("results dir %s does not name this live process as its owner, so gc could not tell it from debris", out.Results)
	}
	if out.AccelReason == "" || out.Image.Kernel != "6.12.0-fake" || out.ImageBuilt {
		t.Errorf("outcome does not describe the accelerator choice or the cached image: %+v", out)
	}
	if out.Accel != AccelTCG || out.Kernel != "6.12.0-fake" || out.SystemdVersion != "257" || out.Virt != "qemu" || out.ExitStatus != 3 {
		t.Errorf("outcome %+v", out)
	}
	data, err := os.ReadFile(filepath.Join(out.Results, "out.json"))
	if err != nil || string(data) != `{"probe":"ok"}` {
		t.Errorf("result: %q, %v", data, err)
	}
	for _, want := range []string{"vm| hello from the guest\n", "vm console| fake console: booting\n", "accelerator tcg"} {
		if !strings.Contains(progress.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, progress.String())
		}
	}
	if strings.Contains(progress.String(), readyLine) {
		t.Error("the ready line leaked into progress")
	}
	f.assertClean(t, out.Results)
}

func TestRunNamesMissingRunTools(t *testing.T) {
	f := newFakeRun(t, hangingQemu)
	f.tools[toolQemu.name] = "/nonexistent/qemu-system-x86_64"
	_, err := f.run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "apt-get install qemu-system-x86") {
		t.Fatalf("got %v", err)
	}
}

// processState returns a live process's state letter, or "" if it is gone.
// A killed child of a dead parent is a zombie until init reaps it, which
// counts as gone: it no longer runs or holds files.
func processState(pid int) string {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// The state follows the parenthesized command name.
	i := strings.LastIndexByte(string(data), ')')
	if i < 0 || i+2 >= len(data) {
		return ""
	}
	state := string(data[i+2])
	if state == "Z" || state == "X" {
		return ""
	}
	return state
}
