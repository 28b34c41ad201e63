package probes

import "golang.org/x/sys/unix"

// x32GetpidNr is getpid through the x32 ABI: the x86-64 number with the
// x32 bit set. Unlike the i386 ABI (int $0x80), which a kernel without ia32
// emulation answers with a fault, an x32 call always reaches seccomp first
// and then the kernel, which answers ENOSYS when x32 is not built in.
const x32GetpidNr = 0x40000000 | unix.SYS_GETPID

func compatGetpid() (int64, unix.Errno, bool) {
	r, _, e := unix.RawSyscall(x32GetpidNr, 0, 0, 0)
	return int64(r), e, true
}

func ioperm0() (unix.Errno, bool) {
	_, _, e := unix.Syscall(unix.SYS_IOPERM, 0, 0, 0)
	return e, true
}

func modifyLDTRead() (unix.Errno, bool) {
	_, _, e := unix.Syscall(unix.SYS_MODIFY_LDT, 0, 0, 0)
	return e, true
}
