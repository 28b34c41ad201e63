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

// rawForkPause forks a child that sleeps in pause() until it is killed.
//
//go:nosplit
//go:norace
func rawForkPause() (int, unix.Errno) {
	pid, _, e := unix.RawSyscall6(unix.SYS_CLONE, uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if e == 0 && pid == 0 {
		for {
			unix.RawSyscall(unix.SYS_PAUSE, 0, 0, 0)
		}
	}
	return int(pid), e
}
