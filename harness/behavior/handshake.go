package behavior

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// handshake connects to addr once and says whether the TCP handshake
// completed within wait. It decides on the socket's own TCP state when the
// wait ends, not on a timer, so a stall of this process cannot turn an
// answered SYN into a dropped one: on loopback the kernel answers a SYN
// that is not dropped inside the connect() system call itself.
func handshake(addr netip.AddrPort, wait time.Duration) error {
	family, sa := sockaddrOf(addr)
	fd, err := unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket for a connect to %s: %w", addr, err)
	}
	defer unix.Close(fd)
	if err := unix.Connect(fd, sa); err == nil {
		return nil
	} else if !errors.Is(err, unix.EINPROGRESS) {
		return fmt.Errorf("connect to %s: %w", addr, err)
	}
	if err := awaitWritable(fd, wait); err != nil {
		return fmt.Errorf("waiting for the connect to %s: %w", addr, err)
	}
	if e, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); err == nil && e != 0 {
		return fmt.Errorf("connect to %s: %w", addr, unix.Errno(e))
	}
	info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return fmt.Errorf("reading the TCP state of a connect to %s: %w", addr, err)
	}
	if info.State == tcpEstablished {
		return nil
	}
	return fmt.Errorf("connect to %s: the SYN got no answer within %s (TCP state %d): %w", addr, wait, info.State, os.ErrDeadlineExceeded)
}

func sockaddrOf(addr netip.AddrPort) (int, unix.Sockaddr) {
	ip, port := addr.Addr().Unmap(), int(addr.Port())
	if ip.Is4() {
		return unix.AF_INET, &unix.SockaddrInet4{Addr: ip.As4(), Port: port}
	}
	return unix.AF_INET6, &unix.SockaddrInet6{Addr: ip.As16(), Port: port}
}

// tcpEstablished is TCP_ESTABLISHED of the kernel's TCP states.
const tcpEstablished = 1

// awaitWritable polls fd until the connect ends or wait passes.
func awaitWritable(fd int, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return nil
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		n, err := unix.Poll(pfd, int(left.Milliseconds())+1)
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return err
		case n > 0:
			return nil
		}
	}
}
