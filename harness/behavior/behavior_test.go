package behavior

import (
	"net/netip"
	"testing"
)

func TestUnder(t *testing.T) {
	for _, tc := range []struct {
		root, path, want string
		ok               bool
	}{
		{"/", "/etc/shadow", "/etc/shadow", true},
		{"", "/dev/", "/dev/", true},
		{"/srv", "/etc/shadow", "", false},
		{"/srv", "/srv/a/b", "/a/b", true},
		{"/srv/", "/srv", "/", true},
		{"/srv", "/srvx/a", "", false},
		{"/", "/tmp/../etc/shadow", "/etc/shadow", true},
	} {
		got, ok := under(tc.root, tc.path)
		if got != tc.want || ok != tc.ok {
			t.Errorf("under(%q, %q) = %q, %v; want %q, %v", tc.root, tc.path, got, ok, tc.want, tc.ok)
		}
	}
}

func TestNewClientRefusesNonLoopback(t *testing.T) {
	for _, a := range []string{"192.168.1.1:80", "10.0.0.1:8000", "[2001:db8::1]:80"} {
		if _, err := NewClient(netip.MustParseAddrPort(a)); err == nil {
			t.Errorf("NewClient(%s) succeeded; want refusal", a)
		}
	}
	for _, a := range []string{"127.0.0.1:8000", "[::1]:8000"} {
		if _, err := NewClient(netip.MustParseAddrPort(a)); err != nil {
			t.Errorf("NewClient(%s): %v", a, err)
		}
	}
}
