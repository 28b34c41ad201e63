package probes

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// SyscallOptions are the knobs of "hardenlab-probe syscalls".
type SyscallOptions struct {
	Calls    []string      // system call names, as ParseCalls returns them
	Timeout  time.Duration // per call; 0 = DefaultCallTimeout
	Self     string        // executable to re-exec; "" = /proc/self/exe
	PerChild int           // calls one child makes at most; 0 = all of them
}

// DefaultCallTimeout bounds one call: none of the harmless forms blocks, so
// a call that does not return is a hung or thread-killed child.
const DefaultCallTimeout = 2 * time.Second

// SyscallChildCommand is the hidden sub-command a batch child runs.
const SyscallChildCommand = "syscall-child"

// RunSyscalls makes each named call with its harmless arguments in
// disposable children and reports what each got. A child makes its calls
// one after the other and announces each before making it, so that when a
// filter kills it the parent knows which call did, records it as killed
// and starts a new child for the rest. Its error means the probe itself
// failed; denied calls are results.
func RunSyscalls(ctx context.Context, o SyscallOptions) (SyscallsDocument, error) {
	posture, err := ReadPosture("/proc/self")
	if err != nil {
		return SyscallsDocument{}, fmt.Errorf("reading own posture: %w", err)
	}
	doc := SyscallsDocument{Schema: SchemaVersion, Arch: runtime.GOARCH, Posture: posture, Calls: make([]CallResult, len(o.Calls))}
	var todo []int
	for i, name := range o.Calls {
		if r, done := planCall(name); done {
			doc.Calls[i] = r
			continue
		}
		todo = append(todo, i)
	}
	for len(todo) > 0 {
		if err := ctx.Err(); err != nil {
			return SyscallsDocument{}, fmt.Errorf("running system calls: %w", err)
		}
		batch := todo
		if o.PerChild > 0 && len(batch) > o.PerChild {
			batch = batch[:o.PerChild]
		}
		names := make([]string, len(batch))
		for j, i := range batch {
			names[j] = o.Calls[i]
		}
		results := runSyscallChild(ctx, o, names)
		for j, r := range results {
			doc.Calls[batch[j]] = r
		}
		todo = todo[len(results):]
	}
	return doc, nil
}

// childLine is one line of a batch child's output: either the
// announcement of the call it is about to make, or that call's result.
type childLine struct {
	start  bool
	tid    int
	result CallResult
}

func parseChildLine(line string) (childLine, error) {
	if rest, ok := strings.CutPrefix(line, "start "); ok {
		tid, err := strconv.Atoi(rest)
		if err != nil {
			return childLine{}, fmt.Errorf("bad announcement %q", line)
		}
		return childLine{start: true, tid: tid}, nil
	}
	var r CallResult
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		return childLine{}, fmt.Errorf("bad result line %q: %w", line, err)
	}
	return childLine{result: r}, nil
}

