package probes

import (
	"context"
	"io"
	"net"
	"testing"
	"time"
)

// serveOnce answers every connection with reply.
func serveOnce(t *testing.T, reply string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			_ = c.SetDeadline(time.Now().Add(time.Second))
			buf := make([]byte, 512)
			_, _ = c.Read(buf)
			_, _ = io.WriteString(c, reply)
			c.Close()
		}
	}()
	return l.Addr().String()
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestRunCheck(t *testing.T) {
	httpd := serveOnce(t, "HTTP/1.0 404 File not found\r\n\r\n")
	echo := serveOnce(t, "+PONG\r\n")
	closed := closedPort(t)
	for _, tc := range []struct {
		name      string
		spec      CheckSpec
		ok, conn  bool
		status    int
		wantErrno string
	}{
		{"http any status answers", CheckSpec{Kind: CheckHTTP, Target: httpd, Path: "/"}, true, true, 404, ""},
		{"http to a non-http server", CheckSpec{Kind: CheckHTTP, Target: echo, Path: "/"}, false, true, 0, ""},
		{"tcp connect only", CheckSpec{Kind: CheckTCP, Target: echo}, true, true, 0, ""},
		{"tcp expect matches", CheckSpec{Kind: CheckTCP, Target: echo, Send: "PING\r\n", Expect: "+PONG"}, true, true, 0, ""},
		{"tcp expect differs", CheckSpec{Kind: CheckTCP, Target: echo, Send: "PING\r\n", Expect: "-ERR"}, false, true, 0, ""},
		{"nothing listens", CheckSpec{Kind: CheckTCP, Target: closed}, false, false, 0, "ECONNREFUSED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec.Timeout = 2 * time.Second
			r := RunCheck(context.Background(), tc.spec)
			if r.OK != tc.ok || r.Connected != tc.conn || r.HTTPStatus != tc.status || r.Errno != tc.wantErrno {
				t.Errorf("got %+v, want ok=%v connected=%v status=%d errno=%q", r, tc.ok, tc.conn, tc.status, tc.wantErrno)
			}
		})
	}
}

func TestParseCheckFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		ok   bool
	}{
		{[]string{"--http", "127.0.0.1:80"}, true},
		{[]string{"--tcp", "[::1]:6379", "--send", "PING", "--expect", "+PONG"}, true},
		{[]string{"--http", "192.0.2.1:80"}, false},
		{[]string{"--tcp", "127.0.0.1:1", "--http", "127.0.0.1:2"}, false},
		{[]string{}, false},
		{[]string{"--tcp", "localhost"}, false},
		{[]string{"--tcp", "127.0.0.1:1", "--timeout", "0s"}, false},
	} {
		_, err := ParseCheckFlags(tc.args, io.Discard)
		if (err == nil) != tc.ok {
			t.Errorf("%q: err %v, want ok=%v", tc.args, err, tc.ok)
		}
	}
}
