package probes

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// isDenied tells the answers by which a sandbox says no: DAC/MAC and
// capability checks (EPERM, EACCES), read-only bind mounts (EROFS), and
// systemd's seccomp filters (EPERM by default, EAFNOSUPPORT for
// RestrictAddressFamilies=).
func isDenied(e unix.Errno) bool {
	switch e {
	case unix.EPERM, unix.EACCES, unix.EROFS, unix.EAFNOSUPPORT:
		return true
	}
	return false
}

// errnoOf digs the errno out of an error chain.
func errnoOf(err error) (unix.Errno, bool) {
	var e unix.Errno
	if errors.As(err, &e) {
		return e, true
	}
	return 0, false
}

func errnoName(e unix.Errno) string {
	if n := linux.ErrnoName(e); n != "" {
		return n
	}
	return fmt.Sprintf("errno %d", int(e))
}

func allowed(detail string, a ...any) Result {
	return Result{Outcome: Allowed, Detail: oneLine(fmt.Sprintf(detail, a...))}
}

func blocked(e unix.Errno, detail string, a ...any) Result {
	r := Result{Outcome: Blocked, Detail: oneLine(fmt.Sprintf(detail, a...))}
	if e != 0 {
		r.Errno = errnoName(e)
	}
	return r
}

func errored(detail string, a ...any) Result {
	return Result{Outcome: Errored, Detail: oneLine(fmt.Sprintf(detail, a...))}
}

func skipped(detail string, a ...any) Result {
	return Result{Outcome: Skipped, Detail: oneLine(fmt.Sprintf(detail, a...))}
}

// attempt classifies the error of one harmless action: nil is allowed, a
// denial errno is blocked, anything else is an error that names the errno.
func attempt(err error, action string) Result {
	if err == nil {
		return allowed("%s: succeeded", action)
	}
	e, ok := errnoOf(err)
	if !ok {
		return errored("%s: %v", action, err)
	}
	if isDenied(e) {
		return blocked(e, "%s: denied with %s", action, errnoName(e))
	}
	r := errored("%s: unexpected %s", action, errnoName(e))
	r.Errno = errnoName(e)
	return r
}

// oneLine keeps details to one line, as the document promises.
func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	const max = 400
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
