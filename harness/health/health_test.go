package health

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec    string
		kind    Kind
		port    int
		wantErr string
	}{
		{spec: "http://127.0.0.1:80/", kind: HTTP, port: 80},
		{spec: "http://127.0.0.1/", kind: HTTP, port: 80},
		{spec: "http://localhost:8080/x=204", kind: HTTP, port: 8080},
		{spec: "http://[::1]:81/", kind: HTTP, port: 81},
		{spec: "http://10.0.0.1:80/", wantErr: "not a loopback address"},
		{spec: "http://example.org/", wantErr: "not a loopback address"},
		{spec: "http://127.0.0.1:80/=99", wantErr: "not an HTTP status"},
		{spec: "tcp:127.0.0.1:6379", kind: TCP, port: 6379},
		{spec: "tcp:127.0.0.1:6379,send=PING,expect=+PONG", kind: TCP, port: 6379},
		{spec: "tcp:192.168.1.1:22", wantErr: "not a loopback address"},
		{spec: "tcp:127.0.0.1:0", wantErr: "not a TCP port"},
		{spec: "tcp:127.0.0.1:1,bogus=1", wantErr: "unknown option"},
		{spec: "exec:/usr/bin/redis-cli ping", kind: Exec},
		{spec: "exec:redis-cli", wantErr: "absolute path"},
		{spec: "exec:", wantErr: "no command"},
		{spec: "active:3s", kind: Active},
		{spec: "active:-1s", wantErr: "positive"},
		{spec: "ping", wantErr: "want http"},
		{spec: "udp:127.0.0.1:53", wantErr: "unknown kind"},
	} {
		c, err := Parse(tc.spec)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) error = %v, want one containing %q", tc.spec, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.spec, err)
			continue
		}
		if c.Kind != tc.kind || c.Port() != tc.port {
			t.Errorf("Parse(%q) = kind %s port %d, want %s %d", tc.spec, c.Kind, c.Port(), tc.kind, tc.port)
		}
	}
}

func TestParseAllDefaultsToActive(t *testing.T) {
	cs, err := ParseAll(nil)
	if err != nil || len(cs) != 1 || cs[0].Kind != Active || cs[0].For != DefaultActive {
		t.Fatalf("ParseAll(nil) = %+v, %v", cs, err)
	}
}

func alwaysActive(context.Context) bool { return true }

func TestWaitHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		spec string
		want bool
	}{
		{srv.URL + "/", true},
		{srv.URL + "/=200", true},
		{srv.URL + "/missing", false},
		{srv.URL + "/missing=404", true},
	} {
		c, err := Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		o := c.Wait(ctx, Env{Active: alwaysActive})
		cancel()
		if o.Healthy != tc.want {
			t.Errorf("%s: healthy = %v (%s), want %v", tc.spec, o.Healthy, o.Detail, tc.want)
		}
	}
}

// lineServer answers each line with reply.
func lineServer(t *testing.T, reply string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					c.Write([]byte(reply + "\r\n"))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func TestWaitTCP(t *testing.T) {
	addr := lineServer(t, "+PONG")
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedAddr := closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		spec string
		want bool
	}{
		{"tcp:" + addr, true},
		{"tcp:" + addr + ",send=PING,expect=+PONG", true},
		{"tcp:" + addr + ",send=PING,expect=-ERR", false},
		{"tcp:" + closedAddr, false},
	} {
		c, err := Parse(tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		o := c.Wait(ctx, Env{Active: alwaysActive})
		cancel()
		if o.Healthy != tc.want {
			t.Errorf("%s: healthy = %v (%s), want %v", tc.spec, o.Healthy, o.Detail, tc.want)
		}
	}
}

func TestWaitStopsWhenUnitIsGone(t *testing.T) {
	c, _ := Parse("tcp:127.0.0.1:1")
	o := c.Wait(context.Background(), Env{Active: func(context.Context) bool { return false }})
	if o.Healthy || !strings.Contains(o.Detail, "no longer active") {
		t.Fatalf("outcome = %+v", o)
	}
}

func TestWaitActive(t *testing.T) {
	c, _ := Parse("active:200ms")
	if o := c.Wait(context.Background(), Env{Active: alwaysActive}); !o.Healthy {
		t.Errorf("always active: %+v", o)
	}
	n := 0
	flaky := func(context.Context) bool { n++; return n < 2 }
	if o := c.Wait(context.Background(), Env{Active: flaky}); o.Healthy {
		t.Errorf("exited: %+v", o)
	}
}

func TestWaitExec(t *testing.T) {
	c, _ := Parse("exec:/bin/true")
	ok := func(context.Context, []string) (bool, string, error) { return true, "exit 0", nil }
	bad := func(context.Context, []string) (bool, string, error) { return false, "exit 1", nil }
	if o := c.Wait(context.Background(), Env{Active: alwaysActive, Exec: ok}); !o.Healthy {
		t.Errorf("exit 0: %+v", o)
	}
	if o := c.Wait(context.Background(), Env{Active: alwaysActive, Exec: bad}); o.Healthy {
		t.Errorf("exit 1: %+v", o)
	}
}
