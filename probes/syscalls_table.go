package probes

import "golang.org/x/sys/unix"

// arg is one argument from the harmless set: a value the kernel rejects,
// or that asks for nothing, before the call could act.
type arg uint8

const (
	aZero     arg = iota // 0: NULL, no flags, length 0, "the caller" where a pid is 0
	aOne                 // 1: a length or an unaligned address the kernel rejects
	aBadFD               // -1: no file descriptor (EBADF), "unchanged" for the set*id calls
	aBadPtr              // an address in the kernel's half: every copy from or to it fails (EFAULT)
	aBadFlags            // every bit set: no call accepts every flag or command (EINVAL)
	aCwd                 // AT_FDCWD, only ever next to an aBadPtr path
)

// badPointer is no user address on x86-64 (user space ends at
// 0x00007fffffffffff), so access_ok() refuses it before any copy.
const badPointer = 0xffff_8000_0000_1000

func (a arg) value() (uintptr, bool) {
	switch a {
	case aZero:
		return 0, true
	case aOne:
		return 1, true
	case aBadFD, aBadFlags:
		return ^uintptr(0), true
	case aBadPtr:
		return badPointer, true
	case aCwd:
		return uintptr(0xffffffffffffff9c), true // (long)AT_FDCWD = -100
	}
	return 0, false
}

// harmlessErrnos are the only answers a probed call may expect besides
// success (which only the calls that read or ask for nothing expect): each
// is the kernel refusing the arguments before doing anything.
func harmlessErrnos() []unix.Errno {
	return []unix.Errno{
		unix.EFAULT, unix.EBADF, unix.EINVAL,
		unix.ESRCH,   // a pid that names no process (0 where "caller" is not meant)
		unix.ECHILD,  // wait for children the probe child does not have
		unix.ENOENT,  // look up an IPC key nobody created, without IPC_CREAT
		unix.EINTR,   // restart_syscall with nothing to restart
		unix.ENOEXEC, // a module image shorter than an ELF header
		unix.ENOSYS,  // the obsolete calls Linux keeps only as numbers
	}
}

// harmlessCall is how one system call is invoked harmlessly.
type harmlessCall struct {
	name string
	args []arg
	// want is the kernel's answer when the call is allowed; 0 is success.
	want unix.Errno
	// also is the answer of kernels that check the arguments in another
	// order (0 = none): e.g. Linux 6.13 copies an xattr name before it
	// looks up the file descriptor.
	also unix.Errno
	// capability is the one the kernel checks before it gets to want
	// (CAP_SYS_ADMIN); without it EPERM is the kernel's answer, not a filter's.
	capability string
	// optional names the kernel feature the call depends on: without it
	// the kernel answers ENOSYS (or EOPNOTSUPP) instead of want.
	optional string
	// closeResult: the call succeeds with a new file descriptor, closed at once.
	closeResult bool
}

func c(name string, want unix.Errno, args ...arg) harmlessCall {
	return harmlessCall{name: name, args: args, want: want}
}

func (h harmlessCall) or(e unix.Errno) harmlessCall        { h.also = e; return h }
func (h harmlessCall) priv(capability string) harmlessCall { h.capability = capability; return h }
func (h harmlessCall) needs(feature string) harmlessCall   { h.optional = feature; return h }
func (h harmlessCall) closing() harmlessCall               { h.closeResult = true; return h }

// harmlessCalls is every x86-64 system call of systemd's @groups that can be
// called without effect, with the answer it must get when a filter lets it
// through. The unit tests run each one as root outside any filter.
func harmlessCalls() []harmlessCall {
	// The common shapes: (fd, ...) -> EBADF; (user pointer or path, ...)
	// -> EFAULT; (AT_FDCWD, path, ...) -> EFAULT; (flags or command, ...)
	// -> EINVAL; getters; numbers without an implementation.
	fd := func(name string) harmlessCall { return c(name, unix.EBADF, aBadFD, aZero, aZero, aZero, aZero, aZero) }
	ptr := func(name string) harmlessCall {
		return c(name, unix.EFAULT, aBadPtr, aZero, aZero, aZero, aZero, aZero)
	}
	at := func(name string) harmlessCall { return c(name, unix.EFAULT, aCwd, aBadPtr, aZero, aZero, aZero, aZero) }
	inval := func(name string) harmlessCall {
		return c(name, unix.EINVAL, aBadFlags, aZero, aZero, aZero, aZero, aZero)
	}
	get := func(name string) harmlessCall { return c(name, 0) }
	gone := func(name string) harmlessCall { return c(name, unix.ENOSYS) }
	return append(append(append(
		fileCalls(fd, ptr, at, inval),
		processCalls(fd, ptr, inval, get)...),
		memoryIPCCalls(fd, ptr, inval, get)...),
		systemCalls(fd, ptr, at, inval, gone)...)
}

