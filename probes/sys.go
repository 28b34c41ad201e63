package probes

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

func checkClockSet(ctx context.Context, o Options) Result {
	// settimeofday(NULL, NULL) goes through the seccomp filter and the
	// kernel's CAP_SYS_TIME check and then has nothing to set: unlike
	// "read the clock and set it to now" it cannot move the clock at all.
	_, _, e := unix.Syscall(unix.SYS_SETTIMEOFDAY, 0, 0, 0)
	if e == 0 {
		return allowed("settimeofday(NULL, NULL) succeeded: this process may set the clock (nothing was changed)")
	}
	if e == unix.EPERM {
		why := "a seccomp filter (CAP_SYS_TIME is held)"
		if !hasCap(linux.CapSysTime) {
			why = "the missing CAP_SYS_TIME (and possibly a filter)"
		}
		return blocked(e, "settimeofday(NULL, NULL) denied with EPERM by %s", why)
	}
	return attempt(e, "settimeofday(NULL, NULL)")
}

func checkSetHostname(ctx context.Context, o Options) Result {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return errored("uname: %v", err)
	}
	name := unix.ByteSliceToString(u.Nodename[:])
	if err := unix.Sethostname([]byte(name)); err != nil {
		return attempt(err, fmt.Sprintf("sethostname(%q) (the current name)", name))
	}
	own, err1 := os.Readlink("/proc/self/ns/uts")
	init, err2 := os.Readlink("/proc/1/ns/uts")
	switch {
	case err1 != nil || err2 != nil:
		return allowed("sethostname(%q) to the current name succeeded; PID 1's UTS namespace is unreadable", name)
	case own != init:
		return allowed("sethostname(%q) to the current name succeeded, in a private UTS namespace (%s, PID 1 has %s)", name, own, init)
	}
	return allowed("sethostname(%q) to the current name succeeded in PID 1's UTS namespace", name)
}

func checkWXMmap(ctx context.Context, o Options) Result {
	b, err := unix.Mmap(-1, 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE|unix.PROT_EXEC, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		r := attempt(err, "mmap(PROT_WRITE|PROT_EXEC, anonymous)")
		r.Detail += "; " + mdweState()
		return r
	}
	if err := unix.Munmap(b); err != nil {
		return errored("munmap of the W+X page: %v", err)
	}
	return allowed("an anonymous W+X page was mapped (and unmapped at once); %s", mdweState())
}

// prGetMDWE reads the kernel's own memory-deny-write-execute flags (Linux
// 6.3+), which systemd 254+ prefers over its seccomp filter.
const prGetMDWE = 66

func mdweState() string {
	flags, err := unix.PrctlRetInt(prGetMDWE, 0, 0, 0, 0)
	if err != nil {
		return "PR_GET_MDWE unavailable (" + err.Error() + ")"
	}
	return fmt.Sprintf("PR_GET_MDWE flags %#x", flags)
}

// schedOther is SCHED_OTHER, the default time-sharing policy.
const schedOther = 0

func checkPersonality(ctx context.Context, o Options) Result {
	cur, _, e := unix.Syscall(unix.SYS_PERSONALITY, uintptr(linux.PersonalityQuery), 0, 0)
	if e != 0 {
		return attempt(e, "personality(query)")
	}
	want := cur ^ uintptr(linux.AddrNoRandomize)
	if _, _, e := unix.Syscall(unix.SYS_PERSONALITY, want, 0, 0); e != 0 {
		return attempt(e, fmt.Sprintf("personality(%v) from %v", linux.Personality(want), linux.Personality(cur)))
	}
	if _, _, e := unix.Syscall(unix.SYS_PERSONALITY, cur, 0, 0); e != 0 {
		return errored("personality changed to %v but could not be restored to %v: %v", linux.Personality(want), linux.Personality(cur), e)
	}
	return allowed("personality changed from %v to %v and back", linux.Personality(cur), linux.Personality(want))
}

func checkSchedFIFO(ctx context.Context, o Options) Result {
	// The scheduler policy is per thread: pin this goroutine so that the
	// switch back hits the same thread.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	prio := int32(1)
	if _, _, e := unix.Syscall(unix.SYS_SCHED_SETSCHEDULER, 0, unix.SCHED_FIFO, uintptr(unsafe.Pointer(&prio))); e != 0 {
		r := attempt(e, "sched_setscheduler(SCHED_FIFO, 1)")
		if e == unix.EPERM && !hasCap(linux.CapSysNice) {
			r.Detail += " (CAP_SYS_NICE is not held either)"
		}
		return r
	}
	zero := int32(0)
	if _, _, e := unix.Syscall(unix.SYS_SCHED_SETSCHEDULER, 0, schedOther, uintptr(unsafe.Pointer(&zero))); e != 0 {
		return errored("switched to SCHED_FIFO but could not switch back: %v", e)
	}
	return allowed("switched its thread to SCHED_FIFO priority 1 and back to SCHED_OTHER")
}

