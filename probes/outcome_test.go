package probes

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestAttemptClassifiesErrnos(t *testing.T) {
	tests := []struct {
		err   error
		want  Outcome
		errno string
	}{
		{nil, Allowed, ""},
		{unix.EPERM, Blocked, "EPERM"},
		{unix.EACCES, Blocked, "EACCES"},
		{&os.PathError{Op: "open", Path: "/etc/x", Err: unix.EROFS}, Blocked, "EROFS"},
		{fmt.Errorf("socket: %w", unix.EAFNOSUPPORT), Blocked, "EAFNOSUPPORT"},
		{unix.EIO, Errored, "EIO"},
		{errors.New("no errno at all"), Errored, ""},
	}
	for _, tt := range tests {
		r := attempt(tt.err, "act")
		if r.Outcome != tt.want || r.Errno != tt.errno {
			t.Errorf("attempt(%v) = %s/%q, want %s/%q", tt.err, r.Outcome, r.Errno, tt.want, tt.errno)
		}
	}
}

// A call that needs no privilege can only be refused by a filter; ENOSYS is
// the kernel lacking it, which no systemd filter answers by default.
func TestFilterAttempt(t *testing.T) {
	tests := []struct {
		e, ok unix.Errno
		want  Outcome
	}{
		{0, 0, Allowed},
		{unix.EFAULT, unix.EFAULT, Allowed},
		{unix.ENOSYS, unix.EFAULT, Allowed},
		{unix.EPERM, unix.EFAULT, Blocked},
		{unix.EACCES, 0, Blocked},
	}
	for _, tt := range tests {
		if r := filterAttempt(tt.e, "call", tt.ok); r.Outcome != tt.want {
			t.Errorf("filterAttempt(%v, ok=%v) = %s (%s), want %s", tt.e, tt.ok, r.Outcome, r.Detail, tt.want)
		}
	}
	if r := filterAttempt(unix.ENOSYS, "call", unix.EFAULT); !strings.Contains(r.Detail, "kernel lacks") {
		t.Errorf("ENOSYS detail must say the kernel lacks the call: %q", r.Detail)
	}
}

func TestClassifyExit(t *testing.T) {
	p := Probe{ID: "sys.wx-mmap", Attempts: "a W+X mmap"}
	signaled := func(s syscall.Signal) syscall.WaitStatus { return syscall.WaitStatus(s) }
	exited := func(code int) syscall.WaitStatus { return syscall.WaitStatus(code << 8) }
	tests := []struct {
		name   string
		ws     syscall.WaitStatus
		stderr string
		want   Outcome
		signal string
	}{
		{"killed by seccomp", signaled(syscall.SIGSYS), "", Blocked, "SIGSYS"},
		{"killed by something else", signaled(syscall.SIGSEGV), "", Errored, "SIGSEGV"},
		{"trapped SIGSYS crashes the runtime", exited(2), "SIGSYS: bad system call\nPC=0x0", Blocked, "SIGSYS"},
		{"plain failure", exited(1), "boom\nmore", Errored, ""},
	}
	for _, tt := range tests {
		r := classifyExit(p, tt.ws, tt.stderr)
		if r.Outcome != tt.want || r.Signal != tt.signal {
			t.Errorf("%s: got %s/%q (%s), want %s/%q", tt.name, r.Outcome, r.Signal, r.Detail, tt.want, tt.signal)
		}
	}
}

func TestClassifyChildOutput(t *testing.T) {
	p := Probe{ID: "fs.umask"}
	r := classifyChild(p, nil, []byte(`{"id":"fs.umask","outcome":"blocked","errno":"","signal":"","detail":"x"}`+"\n"), "")
	if r.Outcome != Blocked || r.Detail != "x" {
		t.Errorf("parsed %+v", r)
	}
	if r := classifyChild(p, nil, []byte("garbage"), ""); r.Outcome != Errored {
		t.Errorf("garbage output gave %s", r.Outcome)
	}
	start := &os.PathError{Op: "fork/exec", Path: "/proc/self/exe", Err: syscall.EPERM}
	if r := classifyChild(p, start, nil, ""); r.Outcome != Errored {
		t.Errorf("a start failure of a plain probe must be an error, got %s", r.Outcome)
	}
	ns := Probe{ID: "ns.unshare-net", Unshare: unix.CLONE_NEWNET}
	if r := classifyChild(ns, start, nil, ""); r.Outcome != Blocked || r.Errno != "EPERM" {
		t.Errorf("a refused unshare must be blocked/EPERM, got %s/%s", r.Outcome, r.Errno)
	}
}

func TestClassifyUnshare(t *testing.T) {
	for e, want := range map[unix.Errno]Outcome{
		unix.EPERM: Blocked, unix.ENOSPC: Blocked, unix.EUSERS: Blocked, unix.EINVAL: Blocked, unix.EIO: Errored,
	} {
		if r := classifyUnshare(e); r.Outcome != want {
			t.Errorf("classifyUnshare(%v) = %s, want %s", e, r.Outcome, want)
		}
	}
}

func TestOneLine(t *testing.T) {
	if got := oneLine("a\nb"); got != "a b" {
		t.Errorf("oneLine = %q", got)
	}
	if got := oneLine(strings.Repeat("x", 1000)); len(got) > 410 {
		t.Errorf("oneLine kept %d bytes", len(got))
	}
}