type mk = func(string) harmlessCall

func fileCalls(fd, ptr, at, inval mk) []harmlessCall {
	return []harmlessCall{
		fd("read"), fd("write"), fd("readv"), fd("writev"), fd("pread64"), fd("pwrite64"),
		fd("preadv"), fd("pwritev"), fd("preadv2"), fd("pwritev2"), fd("close"), fd("lseek"),
		fd("fstat"), fd("fstatfs"), fd("fsync"), fd("fdatasync"), fd("syncfs"), fd("ftruncate"),
		fd("fchdir"), fd("fchmod"), fd("fchown"), fd("fcntl"), c("flock", unix.EBADF, aBadFD, aOne), fd("ioctl"),
		fd("getdents"), fd("getdents64"), fd("fgetxattr").or(unix.EFAULT), fd("flistxattr"), fd("fremovexattr").or(unix.EFAULT),
		fd("fsetxattr").or(unix.EFAULT), fd("fadvise64"), fd("fallocate"), fd("readahead"), fd("dup"),
		c("dup2", unix.EBADF, aBadFD, aBadFD), c("dup3", unix.EINVAL, aBadFD, aBadFD, aZero),
		c("sendfile", unix.EBADF, aBadFD, aBadFD, aZero, aOne),
		c("splice", unix.EBADF, aBadFD, aZero, aBadFD, aZero, aOne, aZero),
		c("tee", unix.EBADF, aBadFD, aBadFD, aOne, aZero),
		c("vmsplice", unix.EINVAL, aBadFD, aBadPtr, aOne, aBadFlags),
		c("copy_file_range", unix.EBADF, aBadFD, aZero, aBadFD, aZero, aOne, aZero),
		c("sync_file_range", unix.EBADF, aBadFD, aZero, aZero, aBadFlags),
		c("close_range", unix.EINVAL, aOne, aZero, aBadFlags),
		c("cachestat", unix.EBADF, aBadFD, aBadPtr, aBadPtr, aZero),
		ptr("open"), ptr("creat"), ptr("stat"), ptr("lstat"), ptr("statfs"), ptr("access"),
		ptr("chdir"), ptr("chmod"), ptr("chown"), ptr("lchown"), ptr("chroot"), ptr("mkdir"),
		ptr("rmdir"), ptr("unlink"), ptr("link"), ptr("symlink"), ptr("rename"),
		ptr("truncate"), ptr("mknod"), ptr("utime"), ptr("utimes"), ptr("getxattr"),
		ptr("lgetxattr"), ptr("setxattr"), ptr("lsetxattr"), ptr("listxattr"), ptr("llistxattr"),
		ptr("removexattr"), ptr("lremovexattr"), ptr("execve"),
		at("openat"), at("newfstatat"), at("faccessat"), at("faccessat2"), at("fchmodat"),
		at("fchmodat2"), at("fchownat"), at("mkdirat"), at("mknodat"), at("futimesat"),
		c("readlink", unix.EFAULT, aBadPtr, aBadPtr, aOne), c("readlinkat", unix.EFAULT, aCwd, aBadPtr, aBadPtr, aOne),
		c("unlinkat", unix.EINVAL, aCwd, aBadPtr, aBadFlags),
		c("linkat", unix.EFAULT, aCwd, aBadPtr, aCwd, aBadPtr, aZero),
		c("symlinkat", unix.EFAULT, aBadPtr, aCwd, aBadPtr),
		c("renameat", unix.EFAULT, aCwd, aBadPtr, aCwd, aBadPtr),
		c("renameat2", unix.EINVAL, aCwd, aBadPtr, aCwd, aBadPtr, aBadFlags),
		c("utimensat", unix.EINVAL, aCwd, aBadPtr, aZero, aBadFlags),
		c("statx", unix.EINVAL, aCwd, aBadPtr, aBadFlags, aZero, aBadPtr),
		c("openat2", unix.EINVAL, aCwd, aBadPtr, aBadPtr, aZero),
		c("name_to_handle_at", unix.EINVAL, aCwd, aBadPtr, aBadPtr, aBadPtr, aBadFlags),
		c("open_by_handle_at", unix.EFAULT, aBadFD, aBadPtr, aZero),
		c("execveat", unix.EFAULT, aBadFD, aBadPtr, aZero, aZero, aZero),
		c("getxattrat", unix.EINVAL, aCwd, aBadPtr, aZero, aBadPtr, aBadPtr, aZero),
		c("setxattrat", unix.EINVAL, aCwd, aBadPtr, aZero, aBadPtr, aBadPtr, aZero),
		c("listxattrat", unix.EFAULT, aCwd, aBadPtr, aZero, aBadPtr, aZero),
		c("removexattrat", unix.EFAULT, aCwd, aBadPtr, aZero, aBadPtr),
		c("inotify_add_watch", unix.EINVAL, aBadFD, aBadPtr, aZero),
		c("inotify_init", 0).closing(), inval("inotify_init1"), fd("inotify_rm_watch"),
		c("fanotify_init", unix.EINVAL, aBadFlags, aZero).priv("CAP_SYS_ADMIN"),
		c("fanotify_mark", unix.EINVAL, aBadFD, aBadFlags, aZero, aBadFD, aBadPtr),
		c("getcwd", unix.EFAULT, aBadPtr, aBadFlags),
		c("quotactl_fd", unix.EBADF, aBadFD, aZero, aZero, aBadPtr),
		c("quotactl", unix.EFAULT, aZero, aBadPtr, aZero, aBadPtr),
		c("ustat", unix.EINVAL, aZero, aBadPtr),
		c("uselib", unix.EFAULT, aBadPtr).needs("CONFIG_USELIB"),
		// the mount API: every call is refused by its flags or its pointers
		ptr("mount"), c("umount2", unix.EINVAL, aBadPtr, aBadFlags),
		c("pivot_root", unix.EFAULT, aBadPtr, aBadPtr).priv("CAP_SYS_ADMIN"),
		c("open_tree", unix.EINVAL, aBadFD, aBadPtr, aBadFlags),
		c("move_mount", unix.EINVAL, aBadFD, aBadPtr, aBadFD, aBadPtr, aBadFlags).priv("CAP_SYS_ADMIN"),
		c("fsopen", unix.EINVAL, aBadPtr, aBadFlags).priv("CAP_SYS_ADMIN"),
		c("fspick", unix.EINVAL, aCwd, aBadPtr, aBadFlags).priv("CAP_SYS_ADMIN"),
		c("fsconfig", unix.EINVAL, aBadFD, aZero, aZero, aZero, aZero),
		c("fsmount", unix.EINVAL, aBadFD, aBadFlags, aZero).priv("CAP_SYS_ADMIN"),
		c("mount_setattr", unix.EINVAL, aBadFD, aBadPtr, aBadFlags, aBadPtr, aZero),
		c("statmount", unix.EINVAL, aBadPtr, aBadPtr, aZero, aBadFlags),
		c("listmount", unix.EINVAL, aBadPtr, aBadPtr, aZero, aBadFlags),
		// sockets: AF_UNIX (1) with an invalid type, or no socket at all
		c("socket", unix.EINVAL, aOne, aBadFlags, aZero), c("socketpair", unix.EINVAL, aOne, aBadFlags, aZero, aBadPtr),
		fd("bind"), fd("connect"), fd("listen"), fd("accept"), fd("accept4"), fd("getsockname"),
		fd("getpeername"), fd("getsockopt"), fd("setsockopt"), fd("shutdown"), fd("sendto"),
		fd("recvfrom"), fd("sendmsg"), fd("recvmsg"), fd("sendmmsg"), fd("recvmmsg"),
		// event loops
		c("epoll_create", unix.EINVAL, aZero), inval("epoll_create1"),
		c("epoll_ctl", unix.EFAULT, aBadFD, aOne, aBadFD, aBadPtr),
		c("epoll_wait", unix.EBADF, aBadFD, aBadPtr, aZero, aZero).or(unix.EINVAL),
		c("epoll_pwait", unix.EBADF, aBadFD, aBadPtr, aZero, aZero, aZero, aZero).or(unix.EINVAL),
		c("epoll_pwait2", unix.EBADF, aBadFD, aBadPtr, aZero, aZero, aZero, aZero).or(unix.EINVAL),
		c("poll", unix.EFAULT, aBadPtr, aOne, aZero), c("ppoll", unix.EFAULT, aBadPtr, aOne, aZero, aZero, aZero),
		c("select", unix.EFAULT, aZero, aZero, aZero, aZero, aBadPtr),
		c("pselect6", unix.EFAULT, aZero, aZero, aZero, aZero, aBadPtr, aZero),
		c("eventfd", 0, aZero).closing(), c("eventfd2", unix.EINVAL, aZero, aBadFlags),
		c("signalfd", unix.EINVAL, aBadFD, aBadPtr, aZero), c("signalfd4", unix.EINVAL, aBadFD, aBadPtr, aZero, aBadFlags),
		c("timerfd_create", unix.EINVAL, aBadFlags, aZero), c("timerfd_gettime", unix.EBADF, aBadFD, aBadPtr),
		c("timerfd_settime", unix.EFAULT, aBadFD, aZero, aBadPtr, aBadPtr),
		c("memfd_create", unix.EFAULT, aBadPtr, aZero), c("pipe", unix.EFAULT, aBadPtr), c("pipe2", unix.EINVAL, aBadPtr, aBadFlags),
		// asynchronous I/O
		c("io_setup", unix.EFAULT, aZero, aBadPtr), c("io_destroy", unix.EINVAL, aZero),
		c("io_submit", unix.EINVAL, aZero, aOne, aBadPtr), c("io_cancel", unix.EFAULT, aZero, aBadPtr, aBadPtr),
		c("io_getevents", unix.EINVAL, aZero, aZero, aZero, aBadPtr, aZero),
		c("io_pgetevents", unix.EINVAL, aZero, aZero, aZero, aBadPtr, aZero, aZero),
		c("io_uring_setup", unix.EFAULT, aOne, aBadPtr), fd("io_uring_enter"),
		c("io_uring_register", unix.EINVAL, aBadFD, aZero, aZero, aZero).or(unix.EBADF),
	}
}