func checkSUIDChmod(ctx context.Context, o Options) Result {
	if o.Scratch == "" {
		return errored("no writable scratch directory")
	}
	name := scratchFile(o.Scratch, "suid")
	if err := os.WriteFile(name, nil, 0o700); err != nil {
		return errored("creating %s: %v", name, err)
	}
	defer os.Remove(name)
	if err := unix.Fchmodat(unix.AT_FDCWD, name, 0o6700, 0); err != nil {
		return attempt(err, "chmod u+s,g+s of a scratch file")
	}
	var st unix.Stat_t
	if err := unix.Stat(name, &st); err != nil {
		return errored("stat %s: %v", name, err)
	}
	if st.Mode&(unix.S_ISUID|unix.S_ISGID) == 0 {
		return blocked(0, "chmod u+s,g+s returned success but the bits did not stick (mode %04o)", st.Mode&0o7777)
	}
	return allowed("chmod u+s,g+s of a scratch file succeeded (mode %04o); file removed", st.Mode&0o7777)
}

// filterAttempt classifies a call that needs no privilege and whose only
// expected failure is ok: reaching the kernel means no filter stood in the
// way. systemd's filters answer EPERM (or SystemCallErrorNumber=) or kill
// with SIGSYS; ENOSYS is the kernel lacking the call.
func filterAttempt(e unix.Errno, call string, ok unix.Errno) Result {
	switch {
	case e == 0:
		return allowed("%s returned successfully: no filter stood in the way", call)
	case e == ok:
		return allowed("%s reached the kernel, which answered %s as expected", call, errnoName(e))
	case e == unix.ENOSYS:
		return allowed("%s answered ENOSYS: the kernel lacks this call (systemd's filter answers EPERM or SIGSYS unless SystemCallErrorNumber=ENOSYS)", call)
	}
	r := blocked(e, "%s denied with %s: only a seccomp filter answers that here (no privilege is involved)", call, errnoName(e))
	return r
}

// perfEventOpenNullAttr calls perf_event_open with a NULL attribute: the
// kernel answers EFAULT while copying it, before any permission check.
func checkFilterDebug(ctx context.Context, o Options) Result {
	_, _, e := unix.Syscall6(unix.SYS_PERF_EVENT_OPEN, 0, 0, ^uintptr(0), ^uintptr(0), 0, 0)
	return filterAttempt(e, "perf_event_open(NULL attr)", unix.EFAULT)
}

func checkFilterRawIO(ctx context.Context, o Options) Result {
	e, ok := ioperm0()
	if !ok {
		return skipped("ioperm exists only on x86 (%s)", runtime.GOARCH)
	}
	return filterAttempt(e, "ioperm(0, 0, 0)", unix.EINVAL)
}

func checkFilterCPUEmulation(ctx context.Context, o Options) Result {
	e, ok := modifyLDTRead()
	if !ok {
		return skipped("modify_ldt exists only on x86 (%s)", runtime.GOARCH)
	}
	return filterAttempt(e, "modify_ldt(read, NULL, 0)", 0)
}

// compatThreadWait bounds how long a non-native call may take before its
// thread is presumed hung; a killed thread is seen gone long before.
const compatThreadWait = 2 * time.Second

func checkCompatSyscall(ctx context.Context, o Options) Result {
	type answer struct {
		ret int64
		e   unix.Errno
		ok  bool
	}
	// libseccomp's default bad-architecture action kills only the calling
	// thread (SECCOMP_RET_KILL_THREAD), which would hang a Go program.
	a, end := onOwnThread(func() answer {
		ret, e, ok := compatGetpid()
		return answer{ret, e, ok}
	})
	switch end {
	case threadKilled:
		r := blocked(0, "the thread that made an x32 system call was killed (SECCOMP_RET_KILL_THREAD, the bad-architecture action of a seccomp filter)")
		r.Signal = "SIGSYS"
		return r
	case threadHung:
		return errored("the x32 system call did not return within %s and its thread is still alive", compatThreadWait)
	}
	if !a.ok {
		return skipped("no non-native ABI probe for %s", runtime.GOARCH)
	}
	pid := os.Getpid()
	switch {
	case a.e == 0 && a.ret == int64(pid):
		return allowed("getpid() through the x32 ABI returned the pid: non-native system calls are allowed")
	case a.e == 0:
		return errored("getpid() through the x32 ABI returned %d, want pid %d", a.ret, pid)
	case a.e == unix.ENOSYS:
		return allowed("getpid() through the x32 ABI passed any filter and reached the kernel, which answered ENOSYS (no x32 support built in); systemd's architecture filter kills or answers EPERM")
	}
	return blocked(a.e, "getpid() through the x32 ABI denied with %s: a seccomp filter rejects non-native architectures", errnoName(a.e))
}
