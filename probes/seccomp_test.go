package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The tests below put the probe under a real seccomp filter of their own,
// installed the way systemd installs one: no_new_privs, then the filter,
// then exec, so that the whole probe process runs under it.

const (
	seccompWrap           = "seccomp-wrap" // install a filter, then exec seccompRun
	seccompRun            = "seccomp-run"  // run the syscalls mode under it
	auditArchX86_64       = 0xc000003e
	seccompRetKillProcess = 0x80000000
	seccompRetKillThread  = 0x00000000
	seccompRetTrap        = 0x00030000
	seccompRetErrno       = 0x00050000
	seccompRetAllow       = 0x7fff0000
)

// denyProgram returns action for the x86-64 calls nrs and foreign for any
// call of another ABI; everything else is allowed.
func denyProgram(action, foreign uint32, nrs []uint32) []unix.SockFilter {
	n := uint8(len(nrs))
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 4}, // seccomp_data.arch
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: auditArchX86_64, Jf: n + 3},
		{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: 0}, // seccomp_data.nr
	}
	for i, nr := range nrs {
		prog = append(prog, unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: nr, Jt: n - uint8(i)})
	}
	return append(prog,
		unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: seccompRetAllow},
		unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: action},
		unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: foreign},
	)
}

// wrapMain is the test binary's seccomp-wrap mode: ACTION FOREIGN NRS
// then the arguments of seccomp-run.
func wrapMain(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("seccomp-wrap: want ACTION FOREIGN NRS ARGS...")
	}
	var vals []uint32
	for _, f := range []string{args[0], args[1]} {
		v, err := strconv.ParseUint(f, 0, 32)
		if err != nil {
			return err
		}
		vals = append(vals, uint32(v))
	}
	var nrs []uint32
	for _, f := range strings.Split(args[2], ",") {
		v, err := strconv.ParseUint(f, 0, 32)
		if err != nil {
			return err
		}
		nrs = append(nrs, uint32(v))
	}
	prog := denyProgram(vals[0], vals[1], nrs)
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	runtime.LockOSThread() // the filter is the calling thread's; exec hands it on
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&fprog)), 0, 0); err != nil {
		return fmt.Errorf("installing the filter: %w", err)
	}
	return syscall.Exec(os.Args[0], append([]string{os.Args[0], seccompRun}, args[3:]...), os.Environ())
}

// runMain is the seccomp-run mode: "syscalls NAMES" or "probe ID".
func runMain(args []string) error {
	if len(args) != 2 {
		return fmt.Errorf("seccomp-run: want syscalls NAMES or probe ID")
	}
	var v any
	switch args[0] {
	case "syscalls":
		doc, err := RunSyscalls(context.Background(), SyscallOptions{Calls: strings.Split(args[1], ","), Self: os.Args[0], Timeout: 500 * time.Millisecond})
		if err != nil {
			return err
		}
		v = doc
	case "probe":
		p, ok := Find(args[1])
		if !ok {
			return fmt.Errorf("no probe %s", args[1])
		}
		v = runProbe(context.Background(), p, Options{Self: os.Args[0]})
	}
	return json.NewEncoder(os.Stdout).Encode(v)
}

// underFilter runs the test binary under a filter and decodes what it
// printed into v.
func underFilter(t *testing.T, action, foreign uint32, deny []string, v any, args ...string) {
	t.Helper()
	var nrs []string
	for _, name := range deny {
		nr, ok := sysNumber(name)
		if !ok {
			t.Fatalf("no number for %s", name)
		}
		nrs = append(nrs, strconv.Itoa(int(nr)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], append([]string{seccompWrap, strconv.FormatUint(uint64(action), 10), strconv.FormatUint(uint64(foreign), 10), strings.Join(nrs, ",")}, args...)...)
	// A process left behind that holds stdout must not hang the test.
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("running under the filter: %v: %s", err, stderr)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("decoding %q: %v", out, err)
	}
}

func skipUnlessLinuxAMD64(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("the filters and tables are x86-64's")
	}
}