func processCalls(fd, ptr, inval, get mk) []harmlessCall {
	return []harmlessCall{
		get("getpid"), get("getppid"), get("gettid"), get("getuid"), get("geteuid"), get("getgid"),
		get("getegid"), get("getpgrp"), c("getpgid", 0, aZero), c("getsid", 0, aZero), get("sched_yield"),
		c("getresuid", unix.EFAULT, aBadPtr, aBadPtr, aBadPtr), c("getresgid", unix.EFAULT, aBadPtr, aBadPtr, aBadPtr),
		c("getgroups", unix.EINVAL, aBadFlags, aBadPtr), c("setgroups", unix.EINVAL, aBadFlags, aBadPtr).priv("CAP_SETGID"),
		// -1 means "unchanged" to these: they succeed and change nothing
		c("setreuid", 0, aBadFD, aBadFD), c("setregid", 0, aBadFD, aBadFD),
		c("setresuid", 0, aBadFD, aBadFD, aBadFD), c("setresgid", 0, aBadFD, aBadFD, aBadFD),
		c("setfsuid", 0, aBadFD), c("setfsgid", 0, aBadFD),
		c("setuid", unix.EINVAL, aBadFD), c("setpgid", unix.EINVAL, aZero, aBadFlags), c("setgid", unix.EINVAL, aBadFD),
		c("capget", unix.EFAULT, aBadPtr, aBadPtr), c("capset", unix.EFAULT, aBadPtr, aBadPtr),
		inval("prctl"), c("arch_prctl", unix.EINVAL, aBadFlags, aZero), c("personality", 0, aBadFlags),
		c("seccomp", unix.EINVAL, aBadFlags, aZero, aZero),
		// a clone the kernel refuses for its flags; clone3 for its size
		inval("clone"), c("clone3", unix.EINVAL, aBadPtr, aZero), inval("unshare"), fd("setns"),
		c("wait4", unix.ECHILD, aBadFD, aBadPtr, aZero, aZero), c("waitid", unix.EINVAL, aBadFlags, aZero, aZero, aZero, aZero),
		c("kill", unix.EINVAL, aZero, aBadFlags), c("tkill", unix.EINVAL, aZero, aZero),
		c("tgkill", unix.EINVAL, aZero, aZero, aZero),
		c("rt_sigqueueinfo", unix.EFAULT, aZero, aZero, aBadPtr), c("rt_tgsigqueueinfo", unix.EFAULT, aZero, aZero, aZero, aBadPtr),
		c("pidfd_open", unix.EINVAL, aZero, aBadFlags), c("pidfd_getfd", unix.EBADF, aBadFD, aZero, aZero),
		c("pidfd_send_signal", unix.EBADF, aBadFD, aZero, aZero, aZero),
		c("ptrace", unix.ESRCH, aBadFlags, aZero), c("kcmp", unix.ESRCH, aZero, aZero, aBadFlags).needs("CONFIG_KCMP"),
		c("process_vm_readv", unix.EINVAL, aZero, aBadPtr, aOne, aBadPtr, aOne, aBadFlags),
		c("process_vm_writev", unix.EINVAL, aZero, aBadPtr, aOne, aBadPtr, aOne, aBadFlags),
		c("process_madvise", unix.EINVAL, aBadFD, aBadPtr, aZero, aZero, aBadFlags),
		c("process_mrelease", unix.EINVAL, aBadFD, aBadFlags),
		// signals: wrong sigset sizes, bad pointers
		c("rt_sigaction", unix.EINVAL, aBadFlags, aZero, aZero, aZero), c("rt_sigprocmask", unix.EINVAL, aZero, aZero, aZero, aZero),
		c("rt_sigpending", unix.EINVAL, aBadPtr, aBadFlags), c("rt_sigsuspend", unix.EINVAL, aBadPtr, aZero),
		c("rt_sigtimedwait", unix.EINVAL, aBadPtr, aBadPtr, aBadPtr, aZero), c("sigaltstack", unix.EFAULT, aBadPtr, aZero),
		c("restart_syscall", unix.EINTR), c("alarm", 0, aZero),
		c("getitimer", unix.EINVAL, aBadFlags, aBadPtr), c("setitimer", unix.EINVAL, aBadFlags, aZero, aZero),
		c("timer_create", unix.EFAULT, aZero, aBadPtr, aBadPtr), c("timer_delete", unix.EINVAL, aBadFlags),
		c("timer_getoverrun", unix.EINVAL, aBadFlags), c("timer_gettime", unix.EINVAL, aBadFlags, aBadPtr),
		c("timer_settime", unix.EINVAL, aBadFlags, aZero, aZero, aZero),
		// scheduling, priorities, limits
		c("getpriority", unix.EINVAL, aBadFlags, aZero), c("setpriority", unix.EINVAL, aBadFlags, aZero, aZero),
		c("sched_getscheduler", unix.EINVAL, aBadFD), c("sched_setscheduler", unix.EINVAL, aBadFD, aZero, aBadPtr),
		c("sched_getparam", unix.EINVAL, aBadFD, aBadPtr), c("sched_setparam", unix.EINVAL, aBadFD, aBadPtr),
		c("sched_getattr", unix.EINVAL, aZero, aBadPtr, aZero, aZero), c("sched_setattr", unix.EFAULT, aZero, aBadPtr, aZero),
		c("sched_getaffinity", unix.EINVAL, aZero, aZero, aBadPtr), c("sched_setaffinity", unix.EFAULT, aZero, aOne, aBadPtr),
		c("sched_get_priority_max", unix.EINVAL, aBadFlags), c("sched_get_priority_min", unix.EINVAL, aBadFlags),
		c("sched_rr_get_interval", unix.EINVAL, aBadFD, aBadPtr),
		c("ioprio_get", unix.EINVAL, aBadFlags, aZero), c("ioprio_set", unix.EINVAL, aBadFlags, aZero, aZero),
		c("getrlimit", unix.EFAULT, aZero, aBadPtr), c("setrlimit", unix.EFAULT, aBadFlags, aBadPtr),
		c("prlimit64", unix.EFAULT, aZero, aZero, aZero, aBadPtr), c("getrusage", unix.EFAULT, aZero, aBadPtr),
		c("times", unix.EFAULT, aBadPtr), c("getcpu", unix.EFAULT, aBadPtr, aBadPtr, aZero),
		c("set_robust_list", unix.EINVAL, aBadPtr, aZero), c("get_robust_list", unix.EFAULT, aZero, aBadPtr, aBadPtr),
		c("rseq", unix.EINVAL, aBadPtr, aZero, aBadFlags, aZero),
		c("landlock_create_ruleset", unix.EINVAL, aBadPtr, aZero, aBadFlags).needs("CONFIG_SECURITY_LANDLOCK"),
		c("landlock_add_rule", unix.EINVAL, aBadFD, aOne, aBadPtr, aBadFlags).needs("CONFIG_SECURITY_LANDLOCK"),
		c("landlock_restrict_self", unix.EINVAL, aBadFD, aBadFlags).priv("CAP_SYS_ADMIN").needs("CONFIG_SECURITY_LANDLOCK"),
		c("lsm_get_self_attr", unix.EINVAL, aZero, aBadPtr, aBadPtr, aBadFlags),
		c("lsm_set_self_attr", unix.EINVAL, aZero, aBadPtr, aZero, aBadFlags),
		c("lsm_list_modules", unix.EINVAL, aBadPtr, aBadPtr, aBadFlags),
	}
}

