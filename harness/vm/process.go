package vm

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"time"
)

// waitDelay bounds how long Wait lingers for pipes after the process group
// was killed, so a grandchild holding stdout cannot hang us.
const waitDelay = 5 * time.Second

// groupCommand makes a command that runs in its own process group and whose
// whole group is SIGKILLed when ctx ends: debootstrap, apt and QEMU all fork,
// and killing only the direct child would leave the rest running. The child
// also gets SIGKILL if we die without cleaning up (Pdeathsig). Pdeathsig
// follows the OS thread that started the child, not the process, so callers
// start and wait for it under lockThread: a thread exiting under us (Go ends
// threads whose goroutine exits while locked, as namespace code does) must
// not kill a healthy guest.
func groupCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return killGroup(cmd) }
	cmd.WaitDelay = waitDelay
	return cmd
}

func killGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	// Negative pid: the whole group. ESRCH just means it is already gone.
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
		return err
	}
	return nil
}

// runQuiet runs a command to completion and, on failure, returns an error
// carrying the tail of its combined output, which is where tools say why.
func runQuiet(ctx context.Context, what string, name string, args ...string) ([]byte, error) {
	defer lockThread()()
	cmd := groupCommand(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	err := cmd.Run()
	if err != nil {
		if ctx.Err() != nil {
			return out.Bytes(), fmt.Errorf("%s: %w", what, ctx.Err())
		}
		return out.Bytes(), fmt.Errorf("%s: %s: %w\n%s", what, name, err, tail(out.String(), 20))
	}
	return out.Bytes(), nil
}

// tail keeps the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// lockThread pins the calling goroutine to its OS thread until the returned
// func is called; see groupCommand.
func lockThread() func() {
	runtime.LockOSThread()
	return runtime.UnlockOSThread
}
