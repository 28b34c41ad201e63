package probes

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// RunChild runs one probe's check in the current process. It is the body of
// the hidden "child" sub-command and must only run in a disposable process.
func RunChild(ctx context.Context, id string, o Options) (Result, error) {
	p, ok := Find(id)
	if !ok {
		p, ok = findPreflight(id)
	}
	if !ok {
		return Result{}, fmt.Errorf("running child probe: unknown probe id %q", id)
	}
	r := p.check(ctx, o)
	r.ID = p.ID
	return r, nil
}

// missingNeed says why a probe cannot run with these options, or "".
func missingNeed(p Probe, o Options) string {
	switch p.Needs {
	case NeedTCPTarget:
		if o.TCPTarget == "" {
			return "no --tcp-target listener given"
		}
	case NeedReadOnlyPath:
		if o.ReadOnlyPath == "" {
			return "no --ro-path given (the path the profile lists in ReadOnlyPaths=)"
		}
	case NeedReadWritePath:
		if o.ReadWritePath == "" {
			return "no --rw-path given (the path the profile lists in ReadWritePaths=)"
		}
	case NeedHiddenPath:
		if o.HiddenPath == "" {
			return "no --hidden-path given (the path the profile lists in InaccessiblePaths=)"
		}
	}
	return ""
}

// runProbe runs one probe, in this process when it is safe to (see
// Probe.InProcess) and otherwise in a fresh child, and classifies how it
// ended.
func runProbe(ctx context.Context, p Probe, o Options) Result {
	var r Result
	switch why := missingNeed(p, o); {
	case why != "":
		r = skipped("%s", why)
	case p.inProcess(o):
		r = runProbeInProcess(ctx, p, o)
	default:
		r = runProbeChild(ctx, p, o)
	}
	r.ID = p.ID
	return r
}

// inProcess says whether this run calls p's check itself.
func (p Probe) inProcess(o Options) bool {
	return p.InProcess && !o.IsolateAll
}

// runProbeInProcess calls the check on its own goroutine so that a hang
// still ends as an "error" after the timeout, as a hung child would; the
// abandoned goroutine only reads, and the process exits soon after.
func runProbeInProcess(ctx context.Context, p Probe, o Options) Result {
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	// Buffered: an abandoned check must still be able to finish.
	done := make(chan Result, 1)
	go func() {
		// A bug in one check must cost that probe, not the whole document.
		defer func() {
			if v := recover(); v != nil {
				done <- errored("probe panicked in process: %v", v)
			}
		}()
		done <- p.check(ctx, o)
	}()
	select {
	case r := <-done:
		return r
	case <-ctx.Done():
		select {
		case r := <-done:
			return r
		default:
			return errored("in-process probe did not finish within %s", o.timeout())
		}
	}
}

func runProbeChild(ctx context.Context, p Probe, o Options) Result {
	self := o.Self
	if self == "" {
		self = "/proc/self/exe"
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, self, append([]string{"child", p.ID}, o.childArgs()...)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Unshareflags: uintptr(p.Unshare &^ linux.NamespacePID)}
	// After unshare(CLONE_NEWPID) the exec'd Go runtime could not create
	// threads (CLONE_THREAD across PID namespaces is EINVAL), so the PID
	// namespace is asked for through clone() instead, which the same
	// RestrictNamespaces= filter covers.
	cmd.SysProcAttr.Cloneflags = uintptr(p.Unshare & linux.NamespacePID)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return errored("probe child did not finish within %s", o.timeout())
	}
	return classifyChild(p, err, stdout.Bytes(), stderr.String())
}

// classifyChild turns how the child ended into a Result. It is separate
// from the exec so that the classification is unit-testable.
func classifyChild(p Probe, runErr error, stdout []byte, stderr string) Result {
	var exitErr *exec.ExitError
	switch {
	case runErr == nil:
		var r Result
		if err := json.Unmarshal(bytes.TrimSpace(stdout), &r); err != nil {
			return errored("probe child printed no result: %v", err)
		}
		return r
	case errors.As(runErr, &exitErr):
		return classifyExit(p, exitErr.ProcessState.Sys(), stderr)
	default:
		// The child never ran: for the namespace probes this is the
		// answer (Go's fork reports the unshare() errno); for the others
		// it is a failure of the probe itself.
		e, ok := errnoOf(runErr)
		if p.Unshare != 0 && ok {
			return classifyUnshare(e)
		}
		return errored("starting the probe child: %v", runErr)
	}
}

func classifyExit(p Probe, sys any, stderr string) Result {
	ws, ok := sys.(syscall.WaitStatus)
	if !ok {
		return errored("probe child failed: %s", firstLine(stderr))
	}
	if ws.Signaled() {
		sig := ws.Signal()
		name := unix.SignalName(sig)
		if sig == unix.SIGSYS {
			r := blocked(0, "killed by SIGSYS: a seccomp filter denied it (%s)", p.Attempts)
			r.Signal = name
			return r
		}
		r := errored("probe child killed by %s", name)
		r.Signal = name
		return r
	}
	// A filter with SECCOMP_RET_TRAP delivers SIGSYS as a signal, which the
	// Go runtime reports as a fatal "unexpected signal" before exiting 2.
	if strings.Contains(stderr, "SIGSYS") {
		r := blocked(0, "trapped by SIGSYS: a seccomp filter denied it (%s)", p.Attempts)
		r.Signal = "SIGSYS"
		return r
	}
	return errored("probe child exited with status %d: %s", ws.ExitStatus(), firstLine(stderr))
}

func classifyUnshare(e unix.Errno) Result {
	switch e {
	case unix.EPERM:
		if !hasCap(linux.CapSysAdmin) {
			return blocked(e, "unshare denied with EPERM; CAP_SYS_ADMIN is not held, so a capability check may be the cause rather than RestrictNamespaces' filter (user namespaces need no capability)")
		}
		return blocked(e, "unshare denied with EPERM although CAP_SYS_ADMIN is held: a seccomp filter (RestrictNamespaces=)")
	case unix.ENOSPC, unix.EUSERS:
		return blocked(e, "unshare refused with %s: the namespace limit (/proc/sys/user/max_*_namespaces) is reached or zero in this environment", errnoName(e))
	case unix.EINVAL:
		return blocked(e, "unshare refused with EINVAL: the kernel does not support this namespace type")
	}
	if isDenied(e) {
		return blocked(e, "unshare denied with %s", errnoName(e))
	}
	r := errored("unshare failed with unexpected %s", errnoName(e))
	r.Errno = errnoName(e)
	return r
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	line, _, _ := strings.Cut(s, "\n")
	if line == "" {
		return "(no output)"
	}
	return line
}

func findPreflight(id string) (Probe, bool) {
	for _, p := range preflightChecks() {
		if p.ID == id {
			return p, true
		}
	}
	return Probe{}, false
}