func TestSyscallsUnderARealFilter(t *testing.T) {
	skipUnlessLinuxAMD64(t)
	calls := "swapon,getpid,swapoff,getppid,exit"
	control, err := RunSyscalls(context.Background(), SyscallOptions{Calls: strings.Split(calls, ","), Self: os.Args[0]})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		action uint32
		judge  string // the action CallVerdict checks
		want   []CallOutcome
		errno  string
	}{
		{"errno EPERM", seccompRetErrno | uint32(unix.EPERM), "EPERM", []CallOutcome{CallBlocked, CallAllowed, CallBlocked, CallAllowed, CallNotProbed}, "EPERM"},
		{"errno EACCES", seccompRetErrno | uint32(unix.EACCES), "EACCES", []CallOutcome{CallBlocked, CallAllowed, CallBlocked, CallAllowed, CallNotProbed}, "EACCES"},
		{"kill process", seccompRetKillProcess, ActionKill, []CallOutcome{CallKilled, CallAllowed, CallKilled, CallAllowed, CallNotProbed}, ""},
		{"kill thread", seccompRetKillThread, ActionKill, []CallOutcome{CallKilled, CallAllowed, CallKilled, CallAllowed, CallNotProbed}, ""},
		{"trap", seccompRetTrap, ActionKill, []CallOutcome{CallKilled, CallAllowed, CallKilled, CallAllowed, CallNotProbed}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc SyscallsDocument
			underFilter(t, tt.action, seccompRetAllow, []string{"swapon", "swapoff"}, &doc, "syscalls", calls)
			if len(doc.Calls) != len(tt.want) {
				t.Fatalf("%d results, want %d", len(doc.Calls), len(tt.want))
			}
			for i, r := range doc.Calls {
				if r.Outcome != tt.want[i] {
					t.Errorf("%s: %s (%s), want %s", r.Name, r.Outcome, r.Detail, tt.want[i])
				}
				if r.Outcome == CallBlocked && r.Errno != tt.errno {
					t.Errorf("%s: errno %s, want %s", r.Name, r.Errno, tt.errno)
				}
				denied := r.Name == "swapon" || r.Name == "swapoff"
				v, why := CallVerdict(control.Calls[i], r, denied, tt.judge)
				want := Enforced
				if r.Name == "exit" {
					want = Inconclusive
				}
				if v != want {
					t.Errorf("%s: verdict %s (%s), want %s", r.Name, v, why, want)
				}
			}
		})
	}
}

// The errno is checked: a filter answering EACCES where the unit declares
// EPERM does not enforce it.
func TestCallVerdictChecksTheErrno(t *testing.T) {
	ctl := CallResult{Name: "swapon", Outcome: CallAllowed, Errno: "EFAULT", Expected: "EFAULT", Capability: "CAP_SYS_ADMIN", CapabilityHeld: true}
	eperm := CallResult{Name: "swapon", Outcome: CallBlocked, Errno: "EPERM", Expected: "EFAULT", Capability: "CAP_SYS_ADMIN", CapabilityHeld: true}
	eacces := CallResult{Name: "swapon", Outcome: CallBlocked, Errno: "EACCES", Expected: "EFAULT", Capability: "CAP_SYS_ADMIN", CapabilityHeld: true}
	killed := CallResult{Name: "swapon", Outcome: CallKilled, Expected: "EFAULT", Capability: "CAP_SYS_ADMIN", CapabilityHeld: true}
	tests := []struct {
		name    string
		profile CallResult
		denied  bool
		action  string
		capHeld bool
		want    VerdictKind
	}{
		{"declared errno", eperm, true, "EPERM", true, Enforced},
		{"other errno", eacces, true, "EPERM", true, NotEnforced},
		{"errno where a kill is declared", eperm, true, ActionKill, true, NotEnforced},
		{"kill", killed, true, ActionKill, true, Enforced},
		{"kill where an errno is declared", killed, true, "EPERM", true, NotEnforced},
		{"reached the kernel", ctl, true, "EPERM", true, NotEnforced},
		{"EPERM without every capability", eperm, true, "EPERM", false, Inconclusive},
		{"allowed and allowed", ctl, false, "EPERM", true, Enforced},
		{"allowed but blocked", eperm, false, "EPERM", true, NotEnforced},
		{"allowed, EPERM for a missing capability", eperm, false, "EPERM", false, Inconclusive},
		{"errno equal to the harmless answer", CallResult{Name: "swapon", Outcome: CallAllowed, Errno: "EFAULT", Expected: "EFAULT"}, true, "EFAULT", true, Inconclusive},
	}
	for _, tt := range tests {
		tt.profile.CapabilityHeld = tt.capHeld
		if v, why := CallVerdict(ctl, tt.profile, tt.denied, tt.action); v != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, v, why, tt.want)
		}
	}
	if v, _ := CallVerdict(killed, eperm, true, "EPERM"); v != Inconclusive {
		t.Errorf("a call killed under the control too: %s, want inconclusive", v)
	}
	// A kernel without the call answers ENOSYS, without any filter: the
	// filter is shown by an answer that differs from it, never by one
	// that equals it.
	enosys := CallResult{Name: "uselib", Outcome: CallBlocked, Errno: "ENOSYS", Expected: "EFAULT"}
	for _, tt := range []struct {
		name    string
		profile CallResult
		denied  bool
		action  string
		want    VerdictKind
	}{
		{"kernel lacks it, the filter kills", CallResult{Name: "uselib", Outcome: CallKilled}, true, ActionKill, Enforced},
		{"kernel lacks it, the filter's EPERM", CallResult{Name: "uselib", Outcome: CallBlocked, Errno: "EPERM"}, true, "EPERM", Enforced},
		{"kernel lacks it, the filter's errno is ENOSYS", enosys, true, "ENOSYS", Inconclusive},
		{"kernel lacks it, ENOSYS where EPERM is declared", enosys, true, "EPERM", Inconclusive},
		{"kernel lacks it, another errno", CallResult{Name: "uselib", Outcome: CallBlocked, Errno: "EACCES"}, true, "EPERM", Inconclusive},
		{"kernel lacks it, not denied", CallResult{Name: "uselib", Outcome: CallBlocked, Errno: "EPERM"}, false, "EPERM", Inconclusive},
	} {
		if v, why := CallVerdict(enosys, tt.profile, tt.denied, tt.action); v != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, v, why, tt.want)
		}
	}
	if v, _ := CallVerdict(ctl, CallResult{Name: "swapoff"}, true, "EPERM"); v != VerdictError {
		t.Errorf("results of two calls compared: %s, want error", v)
	}
}