// runSyscallChild runs one child over names and returns the results of
// the calls it got through: all of them, or those before the one that
// ended it plus that one (killed or error). It returns at least one.
func runSyscallChild(ctx context.Context, o SyscallOptions, names []string) []CallResult {
	self := o.Self
	if self == "" {
		self = "/proc/self/exe"
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	cmd := exec.Command(self, SyscallChildCommand, strings.Join(names, ","))
	// Go's asynchronous preemption signals threads with tgkill(): off, so
	// that the runtime makes no call of its own between two probed ones.
	cmd.Env = append(os.Environ(), "GODEBUG=asyncpreemptoff=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		return []CallResult{callError(names[0], "starting the system call child: %v", err)}
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	out, end := readChild(ctx, cmd, lines, timeout, names)
	if len(out) < len(names) {
		_ = cmd.Process.Kill()
	}
	// Wait only once the output is drained: it closes the pipe.
	for range lines {
	}
	werr := cmd.Wait()
	if len(out) == len(names) {
		return out
	}
	name := names[len(out)]
	switch {
	case end.why != "":
		return append(out, callError(name, "%s", end.why))
	case end.threadKilled:
		return append(out, callKilled(name, "its thread was killed by SIGSYS while making the call (SECCOMP_RET_KILL_THREAD)"))
	}
	return append(out, childEnd(name, werr, stderr.String(), end.tid != 0))
}

// childStop says why a child stopped answering before the last name.
type childStop struct {
	tid          int    // thread of a call announced but not answered; 0 = none
	threadKilled bool   // that thread is gone while the process lives
	why          string // the child hung, garbled its output or was interrupted
}

// readChild collects results until the child has answered every name or
// stops answering.
func readChild(ctx context.Context, cmd *exec.Cmd, lines <-chan string, timeout time.Duration, names []string) ([]CallResult, childStop) {
	var out []CallResult
	var tid int
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for len(out) < len(names) {
		select {
		case line, ok := <-lines:
			if !ok {
				return out, childStop{tid: tid}
			}
			l, err := parseChildLine(line)
			if err != nil {
				return out, childStop{why: err.Error()}
			}
			if l.start {
				tid = l.tid
				timer.Reset(timeout)
				continue
			}
			if l.result.Name != names[len(out)] {
				return out, childStop{why: fmt.Sprintf("the child answered for %q, want %q", l.result.Name, names[len(out)])}
			}
			out, tid = append(out, l.result), 0
		case <-timer.C:
			if tid != 0 && !taskAlive(cmd.Process.Pid, tid) {
				return out, childStop{tid: tid, threadKilled: true}
			}
			return out, childStop{why: fmt.Sprintf("the call did not return within %s", timeout)}
		case <-ctx.Done():
			return out, childStop{why: "interrupted: " + ctx.Err().Error()}
		}
	}
	return out, childStop{}
}

// childEnd classifies how a child that stopped answering ended; started
// says whether it had announced the call.
func childEnd(name string, werr error, stderr string, started bool) CallResult {
	var exitErr *exec.ExitError
	if !errors.As(werr, &exitErr) {
		return callError(name, "the system call child ended without answering (%v): %s", werr, firstLine(stderr))
	}
	ws, ok := exitErr.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ok && ws.Signaled() && ws.Signal() == unix.SIGSYS && started:
		return callKilled(name, "the process was killed by SIGSYS making the call (SECCOMP_RET_KILL_PROCESS)")
	case ok && !ws.Signaled() && started && strings.Contains(stderr, "SIGSYS"):
		return callKilled(name, "the call trapped with SIGSYS (SECCOMP_RET_TRAP), which ended the process")
	case ok && ws.Signaled():
		return callError(name, "the system call child died of %s (started the call: %v): %s", unix.SignalName(ws.Signal()), started, firstLine(stderr))
	}
	return callError(name, "the system call child exited with %v before answering: %s", werr, firstLine(stderr))
}

func callKilled(name, detail string) CallResult {
	r := CallResult{Name: name, Number: -1, Outcome: CallKilled, Detail: detail}
	if nr, ok := sysNumber(name); ok {
		r.Number = int(nr)
	}
	if h, ok := findHarmless(name); ok {
		r.Expected = expectedName(h.want)
		r.Capability, r.CapabilityHeld = h.capabilityState()
	}
	return r
}

func callError(name, format string, a ...any) CallResult {
	r := callKilled(name, oneLine(fmt.Sprintf(format, a...)))
	r.Outcome = CallError
	return r
}

// taskAlive says whether thread tid of process pid still runs. A killed
// thread group leader stays listed, as a zombie, while the other threads
// live on: its state tells.
func taskAlive(pid, tid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/stat", pid, tid))
	if err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// RunSyscallChild is the body of the hidden syscall-child sub-command: it
// makes each call on one locked thread, announcing it on w first ("start
// TID") and then printing its result as one JSON line. It must only run in
// a disposable process.
func RunSyscallChild(names []string, w io.Writer) error {
	runtime.LockOSThread()
	enc := json.NewEncoder(w)
	for _, name := range names {
		h, ok := findHarmless(name)
		if _, known := sysNumber(name); !ok || !known {
			return fmt.Errorf("system call child: %q has no harmless form", name)
		}
		if _, err := fmt.Fprintf(w, "start %d\n", unix.Gettid()); err != nil {
			return fmt.Errorf("announcing %s: %w", name, err)
		}
		_, e := invoke(h)
		if err := enc.Encode(classifyCall(h, e)); err != nil {
			return fmt.Errorf("writing the result of %s: %w", name, err)
		}
	}
	return nil
}
