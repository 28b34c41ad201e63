package sandbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hardenlab/hardenlab/harness/systemd"
)

// runBase is where per-run directories live, on the host and, bound at the
// same path, inside the container.
const runBase = "/run/hardenlab"

// permissiveFilter re-allows the syscall groups nspawn filters by default,
// so that the container does not already forbid what directives forbid.
const permissiveFilter = "@clock @module @raw-io @swap @obsolete @reboot @cpu-emulation @debug @privileged @mount @resources"

// nspawnEnv makes /proc/sys and /sys writable inside the container, so
// that ProtectKernelTunables has something to protect.
var nspawnEnv = []string{"SYSTEMD_NSPAWN_API_VFS_WRITABLE=1"}

// presetFile, bound over the volatile /etc, disables every unit its
// presets would enable on the container's first boot.
const (
	presetFile       = "hardenlab.preset"
	presetDisableAll = "# hardenlab: nothing is enabled on the container's first boot\ndisable *\n"
)

// MachineName is the container name for a run; gc relies on it.
func MachineName(runID string) string { return "hardenlab-" + runID }

// nspawnArgs is the full command line, recorded in the environment so a
// user can reproduce the container by hand.
func nspawnArgs(root, runID, runDir string, view RootView) []string {
	args := []string{"--quiet"}
	if view == Volatile {
		// A volatile /etc is a first boot: systemd applies the presets,
		// and Debian's enable what they do not name — ssh.socket among
		// them, listening on port 22 of the host's network namespace,
		// which the container shares. Only what the root enables
		// statically starts.
		args = append(args, "--volatile=yes",
			"--bind-ro="+filepath.Join(runDir, presetFile)+":/etc/systemd/system-preset/00-hardenlab.preset")
	}
	return append(args,
		"--directory="+root,
		"--boot",
		"--machine="+MachineName(runID),
		"--register=no",
		"--keep-unit",
		"--console=passive",
		"--capability=all",
		"--system-call-filter="+permissiveFilter,
		"--bind-ro="+filepath.Join(runDir, "bin")+":"+filepath.Join(runBase, runID, "bin"),
		"--bind="+filepath.Join(runDir, "out")+":"+filepath.Join(runBase, runID, "out"),
		"--setenv=HARDENLAB_RUN="+runID,
		"--",
		"systemd.firstboot=off",
		// basic.target has what hardenlab needs (the manager, D-Bus,
		// journald) and none of the multi-user services a host may have
		// installed — some wait minutes for a network the container lacks.
		"systemd.unit=basic.target",
	)
}

func startNspawn(ctx context.Context, opts Options) (_ *Sandbox, err error) {
	var sb *Sandbox
	bin, err := exec.LookPath("systemd-nspawn")
	if err != nil {
		return nil, fmt.Errorf("%w: systemd-nspawn not found (on Debian: apt-get install systemd-container)", ErrNoSystemd)
	}
	root := opts.Root
	if root == "" {
		root = "/"
	}
	if _, err := os.Stat(filepath.Join(root, "lib/systemd/systemd")); err != nil {
		if _, err2 := os.Stat(filepath.Join(root, "usr/lib/systemd/systemd")); err2 != nil {
			return nil, fmt.Errorf("%w: %s has no systemd to boot (install the systemd package in that root)", ErrNoSystemd, root)
		}
	}
	runDir, err := makeRunDir(runBase, opts.RunID, opts.Binaries)
	if err != nil {
		return nil, fmt.Errorf("preparing sandbox directories: %w", err)
	}
	sb = &Sandbox{
		Kind:       Nspawn,
		BinDir:     filepath.Join(runBase, opts.RunID, "bin"),
		OutDir:     filepath.Join(runBase, opts.RunID, "out"),
		HostOutDir: filepath.Join(runDir, "out"),
		hostDir:    runDir,
	}
	defer func() {
		if err != nil && sb != nil {
			// Close must not depend on ctx: it may be the cancelled one.
			cctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			_ = sb.Close(cctx)
		}
	}()

	view, err := ParseRootView(string(opts.RootView))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(runDir, presetFile), []byte(presetDisableAll), 0o644); err != nil {
		return nil, fmt.Errorf("writing the container's preset: %w", err)
	}
	boot := root
	if view == Overlay {
		// Mounted before the owner file exists: a run that dies here
		// leaves a directory gc treats as debris after a minute, and
		// Debris.Clean unmounts before it removes.
		if boot, err = mountOverlay(runDir, root); err != nil {
			return nil, err
		}
	}
	sb.Env.RootView = view
	args := nspawnArgs(boot, opts.RunID, runDir, view)
	var stderr bytes.Buffer
	// Not CommandContext: the container must be shut down in order by
	// Close, not killed mid-run by a cancelled context.
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), nspawnEnv...)
	cmd.Stdin = nil
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		// Own process group: a terminal's Ctrl-C reaches hardenlab, which
		// then cleans up in order, instead of killing the container first.
		Setpgid: true,
		// If hardenlab dies without cleaning up, nspawn powers the
		// container off.
		Pdeathsig: syscall.SIGTERM,
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting systemd-nspawn: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	sb.stop = func(ctx context.Context) error { return stopNspawn(ctx, cmd, exited, &stderr) }
	if err := writeOwner(runDir, opts.RunID, cmd.Process.Pid, ""); err != nil {
		return nil, err
	}

	timeout := opts.BootTimeout
	if timeout == 0 {
		// About a second on an idle machine; a loaded CI runner can take
		// many times that.
		timeout = 90 * time.Second
	}
	bctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	leader, err := waitLeader(bctx, cmd.Process.Pid, exited, &stderr)
	if err != nil {
		return nil, err
	}
	sb.leader = leader
	if err := waitRunning(bctx, leader, exited, &stderr); err != nil {
		return nil, err
	}
	// A host's tmpfiles.d may name users the container's fresh /etc does
	// not have yet; systemd-tmpfiles then stops short of /var/tmp. The
	// container is throwaway: give it the standard sticky temp dirs.
	for _, d := range []string{"/tmp", "/var/tmp"} {
		hp := sb.HostPath(d)
		if err := os.MkdirAll(hp, 0o755); err != nil {
			return nil, fmt.Errorf("creating %s in the container: %w", d, err)
		}
		if err := os.Chmod(hp, 0o1777|os.ModeSticky); err != nil {
			return nil, fmt.Errorf("setting the mode of %s in the container: %w", d, err)
		}
	}
	sb.BusAddress = "unix:path=" + fmt.Sprintf("/proc/%d/root/run/dbus/system_bus_socket", leader)
	sb.Env.BootMillis = float64(time.Since(start).Microseconds()) / 1000
	sb.Env.NspawnArgs = append([]string{bin}, args...)
	sb.Env.NspawnEnv = nspawnEnv
	if err := sb.describe(ctx, root); err != nil {
		return nil, err
	}
	return sb, nil
}

