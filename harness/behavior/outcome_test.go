package behavior

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestListeningReadsProcNetTCP(t *testing.T) {
	dir := t.TempDir()
	tcp := "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1\n" +
		"   1: 0100007F:0050 0100007F:D431 01 00000000:00000000 00:00000000 00000000     0        0 2 1\n"
	if err := os.WriteFile(filepath.Join(dir, "tcp"), []byte(tcp), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		port int
		want bool
	}{{8080, true}, {80, false}, {443, false}} {
		got, err := Listening(dir, tc.port)
		if err != nil || got != tc.want {
			t.Errorf("Listening(%d) = %v, %v; want %v", tc.port, got, err, tc.want)
		}
	}
	if _, err := Listening(filepath.Join(dir, "missing"), 80); err == nil {
		t.Error("no tcp files: want an error")
	}
}

// TestListeningSeesOwnSocket checks the parser against the kernel's own
// table, through this process's /proc/self/net.
func TestListeningSeesOwnSocket(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	got, err := Listening("/proc/self/net", l.Addr().(*net.TCPAddr).Port)
	if err != nil || !got {
		t.Errorf("Listening on our own socket = %v, %v", got, err)
	}
}

func newTestClient(t *testing.T, addr string) *Client {
	t.Helper()
	c, err := NewClient(netip.MustParseAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAwait(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) })}
	go func() { _ = srv.Serve(l) }()
	defer srv.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()
	yes := func() bool { return true }
	no := func() bool { return false }
	for _, tc := range []struct {
		name string
		addr string
		w    Watch
		want Outcome
	}{
		{"answers", l.Addr().String(), Watch{Alive: yes}, Serves},
		{"stopped", closedAddr, Watch{Alive: no}, Exited},
		// Listens elsewhere (another network namespace): the host's
		// connect is refused.
		{"listens where the host cannot connect", closedAddr, Watch{Alive: yes, Listening: yes}, Unreachable},
		{"never comes", closedAddr, Watch{Alive: yes, Listening: no}, TimedOut},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			got := newTestClient(t, tc.addr).Await(ctx, tc.w)
			if got.Outcome != tc.want || (got.Err == nil) != (tc.want == Serves) {
				t.Errorf("Await = %+v, want %s", got, tc.want)
			}
		})
	}
}

func TestBrokenOutcomes(t *testing.T) {
	for _, o := range Outcomes() {
		want := o == Exited || o == FailedToStart || o == TimedOut || o == Unhealthy
		if o.Broken() != want {
			t.Errorf("%s.Broken() = %v", o, o.Broken())
		}
	}
}
