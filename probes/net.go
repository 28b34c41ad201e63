package probes

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// loopbackWait bounds a wait for loopback traffic: the kernel delivers a
// datagram or answers a SYN that is not dropped in the sender's own
// system call, in microseconds however loaded the machine is.
const loopbackWait = 250 * time.Millisecond

// checkConnectTarget decides on a UDP datagram, not on the TCP connect:
// when systemd's cgroup-BPF IP filter drops an outgoing packet, a UDP send
// fails with EPERM at once, where a TCP SYN is silently retransmitted.
// The datagram goes from the target address to the target address, so
// both the egress and the ingress filter judge that one address.
func checkConnectTarget(ctx context.Context, o Options) Result {
	ap, err := netip.ParseAddrPort(o.TCPTarget)
	if err != nil || !ap.Addr().Is4() || !ap.Addr().IsLoopback() {
		return errored("--tcp-target %q is not an IPv4 loopback HOST:PORT", o.TCPTarget)
	}
	r, passed := datagramRoundTrip(ap.Addr())
	if !passed {
		return r
	}
	return connectAfterDatagram(ctx, o.TCPTarget, r.Detail)
}

// connectAfterDatagram shows the harness's listener reachable once the IP
// filter is known to pass the target address. Only a connect is allowed:
// a refusal or a silence here is not the address filter's doing.
func connectAfterDatagram(ctx context.Context, target, datagram string) Result {
	d := net.Dialer{Timeout: loopbackWait}
	c, err := d.DialContext(ctx, "tcp", target)
	if err == nil {
		c.Close()
		return allowed("%s; TCP connect to %s succeeded", datagram, target)
	}
	e, _ := errnoOf(err)
	switch {
	case e == unix.ECONNREFUSED, e == unix.ENETUNREACH, e == unix.EHOSTUNREACH:
		return allowed("%s: the IP filter passes it; TCP connect to %s: %s, nothing listens there in this network namespace (PrivateNetwork= gives a unit its own), which is not this probe's claim",
			datagram, target, errnoName(e))
	case e == unix.EPERM:
		return blocked(e, "%s, but TCP connect to %s was denied with EPERM", datagram, target)
	}
	return errored("%s, but TCP connect to %s failed (%v): not the address filter, which passed the datagram", datagram, target, err)
}

// datagramRoundTrip sends one datagram between two sockets bound to addr
// and reports whether it arrived; when it did not, the Result says why.
func datagramRoundTrip(addr netip.Addr) (Result, bool) {
	sa := &unix.SockaddrInet4{Addr: addr.As4()}
	recv, err := boundUDP(sa)
	if err != nil {
		return errored("receiving socket on %s: %v", addr, err), false
	}
	defer unix.Close(recv)
	send, err := boundUDP(sa)
	if err != nil {
		return errored("sending socket on %s: %v", addr, err), false
	}
	defer unix.Close(send)
	to, err := unix.Getsockname(recv)
	if err != nil {
		return errored("reading the receiving socket's port: %v", err), false
	}
	if err := unix.Sendto(send, []byte(datagramPayload), 0, to); err != nil {
		if errors.Is(err, unix.EPERM) {
			return blocked(unix.EPERM, "a UDP datagram to %s was refused on send with EPERM: a cgroup-BPF IP filter (IPAddressDeny=) drops packets to it", addr), false
		}
		return errored("sending a UDP datagram to %s: %v", addr, err), false
	}
	got, err := awaitDatagram(recv, loopbackWait)
	switch {
	case err != nil:
		return errored("waiting for the datagram on %s: %v", addr, err), false
	case !got:
		return blocked(0, "a UDP datagram to %s was sent but not delivered within %s: dropped on the way in (an IP filter such as IPAddressDeny=)", addr, loopbackWait), false
	}
	return allowed("a UDP datagram from %s to %s arrived", addr, addr), true
}

const datagramPayload = "hardenlab"

// boundUDP opens a UDP socket bound to sa's address on a free port.
// Socket errors are not verdicts: RestrictAddressFamilies= answers
// socket(), and this probe's claim is the address filter.
func boundUDP(sa *unix.SockaddrInet4) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("socket(AF_INET, SOCK_DGRAM): %w", err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("bind: %w", err)
	}
	return fd, nil
}

// awaitDatagram reports whether the probe's datagram arrives on fd in time.
func awaitDatagram(fd int, wait time.Duration) (bool, error) {
	deadline := time.Now().Add(wait)
	buf := make([]byte, len(datagramPayload)+1)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return false, nil
		}
		pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, int(left.Milliseconds())+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			return false, err
		}
		m, _, err := unix.Recvfrom(fd, buf, unix.MSG_DONTWAIT)
		if err != nil {
			return false, fmt.Errorf("recvfrom: %w", err)
		}
		if string(buf[:m]) == datagramPayload {
			return true, nil
		}
	}
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
