package probes

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A thread that ends without answering, as one a seccomp filter kills
// does, is reported killed as soon as it is gone, not at the deadline.
// exit(2) ends only the calling thread; unix.Syscall, not RawSyscall,
// lets the runtime take its processor back.
func TestOnOwnThreadSeesItsThreadEnd(t *testing.T) {
	start := time.Now()
	_, end := onOwnThread(func() int {
		unix.Syscall(unix.SYS_EXIT, 0, 0, 0)
		return 1
	})
	if took := time.Since(start); end != threadKilled || took > compatThreadWait/4 {
		t.Errorf("thread that exited: end %d after %s, want threadKilled (%d) well before %s", end, took, threadKilled, compatThreadWait)
	}
	v, end := onOwnThread(func() int { return 7 })
	if end != threadReturned || v != 7 {
		t.Errorf("thread that returned: %d, end %d", v, end)
	}
}
