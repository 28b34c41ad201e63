package probes

import "golang.org/x/sys/unix"

// These fork without exec, which Go's runtime never does: the child is a
// copy of the one calling thread and must not run any Go code that could
// enter the runtime (no allocation, no stack growth, no scheduler), so it
// makes raw system calls only, from these nosplit functions, until it
// exits or is killed. The caller locks its OS thread first.

// rawCloneExit forks a child with clone(flags) that exits at once.
//
//go:nosplit
//go:norace
func rawCloneExit(flags uintptr) (int, unix.Errno) {
	pid, _, e := unix.RawSyscall6(unix.SYS_CLONE, flags|uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if e == 0 && pid == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return int(pid), e
}

// rawClone3Exit forks a child with clone3(args, size) that exits at once.
//
//go:nosplit
//go:norace
func rawClone3Exit(args, size uintptr) (int, unix.Errno) {
	pid, _, e := unix.RawSyscall(unix.SYS_CLONE3, args, size, 0)
	if e == 0 && pid == 0 {
		unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
	}
	return int(pid), e
}

// rawForkPause forks a child that sleeps in pause() until it is killed,
// and that dies with its parent (parent is the caller's pid): a filter
// that kills the caller must not leave it behind.
//
//go:nosplit
//go:norace
func rawForkPause(parent uintptr) (int, unix.Errno) {
	pid, _, e := unix.RawSyscall6(unix.SYS_CLONE, uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if e == 0 && pid == 0 {
		unix.RawSyscall(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0)
		if ppid, _, _ := unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0); ppid != parent {
			unix.RawSyscall(unix.SYS_EXIT_GROUP, 0, 0, 0)
		}
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	return int(pid), e
}