// waitLeader finds the container's PID 1 among nspawn's children. nspawn
// first forks a helper in the host's PID namespace that sets things up and
// exits; the leader is the child that lives in a PID namespace of its own.
func waitLeader(ctx context.Context, nspawnPID int, exited <-chan error, out *bytes.Buffer) (int, error) {
	self, _ := os.Readlink("/proc/self/ns/pid")
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", nspawnPID, nspawnPID)); err == nil {
			for _, f := range strings.Fields(string(data)) {
				pid, err := strconv.Atoi(f)
				if err != nil {
					continue
				}
				if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid)); err == nil && ns != self {
					return pid, nil
				}
			}
		}
		select {
		case err := <-exited:
			return 0, fmt.Errorf("%w: systemd-nspawn exited during boot (%v): %s", ErrNoSystemd, err, lastLines(out.String(), 10))
		case <-ctx.Done():
			return 0, fmt.Errorf("waiting for the container's init: %w", ctx.Err())
		case <-t.C:
		}
	}
}

// waitRunning waits until the container's manager answers on its bus and
// has finished booting.
func waitRunning(ctx context.Context, leader int, exited <-chan error, out *bytes.Buffer) error {
	addr := "unix:path=" + fmt.Sprintf("/proc/%d/root/run/dbus/system_bus_socket", leader)
	sock := fmt.Sprintf("/proc/%d/root/run/dbus/system_bus_socket", leader)
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	state := ""
	for {
		if _, err := os.Stat(sock); err == nil {
			if c, err := systemd.Dial(ctx, addr); err == nil {
				state, _ = c.Manager(ctx, "SystemState")
				c.Close()
				switch state {
				case "running", "degraded":
					return nil
				}
			}
		}
		select {
		case err := <-exited:
			return fmt.Errorf("%w: systemd-nspawn exited during boot (%v): %s", ErrNoSystemd, err, lastLines(out.String(), 10))
		case <-ctx.Done():
			return fmt.Errorf("waiting for the container's systemd to reach running (last state %q): %w", state, ctx.Err())
		case <-t.C:
		}
	}
}

// stopNspawn asks the container to power off (nspawn turns SIGTERM into an
// orderly shutdown of a booted container) and kills it if it takes too long.
func stopNspawn(ctx context.Context, cmd *exec.Cmd, exited <-chan error, out *bytes.Buffer) error {
	if cmd.Process == nil {
		return nil
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	grace := time.NewTimer(10 * time.Second)
	defer grace.Stop()
	select {
	case <-exited:
		return nil
	case <-grace.C:
	case <-ctx.Done():
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Process.Kill()
	select {
	case <-exited:
		return errors.New("the container did not power off in time and was killed")
	case <-time.After(5 * time.Second):
		return fmt.Errorf("systemd-nspawn (pid %d) would not die: %s", cmd.Process.Pid, lastLines(out.String(), 5))
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
