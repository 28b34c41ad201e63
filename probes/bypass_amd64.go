package probes

import "golang.org/x/sys/unix"

// i386Syscall is implemented in bypass_amd64.s.
func i386Syscall(nr, a1, a2, a3, a4, a5 uintptr) uintptr

// i386 system call numbers (arch/x86/entry/syscalls/syscall_32.tbl).
const (
	i386Getpid        = 20
	i386PerfEventOpen = 336
)

// i386Call makes one call through the i386 ABI; ok is false off x86-64.
func i386Call(nr, a1, a2, a3, a4, a5 uintptr) (int32, unix.Errno, bool) {
	r := int32(i386Syscall(nr, a1, a2, a3, a4, a5))
	if r < 0 && r > -4096 {
		return -1, unix.Errno(-r), true
	}
	return r, 0, true
}
