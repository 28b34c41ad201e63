//go:build !amd64

package probes

import "golang.org/x/sys/unix"

const (
	i386Getpid        = 20
	i386PerfEventOpen = 336
)

func i386Call(nr, a1, a2, a3, a4, a5 uintptr) (int32, unix.Errno, bool) { return 0, 0, false }

func rawCloneExit(flags uintptr) (int, unix.Errno)       { return 0, unix.ENOSYS }
func rawClone3Exit(args, size uintptr) (int, unix.Errno) { return 0, unix.ENOSYS }
func rawForkPause(parent uintptr) (int, unix.Errno)      { return 0, unix.ENOSYS }
