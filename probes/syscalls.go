package probes

//go:generate go run ./internal/gensysnum -out sysnum_amd64.go

import (
	"fmt"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// CallOutcome is what one system call got inside the sandbox.
type CallOutcome string

const (
	// CallAllowed: the call reached the kernel, which gave the harmless
	// answer the table expects (CallResult.Expected).
	CallAllowed CallOutcome = "allowed"
	// CallBlocked: the call came back with another errno (CallResult.Errno):
	// a filter's SystemCallErrorNumber=, or the kernel's own answer on a
	// kernel that differs (compare with the control run).
	CallBlocked CallOutcome = "blocked"
	// CallKilled: the process, or its thread, died of SIGSYS making the call.
	CallKilled CallOutcome = "killed"
	// CallNotProbed: no harmless form of the call exists (Detail says why),
	// or the name is no x86-64 system call.
	CallNotProbed CallOutcome = "not-probed"
	// CallError: the probe could not tell (the child hung or crashed).
	CallError CallOutcome = "error"
)

// CallResult is the answer to one named system call.
type CallResult struct {
	Name    string      `json:"name"`
	Number  int         `json:"number"` // x86-64 number; -1 when the name has none
	Outcome CallOutcome `json:"outcome"`
	// Errno is what the call returned, e.g. "EPERM"; empty for success,
	// a kill and a call not probed.
	Errno string `json:"errno"`
	// Expected is the harmless answer of an allowed call: an errno name,
	// or "success" for the calls that only read.
	Expected string `json:"expected,omitempty"`
	// Capability is the one the kernel checks before it gives Expected,
	// e.g. "CAP_SYS_ADMIN": without it the kernel's own answer is EPERM.
	Capability string `json:"capability,omitempty"`
	// CapabilityHeld: the probe held Capability in its effective set.
	CapabilityHeld bool   `json:"capability_held,omitempty"`
	Detail         string `json:"detail"`
}

// SyscallsDocument is what "hardenlab-probe syscalls" prints.
type SyscallsDocument struct {
	Schema int    `json:"schema"`
	Arch   string `json:"arch"`
	// Posture is the caller's own, as in Document: a probe unit that
	// makes only system calls proves with it that it shared the
	// service's sandbox.
	Posture Posture      `json:"posture"`
	Calls   []CallResult `json:"calls"`
}

// ParseCalls checks a --calls list: names as systemd and the kernel spell
// them, each once.
func ParseCalls(list string) ([]string, error) {
	var out []string
	for _, n := range strings.Split(list, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !isCallName(n) {
			return nil, fmt.Errorf("--calls: %q is not a system call name (lower-case letters, digits, underscores)", n)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--calls: no system call named")
	}
	return out, nil
}

// isCallName accepts names as the kernel's tables spell them.
func isCallName(n string) bool {
	for i, c := range n {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return n != ""
}

// findHarmless returns the table row of a call.
func findHarmless(name string) (harmlessCall, bool) {
	for _, h := range harmlessCalls() {
		if h.name == name {
			return h, true
		}
	}
	return harmlessCall{}, false
}

// planCall is the parent's answer for a call no child needs to make, or
// ok=false when the call is to be probed.
func planCall(name string) (CallResult, bool) {
	r := CallResult{Name: name, Number: -1, Outcome: CallNotProbed}
	nr, known := sysNumber(name)
	if known {
		r.Number = int(nr)
	}
	if why, ok := notProbed()[name]; ok {
		r.Detail = why
		return r, true
	}
	if _, ok := findHarmless(name); ok && known {
		return CallResult{}, false
	}
	if !known {
		r.Detail = fmt.Sprintf("no %s system call of this name (another architecture's, or newer than this probe)", runtime.GOARCH)
		return r, true
	}
	r.Detail = "no harmless arguments are known for it"
	return r, true
}

// invoke makes the call with its harmless arguments on the calling thread.
func invoke(h harmlessCall) (uintptr, unix.Errno) {
	nr, _ := sysNumber(h.name)
	var a [6]uintptr
	for i, x := range h.args {
		a[i], _ = x.value()
	}
	r, _, e := unix.Syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5])
	if e == 0 && h.closeResult {
		unix.Close(int(r))
	}
	return r, e
}

// classifyCall turns the errno of one harmless call into its result.
func classifyCall(h harmlessCall, e unix.Errno) CallResult {
	nr, _ := sysNumber(h.name)
	r := CallResult{Name: h.name, Number: int(nr), Expected: expectedName(h.want)}
	r.Capability, r.CapabilityHeld = h.capabilityState()
	if e != 0 {
		r.Errno = errnoName(e)
	}
	switch {
	case e == h.want || (h.also != 0 && e == h.also):
		r.Outcome = CallAllowed
		r.Detail = "reached the kernel, which gave the answer these arguments get: " + expectedName(e)
	case h.optional != "" && (e == unix.ENOSYS || e == unix.EOPNOTSUPP):
		r.Outcome = CallBlocked
		r.Detail = fmt.Sprintf("answered %s, which is also what a kernel without %s answers: compare with the control run", r.Errno, h.optional)
	case r.Capability != "" && !r.CapabilityHeld && e == unix.EPERM:
		r.Outcome = CallBlocked
		r.Detail = fmt.Sprintf("answered EPERM instead of %s; the kernel checks %s first and this process lacks it, so the EPERM may be the kernel's", r.Expected, r.Capability)
	default:
		r.Outcome = CallBlocked
		r.Detail = fmt.Sprintf("answered %s instead of %s", expectedName(e), r.Expected)
	}
	return r
}

func expectedName(e unix.Errno) string {
	if e == 0 {
		return "success"
	}
	return errnoName(e)
}

// capabilityState names the capability the call needs and says whether
// this process holds it.
func (h harmlessCall) capabilityState() (string, bool) {
	if h.capability == "" {
		return "", false
	}
	if c, ok := linux.ParseCapability(h.capability); ok {
		return h.capability, hasCap(c)
	}
	return h.capability, false
}

// KernelFeature names the kernel option a call needs ("" when every
// kernel has it): a kernel built without it answers the call ENOSYS or
// EOPNOTSUPP whatever a filter says.
func KernelFeature(name string) string {
	h, _ := findHarmless(name)
	return h.optional
}

// HarmlessAnswer is the answer "syscalls" expects for the named call when
// no filter stops it (an errno name, or "success"); ok is false for a
// call it does not make. The harness samples an allow-list's denied
// groups from these.
func HarmlessAnswer(name string) (answer string, ok bool) {
	if _, done := planCall(name); done {
		return "", false
	}
	h, _ := findHarmless(name)
	return expectedName(h.want), true
}
