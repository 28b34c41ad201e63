package probes

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
)

// listenOn returns a loopback TCP listener's address; closed says whether
// it is closed again at once, leaving a port nothing listens on.
func listenOn(t *testing.T, host string, closed bool) string {
	t.Helper()
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		t.Skipf("cannot listen on %s: %v", host, err)
	}
	addr := l.Addr().String()
	if closed {
		l.Close()
	} else {
		t.Cleanup(func() { l.Close() })
	}
	return addr
}

// Without an IP filter the datagram arrives, so the outcome rests on the
// connect; a target that is not IPv4 loopback is never tried.
func TestCheckConnectTarget(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target string
		want   Outcome
		detail string
	}{
		{"listener", listenOn(t, "127.0.0.2", false), Allowed, "TCP connect to 127.0.0.2"},
		{"refused is not the address filter", listenOn(t, "127.0.0.2", true), Allowed, "ECONNREFUSED"},
		{"not loopback", "192.0.2.1:80", Errored, "not an IPv4 loopback"},
		{"IPv6", "[::1]:80", Errored, "not an IPv4 loopback"},
		{"no port", "127.0.0.2", Errored, "not an IPv4 loopback"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := checkConnectTarget(context.Background(), Options{TCPTarget: tc.target})
			if r.Outcome != tc.want || !strings.Contains(r.Detail, tc.detail) {
				t.Errorf("%s: %s (%s), want %s with %q", tc.target, r.Outcome, r.Detail, tc.want, tc.detail)
			}
			if tc.want == Allowed && !strings.Contains(r.Detail, "arrived") {
				t.Errorf("an allowed verdict must rest on the datagram's arrival: %s", r.Detail)
			}
		})
	}
}

func TestDatagramRoundTripArrives(t *testing.T) {
	r, passed := datagramRoundTrip(mustAddr(t, "127.0.0.2"))
	if !passed || r.Outcome != Allowed {
		t.Fatalf("unfiltered datagram: %s (%s), passed %v", r.Outcome, r.Detail, passed)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
