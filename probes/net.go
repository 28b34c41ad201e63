package probes

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// connectTimeout bounds a loopback connect: one that is not dropped
// completes in microseconds.
const connectTimeout = time.Second

func checkConnectTarget(ctx context.Context, o Options) Result {
	d := net.Dialer{Timeout: connectTimeout}
	c, err := d.DialContext(ctx, "tcp", o.TCPTarget)
	if err == nil {
		c.Close()
		return allowed("connected to %s and closed", o.TCPTarget)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return blocked(0, "connect to %s timed out after %s: packets are dropped", o.TCPTarget, connectTimeout)
	}
	e, ok := errnoOf(err)
	if !ok {
		return errored("connect to %s: %v", o.TCPTarget, err)
	}
	switch e {
	case unix.EPERM:
		return blocked(e, "connect to %s denied with EPERM: a cgroup-BPF IP filter (IPAddressDeny=) dropped it", o.TCPTarget)
	case unix.ECONNREFUSED:
		return blocked(e, "connect to %s refused: the listener is not in this network namespace (PrivateNetwork=)", o.TCPTarget)
	case unix.ENETUNREACH, unix.EHOSTUNREACH:
		return blocked(e, "connect to %s: %s, no route from this network namespace", o.TCPTarget, errnoName(e))
	}
	return attempt(err, "connect to "+o.TCPTarget)
}

func checkPrivateNetwork(ctx context.Context, o Options) Result {
	ifs, err := net.Interfaces()
	if err != nil {
		return errored("listing network interfaces: %v", err)
	}
	var names, outside []string
	for _, i := range ifs {
		names = append(names, i.Name)
		if i.Flags&net.FlagLoopback == 0 {
			outside = append(outside, i.Name)
		}
	}
	ns := "PID 1's network namespace unreadable"
	own, err1 := os.Readlink("/proc/self/ns/net")
	init, err2 := os.Readlink("/proc/1/ns/net")
	if err1 == nil && err2 == nil {
		if own == init {
			ns = "same network namespace as PID 1"
		} else {
			ns = "network namespace differs from PID 1's"
		}
	}
	if len(outside) > 0 {
		return allowed("non-loopback interfaces visible: %s; %s", strings.Join(outside, ", "), ns)
	}
	return blocked(0, "only loopback is visible (%s); %s", strings.Join(names, ", "), ns)
}

func checkSocketNetlink(ctx context.Context, o Options) Result {
	return socketAttempt("socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)", unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_ROUTE)
}

func checkSocketPacket(ctx context.Context, o Options) Result {
	r := socketAttempt("socket(AF_PACKET, SOCK_DGRAM, 0)", unix.AF_PACKET, unix.SOCK_DGRAM, 0)
	if r.Errno == "EPERM" {
		r.Detail += " (AF_PACKET needs CAP_NET_RAW: this is the capability, not RestrictAddressFamilies=, which answers EAFNOSUPPORT)"
	}
	return r
}

func socketAttempt(call string, family, typ, proto int) Result {
	fd, err := unix.Socket(family, typ|unix.SOCK_CLOEXEC, proto)
	if err == nil {
		unix.Close(fd)
		return allowed("%s created and closed", call)
	}
	r := attempt(err, call)
	if r.Errno == "EAFNOSUPPORT" {
		r.Detail += " (RestrictAddressFamilies= answers EAFNOSUPPORT)"
	}
	return r
}
