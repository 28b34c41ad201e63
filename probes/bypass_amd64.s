#include "textflag.h"

// func i386Syscall(nr, a1, a2, a3, a4, a5 uintptr) (r uintptr)
//
// Enters the kernel through int 0x80, the i386 system call gate, from the
// 64-bit process: the kernel (and seccomp) see AUDIT_ARCH_I386 and the i386
// call numbers. Only the low 32 bits of each argument reach the kernel.
TEXT ·i386Syscall(SB), NOSPLIT, $0-56
	MOVQ nr+0(FP), AX
	MOVQ a1+8(FP), BX
	MOVQ a2+16(FP), CX
	MOVQ a3+24(FP), DX
	MOVQ a4+32(FP), SI
	MOVQ a5+40(FP), DI
	INT  $0x80
	MOVQ AX, ret+48(FP)
	RET