func memoryIPCCalls(fd, ptr, inval, get mk) []harmlessCall {
	return []harmlessCall{
		c("brk", 0, aZero), c("mmap", unix.EBADF, aZero, aOne, aZero, aOne, aBadFD, aZero),
		c("munmap", unix.EINVAL, aZero, aZero), c("mprotect", unix.EINVAL, aOne, aZero, aZero),
		c("mremap", unix.EINVAL, aOne, aZero, aZero, aZero, aZero), c("msync", unix.EINVAL, aOne, aZero, aZero),
		c("madvise", unix.EINVAL, aZero, aZero, aBadFlags), c("mincore", unix.EINVAL, aOne, aZero, aBadPtr),
		c("mlock", 0, aZero, aZero), c("mlock2", unix.EINVAL, aZero, aZero, aBadFlags), c("munlock", 0, aZero, aZero),
		c("mlockall", unix.EINVAL, aZero), get("munlockall"),
		c("mseal", unix.EINVAL, aOne, aZero, aZero), c("remap_file_pages", unix.EINVAL, aOne, aZero, aZero, aZero, aZero),
		c("pkey_alloc", unix.EINVAL, aBadFlags, aZero), c("pkey_free", unix.EINVAL, aBadFlags),
		c("pkey_mprotect", unix.EINVAL, aOne, aZero, aZero, aZero),
		c("map_shadow_stack", unix.EINVAL, aZero, aZero, aBadFlags).needs("CONFIG_X86_USER_SHADOW_STACK"),
		c("memfd_secret", unix.EINVAL, aBadFlags).needs("secretmem (CONFIG_SECRETMEM, secretmem.enable)"),
		c("userfaultfd", unix.EINVAL, aBadFlags),
		c("membarrier", unix.EINVAL, aBadFlags, aZero, aZero),
		c("mbind", unix.EINVAL, aZero, aZero, aBadFlags, aBadPtr, aZero, aZero).needs("CONFIG_NUMA"),
		c("get_mempolicy", unix.EINVAL, aBadPtr, aBadPtr, aZero, aZero, aBadFlags).needs("CONFIG_NUMA"),
		c("set_mempolicy", unix.EINVAL, aBadFlags, aBadPtr, aZero).needs("CONFIG_NUMA"),
		c("set_mempolicy_home_node", unix.EINVAL, aZero, aZero, aZero, aBadFlags).needs("CONFIG_NUMA"),
		c("migrate_pages", unix.EINVAL, aZero, aBadFlags, aBadPtr, aBadPtr).needs("CONFIG_NUMA"),
		c("move_pages", unix.EINVAL, aZero, aOne, aBadPtr, aBadPtr, aBadPtr, aBadFlags).needs("CONFIG_NUMA"),
		c("futex", unix.EFAULT, aBadPtr, aZero, aZero, aZero, aZero, aZero),
		c("futex_waitv", unix.EINVAL, aBadPtr, aZero, aZero, aZero, aZero),
		c("futex_wake", unix.EINVAL, aBadPtr, aZero, aZero, aZero),
		c("futex_wait", unix.EINVAL, aBadPtr, aZero, aZero, aZero, aZero, aZero),
		c("futex_requeue", unix.EFAULT, aBadPtr, aZero, aZero, aZero),
		// System V and POSIX IPC: keys nobody created, ids that do not exist
		c("msgget", unix.ENOENT, aBadFlags, aZero), c("msgctl", unix.EINVAL, aBadFlags, aBadFlags, aBadPtr),
		c("msgsnd", unix.EFAULT, aBadFlags, aBadPtr, aZero, aZero), c("msgrcv", unix.EINVAL, aBadFlags, aBadPtr, aZero, aZero, aZero),
		c("semget", unix.EINVAL, aBadFlags, aBadFlags, aZero), c("semctl", unix.EINVAL, aBadFlags, aZero, aBadFlags, aZero),
		c("semop", unix.EINVAL, aBadFlags, aBadPtr, aZero), c("semtimedop", unix.EINVAL, aBadFlags, aBadPtr, aZero, aZero),
		c("shmget", unix.ENOENT, aBadFlags, aZero, aZero), c("shmctl", unix.EINVAL, aBadFlags, aBadFlags, aBadPtr),
		c("shmat", unix.EINVAL, aBadFlags, aZero, aZero), c("shmdt", unix.EINVAL, aOne),
		c("mq_open", unix.EFAULT, aBadPtr, aZero, aZero, aZero), c("mq_unlink", unix.EFAULT, aBadPtr),
		c("mq_timedsend", unix.EFAULT, aBadFD, aBadPtr, aZero, aZero, aBadPtr),
		c("mq_timedreceive", unix.EFAULT, aBadFD, aBadPtr, aZero, aBadPtr, aBadPtr),
		c("mq_notify", unix.EFAULT, aBadFD, aBadPtr), c("mq_getsetattr", unix.EFAULT, aBadFD, aBadPtr, aBadPtr),
		c("add_key", unix.EFAULT, aBadPtr, aBadPtr, aBadPtr, aZero, aZero),
		c("request_key", unix.EFAULT, aBadPtr, aBadPtr, aBadPtr, aZero),
		c("keyctl", unix.EFAULT, aOne, aBadPtr),
	}
}