// Under a filter that denies perf_event_open for x86-64 only, the i386 ABI
// still reaches it: the bypass is a finding. A filter that kills foreign
// ABIs closes it.
func TestI386BypassUnderARealFilter(t *testing.T) {
	skipUnlessLinuxAMD64(t)
	var r Result
	underFilter(t, seccompRetErrno|uint32(unix.EPERM), seccompRetAllow, []string{"perf_event_open"}, &r, "probe", "bypass.i386-syscall")
	if r.Outcome == Skipped {
		t.Skip(r.Detail)
	}
	if r.Outcome != Allowed || !strings.Contains(r.Detail, "native perf_event_open answered EPERM") {
		t.Errorf("native-only filter: %s: %s", r.Outcome, r.Detail)
	}
	underFilter(t, seccompRetErrno|uint32(unix.EPERM), seccompRetKillThread, []string{"perf_event_open"}, &r, "probe", "bypass.i386-syscall")
	if r.Outcome != Blocked || r.Signal != "SIGSYS" {
		t.Errorf("filter killing foreign ABIs: %s %s: %s", r.Outcome, r.Signal, r.Detail)
	}
}

// sameBinary lists the other processes running this test binary.
func sameBinary(t *testing.T) []string {
	t.Helper()
	self, _ := os.Readlink("/proc/self/exe")
	entries, _ := os.ReadDir("/proc")
	var out []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil || e.Name() == strconv.Itoa(os.Getpid()) {
			continue
		}
		if exe, err := os.Readlink("/proc/" + e.Name() + "/exe"); err == nil && exe == self {
			out = append(out, e.Name())
		}
	}
	return out
}

// A filter that kills ptrace() kills the probe child while its traced
// child sleeps: that one must die with it.
func TestPtraceBypassLeavesNoChildWhenKilled(t *testing.T) {
	skipUnlessLinuxAMD64(t)
	var r Result
	underFilter(t, seccompRetKillProcess, seccompRetAllow, []string{"ptrace"}, &r, "probe", "bypass.ptrace-child")
	if r.Outcome != Blocked || r.Signal != "SIGSYS" {
		t.Errorf("ptrace denied by a kill filter: %s %s: %s", r.Outcome, r.Signal, r.Detail)
	}
	deadline := time.Now().Add(2 * time.Second)
	for left := sameBinary(t); len(left) > 0; left = sameBinary(t) {
		if time.Now().After(deadline) {
			t.Fatalf("processes of the probe left behind: %v", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
