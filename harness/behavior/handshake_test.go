package behavior

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fullListener listens on loopback with an accept queue of one that is
// already taken, so the kernel drops every further SYN unanswered, as an
// IP filter on the listener's side does.
func fullListener(t *testing.T) netip.AddrPort {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	ap := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), uint16(sa.(*unix.SockaddrInet4).Port))
	first, err := net.Dial("tcp", ap.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { first.Close() })
	return ap
}

func TestHandshake(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().(*net.TCPAddr).AddrPort()
	closed.Close()
	const wait = 50 * time.Millisecond
	for _, tc := range []struct {
		name    string
		addr    netip.AddrPort
		refused bool
		dropped bool
	}{
		{"answered", l.Addr().(*net.TCPAddr).AddrPort(), false, false},
		{"refused", closedAddr, true, false},
		{"dropped", fullListener(t), false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := handshake(tc.addr, wait)
			took := time.Since(start)
			var ne net.Error
			timeout := errors.As(err, &ne) && ne.Timeout()
			switch {
			case tc.dropped && (!timeout || took < wait):
				t.Errorf("dropped SYN: %v after %s, want a timeout after %s", err, took, wait)
			case tc.refused && !errors.Is(err, unix.ECONNREFUSED):
				t.Errorf("closed port: %v, want ECONNREFUSED", err)
			case !tc.dropped && !tc.refused && err != nil:
				t.Errorf("listener: %v", err)
			case !tc.dropped && took > wait:
				t.Errorf("an answered or refused connect took %s: it must not wait", took)
			}
		})
	}
}

// A socket that begins to listen, with its SYNs dropped, between the read
// of the service's sockets and the next attempt must not cost the HTTP
// client's whole timeout: no GET is sent before a connect is answered.
func TestAwaitDroppedSocketThatJustBeganListening(t *testing.T) {
	addr := fullListener(t)
	reads := 0
	listening := func() bool { reads++; return reads > 1 }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := NewClient(addr)
	if err != nil {
		t.Fatal(err)
	}
	got := c.Await(ctx, Watch{Listening: listening})
	if got.Outcome != Unreachable || got.Elapsed > time.Second {
		t.Errorf("Await = %s after %s (%v), want unreachable well within the client's timeout", got.Outcome, got.Elapsed, got.Err)
	}
}
