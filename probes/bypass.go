package probes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// The bypass probes try what a compromised service could still do around
// a directive that holds for what it claims: their rows name it in
// Bypasses, and "allowed" is a finding, not a verdict on the directive.

// retInstruction is the one byte written to the executable mappings: x86's
// ret. Nothing ever jumps into it; mapping it executable is the evidence.
func retInstruction() []byte { return []byte{0xc3} }

func checkMemfdExec(ctx context.Context, o Options) Result {
	fd, err := unix.MemfdCreate("hardenlab-probe", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return attempt(err, "memfd_create")
	}
	defer unix.Close(fd)
	if _, err := unix.Write(fd, retInstruction()); err != nil {
		return errored("writing to the memfd: %v", err)
	}
	seals := unix.F_SEAL_WRITE | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
		return errored("sealing the memfd: %v", err)
	}
	return mapExecutable(fd, "a memfd written with one byte and then sealed")
}

// mapExecutable maps fd's first page PROT_READ|PROT_EXEC and unmaps it.
func mapExecutable(fd int, what string) Result {
	b, err := unix.Mmap(fd, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_EXEC, unix.MAP_SHARED)
	if err != nil {
		r := attempt(err, "mmap(PROT_READ|PROT_EXEC) of "+what)
		r.Detail += "; " + mdweState()
		return r
	}
	if err := unix.Munmap(b); err != nil {
		return errored("munmap of the executable mapping: %v", err)
	}
	return allowed("%s was mapped PROT_EXEC (and unmapped, never run): code written at run time can be executed; %s", what, mdweState())
}

func checkShmExec(ctx context.Context, o Options) Result {
	name := scratchFile("/dev/shm", "hardenlab-probe-exec")
	fd, err := unix.Open(name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600)
	if err != nil {
		if e, ok := errnoOf(err); ok && (isDenied(e) || e == unix.ENOENT) {
			return blocked(e, "cannot create a file in /dev/shm: %v", err)
		}
		return errored("creating %s: %v", name, err)
	}
	defer unix.Close(fd)
	// Unlinked before anything a filter could kill the probe for, so that
	// nothing is left in /dev/shm; the mapping still goes through its mount.
	if err := unix.Unlink(name); err != nil {
		return errored("removing %s: %v", name, err)
	}
	if _, err := unix.Write(fd, retInstruction()); err != nil {
		return errored("writing to the /dev/shm file: %v", err)
	}
	return mapExecutable(fd, "a file the probe wrote in /dev/shm")
}

// readImpliesExec makes every readable mapping executable.
const readImpliesExec = uintptr(linux.ReadImpliesExec)

func checkReadImpliesExec(ctx context.Context, o Options) Result {
	cur, _, e := unix.Syscall(unix.SYS_PERSONALITY, uintptr(linux.PersonalityQuery), 0, 0)
	if e != 0 {
		return setReadImpliesExecBlind(e)
	}
	if cur&readImpliesExec != 0 {
		return allowed("READ_IMPLIES_EXEC is already set (persona %#x)", cur)
	}
	if _, _, e := unix.Syscall(unix.SYS_PERSONALITY, cur|readImpliesExec, 0, 0); e != 0 {
		return attempt(e, fmt.Sprintf("personality(%#x|READ_IMPLIES_EXEC)", cur))
	}
	got, _, e := unix.Syscall(unix.SYS_PERSONALITY, uintptr(linux.PersonalityQuery), 0, 0)
	if _, _, e2 := unix.Syscall(unix.SYS_PERSONALITY, cur, 0, 0); e2 != 0 {
		return errored("READ_IMPLIES_EXEC set but the persona could not be restored to %#x: %v", cur, e2)
	}
	switch {
	case e != 0:
		return errored("personality(query) after the change: %v", e)
	case got&readImpliesExec == 0:
		return blocked(0, "personality() accepted READ_IMPLIES_EXEC but reads back %#x without it", got)
	}
	return allowed("personality() set READ_IMPLIES_EXEC (read back %#x) and restored %#x at once: readable mappings can be made executable", got, cur)
}