func systemCalls(fd, ptr, at, inval, gone mk) []harmlessCall {
	return []harmlessCall{
		c("uname", unix.EFAULT, aBadPtr), c("sysinfo", unix.EFAULT, aBadPtr), c("time", unix.EFAULT, aBadPtr),
		c("gettimeofday", unix.EFAULT, aBadPtr, aZero), c("settimeofday", unix.EFAULT, aBadPtr, aBadPtr),
		c("clock_gettime", unix.EFAULT, aZero, aBadPtr), c("clock_getres", unix.EFAULT, aZero, aBadPtr),
		c("clock_settime", unix.EFAULT, aZero, aBadPtr), c("clock_adjtime", unix.EFAULT, aZero, aBadPtr),
		c("adjtimex", unix.EFAULT, aBadPtr), c("clock_nanosleep", unix.EFAULT, aZero, aZero, aBadPtr, aZero),
		c("nanosleep", unix.EFAULT, aBadPtr, aZero), c("getrandom", unix.EINVAL, aBadPtr, aOne, aBadFlags),
		c("sethostname", unix.EINVAL, aBadPtr, aBadFlags).priv("CAP_SYS_ADMIN"), c("setdomainname", unix.EINVAL, aBadPtr, aBadFlags).priv("CAP_SYS_ADMIN"),
		c("syslog", unix.EINVAL, aBadFlags, aZero, aZero).priv("CAP_SYSLOG"),
		c("reboot", unix.EINVAL, aZero, aZero, aZero, aZero).priv("CAP_SYS_BOOT"),
		c("swapon", unix.EFAULT, aBadPtr, aZero).priv("CAP_SYS_ADMIN"), c("swapoff", unix.EFAULT, aBadPtr).priv("CAP_SYS_ADMIN"),
		c("acct", unix.EFAULT, aBadPtr).priv("CAP_SYS_PACCT"),
		c("init_module", unix.ENOEXEC, aBadPtr, aOne, aBadPtr).priv("CAP_SYS_MODULE").needs("CONFIG_MODULES"),
		c("finit_module", unix.EBADF, aBadFD, aBadPtr, aZero).priv("CAP_SYS_MODULE").needs("CONFIG_MODULES"),
		c("delete_module", unix.EFAULT, aBadPtr, aZero).priv("CAP_SYS_MODULE").needs("CONFIG_MODULES"),
		c("kexec_load", unix.EINVAL, aZero, aZero, aBadPtr, aBadFlags).priv("CAP_SYS_BOOT").needs("CONFIG_KEXEC"),
		c("kexec_file_load", unix.EINVAL, aBadFD, aBadFD, aZero, aBadPtr, aBadFlags).priv("CAP_SYS_BOOT").needs("CONFIG_KEXEC_FILE"),
		// before Linux 6.5 bpf() refused every command without CAP_BPF
		// when unprivileged_bpf_disabled is set
		c("bpf", unix.EINVAL, aBadFlags, aZero, aZero).priv("CAP_BPF"),
		c("perf_event_open", unix.EFAULT, aBadPtr, aZero, aBadFlags, aBadFlags, aZero),
		c("ioperm", unix.EINVAL, aZero, aZero, aZero).needs("CONFIG_X86_IOPL_IOPERM"),
		c("iopl", unix.EINVAL, aBadFlags).needs("CONFIG_X86_IOPL_IOPERM"),
		c("modify_ldt", 0, aZero, aZero, aZero),
		c("sysfs", unix.EINVAL, aZero, aZero, aZero).needs("CONFIG_SYSFS_SYSCALL"),
		// Linux keeps these numbers with no implementation (sys_ni_syscall)
		gone("_sysctl"), gone("afs_syscall"), gone("create_module"), gone("get_kernel_syms"),
		gone("getpmsg"), gone("putpmsg"), gone("query_module"), gone("security"), gone("tuxcall"),
		gone("vserver"), gone("nfsservctl"), gone("epoll_ctl_old"), gone("epoll_wait_old"),
		gone("lookup_dcookie"),
		// i386 calls whose x86-64 numbers have no 64-bit implementation
		gone("get_thread_area"), gone("set_thread_area"),
	}
}

// notProbed are the calls of systemd's groups that no argument makes
// harmless, with the reason.
func notProbed() map[string]string {
	return map[string]string{
		"exit":            "ends the calling thread; there is no failing form",
		"exit_group":      "ends the process; there is no failing form",
		"rt_sigreturn":    "restores a signal frame from the stack: outside a signal handler it crashes the caller",
		"fork":            "takes no arguments and always creates a process",
		"vfork":           "takes no arguments, creates a process and suspends the caller until it execs or exits",
		"pause":           "takes no arguments and sleeps until a signal arrives",
		"setsid":          "takes no arguments and succeeds in the probe child, moving it to a new session",
		"set_tid_address": "always succeeds and replaces the thread's clear_child_tid address",
		"umask":           "always succeeds and sets the file mode creation mask",
		"sync":            "takes no arguments and writes back every file system's dirty data",
		"vhangup":         "takes no arguments and, with CAP_SYS_TTY_CONFIG, hangs up the controlling terminal",
		"uretprobe":       "outside a uretprobe trampoline the kernel kills the caller with SIGILL",
	}
}