// setReadImpliesExecBlind tries the change when even the query is denied
// (systemd 252's LockPersonality= allows only the locked persona itself):
// personality() returns the persona it replaced, which is then restored.
func setReadImpliesExecBlind(queryErr unix.Errno) Result {
	old, _, e := unix.Syscall(unix.SYS_PERSONALITY, readImpliesExec, 0, 0)
	if e != 0 {
		r := attempt(e, "personality(READ_IMPLIES_EXEC)")
		r.Detail += "; the query personality(0xffffffff) is denied too (" + errnoName(queryErr) + ")"
		return r
	}
	if _, _, e := unix.Syscall(unix.SYS_PERSONALITY, old, 0, 0); e != 0 {
		return errored("READ_IMPLIES_EXEC set but the persona could not be restored to %#x: %v", old, e)
	}
	return allowed("personality() set READ_IMPLIES_EXEC although the query is denied (%s), and restored %#x at once", errnoName(queryErr), old)
}

// cloneArgs is struct clone_args up to CLONE_ARGS_SIZE_VER0.
type cloneArgs struct {
	flags, pidfd, childTID, parentTID, exitSignal, stack, stackSize, tls uint64
}

func checkClone3Namespace(ctx context.Context, o Options) Result {
	flags := uintptr(unix.CLONE_NEWUTS)
	if !hasCap(linux.CapSysAdmin) {
		flags |= unix.CLONE_NEWUSER // a UTS namespace in a user namespace needs no capability
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	args := cloneArgs{flags: uint64(flags), exitSignal: uint64(unix.SIGCHLD)}
	pid, e := rawClone3Exit(uintptr(unsafe.Pointer(&args)), unsafe.Sizeof(args))
	if e == 0 {
		reap(pid)
		return allowed("clone3(CLONE_NEWUTS) created a process in a new UTS namespace (it exited at once)")
	}
	fallback := "clone(CLONE_NEWUTS), glibc's fallback, "
	if pid, e2 := rawCloneExit(flags); e2 == 0 {
		reap(pid)
		fallback += "succeeded"
	} else {
		fallback += "answered " + errnoName(e2)
	}
	switch {
	case e == unix.ENOSYS:
		return blocked(e, "clone3 answered ENOSYS, systemd's answer to every clone3 (it cannot inspect the flags in memory) so that glibc falls back to clone(); %s", fallback)
	case isDenied(e):
		return blocked(e, "clone3(CLONE_NEWUTS) denied with %s; %s", errnoName(e), fallback)
	}
	r := errored("clone3(CLONE_NEWUTS) failed with unexpected %s; %s", errnoName(e), fallback)
	r.Errno = errnoName(e)
	return r
}

func reap(pid int) {
	var ws unix.WaitStatus
	for {
		if _, err := unix.Wait4(pid, &ws, 0, nil); !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

func checkI386Syscall(ctx context.Context, o Options) Result {
	if runtime.GOARCH != "amd64" {
		return skipped("the i386 ABI exists only next to x86-64 (%s)", runtime.GOARCH)
	}
	type answer struct {
		pid, perf int32
		pidErr    unix.Errno
		perfErr   unix.Errno
		fault     bool
	}
	got, state := onOwnThread(func() (a answer) {
		// Without IA32 emulation int 0x80 faults; SetPanicOnFault turns
		// that into a panic this goroutine recovers from.
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if recover() != nil {
				a = answer{fault: true}
			}
		}()
		a.pid, a.pidErr, _ = i386Call(i386Getpid, 0, 0, 0, 0, 0)
		// perf_event_open(NULL attr, 0, -1, -1, 0): EFAULT when it arrives.
		a.perf, a.perfErr, _ = i386Call(i386PerfEventOpen, 0, 0, 0xffffffff, 0xffffffff, 0)
		return a
	})
	_, _, native := unix.Syscall6(unix.SYS_PERF_EVENT_OPEN, 0, 0, ^uintptr(0), ^uintptr(0), 0, 0)
	nativeIs := "native perf_event_open answered " + errnoName(native)
	switch {
	case state == threadHung:
		return errored("the i386 system calls did not return within %s and their thread still runs", compatThreadWait)
	case state == threadKilled:
		r := blocked(0, "the thread making i386 system calls was killed by SIGSYS (a filter rejecting the i386 ABI); %s", nativeIs)
		r.Signal = "SIGSYS"
		return r
	case got.fault:
		return skipped("int 0x80 faulted: this kernel has no i386 emulation (CONFIG_IA32_EMULATION or ia32_emulation=0)")
	case got.pidErr != 0:
		return blocked(got.pidErr, "getpid() through the i386 ABI denied with %s; %s", errnoName(got.pidErr), nativeIs)
	case got.pid != int32(os.Getpid()):
		return errored("getpid() through the i386 ABI returned %d, want %d", got.pid, os.Getpid())
	case got.perfErr == unix.EFAULT:
		return allowed("perf_event_open (@debug) through the i386 ABI reached the kernel (EFAULT for its NULL attribute); %s", nativeIs)
	}
	return blocked(got.perfErr, "perf_event_open through the i386 ABI got %s while getpid() through it works; %s", errnoName(got.perfErr), nativeIs)
}

type threadEnd int

const (
	threadReturned threadEnd = iota
	threadKilled             // gone: a filter killed just that thread
	threadHung               // still there after compatThreadWait
)

// onOwnThread runs f on a locked thread of its own that is never handed
// back, since a filter may kill just that thread. The thread is watched
// rather than waited for: f's answer is sent before its goroutine ends and
// the runtime retires the locked thread, so a thread gone without an
// answer was killed.
func onOwnThread[T any](f func() T) (T, threadEnd) {
	tids := make(chan int, 1)
	done := make(chan T, 1)
	go func() {
		runtime.LockOSThread()
		tids <- unix.Gettid()
		done <- f()
	}()
	tid := <-tids
	deadline := time.After(compatThreadWait)
	tick := time.NewTicker(threadPoll)
	defer tick.Stop()
	for {
		select {
		case v := <-done:
			return v, threadReturned
		case <-deadline:
			var zero T
			if taskAlive(os.Getpid(), tid) {
				return zero, threadHung
			}
			return zero, threadKilled
		case <-tick.C:
			if taskAlive(os.Getpid(), tid) {
				continue
			}
			select {
			case v := <-done:
				return v, threadReturned
			default:
				var zero T
				return zero, threadKilled
			}
		}
	}
}

// threadPoll is how often onOwnThread looks for its thread in /proc.
const threadPoll = 2 * time.Millisecond

// systemBus is the D-Bus system bus socket.
const systemBus = "/run/dbus/system_bus_socket"

func checkBusConnect(ctx context.Context, o Options) Result {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return attempt(err, "socket(AF_UNIX)")
	}
	defer unix.Close(fd)
	err = unix.Connect(fd, &unix.SockaddrUnix{Name: systemBus})
	if err == nil {
		return allowed("connected to the system bus at %s (closed at once, nothing sent): D-Bus services outside the sandbox are reachable", systemBus)
	}
	if e, ok := errnoOf(err); ok && (e == unix.ENOENT || e == unix.ECONNREFUSED) {
		return blocked(e, "no system bus to connect to at %s: %v", systemBus, err)
	}
	return attempt(err, "connect("+systemBus+")")
}

func checkPtraceChild(ctx context.Context, o Options) Result {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	pid, e := rawForkPause(uintptr(os.Getpid()))
	if e != 0 {
		return errored("forking the child to trace: %v", e)
	}
	defer func() {
		unix.Kill(pid, unix.SIGKILL)
		reap(pid)
	}()
	if _, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(pid), 0, 0, 0, 0); e != 0 {
		r := attempt(e, "ptrace(PTRACE_SEIZE) of its own child")
		r.Detail += "; CAP_SYS_PTRACE " + capState(linux.CapSysPtrace)
		return r
	}
	return allowed("ptrace(PTRACE_SEIZE) of its own child succeeded (the child was then killed); CAP_SYS_PTRACE %s: a compromised service can trace and rewrite the processes it starts", capState(linux.CapSysPtrace))
}

func capState(c linux.Capability) string {
	if hasCap(c) {
		return "held"
	}
	return "not held"
}
