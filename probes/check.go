package probes

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Check kinds: what "hardenlab-probe check" does once connected.
const (
	// CheckTCP only connects (and, with Send/Expect, talks).
	CheckTCP = "tcp"
	// CheckHTTP sends GET Path over HTTP/1.0 and reads the status line.
	CheckHTTP = "http"
)

// CheckSpec is one check of a service from inside its own sandbox: the
// harness runs "hardenlab-probe check" in a unit that joins the service's
// namespaces, so the check sees the service as its own sandbox does —
// also when the host cannot reach it (PrivateNetwork=, IPAddressDeny=).
type CheckSpec struct {
	Kind   string // CheckTCP or CheckHTTP
	Target string // loopback HOST:PORT
	// Path is the HTTP request path (CheckHTTP).
	Path string
	// Send is written after connecting; Expect, if set, must prefix what
	// comes back (CheckTCP).
	Send, Expect string
	Timeout      time.Duration
}

// CheckResult is the one JSON document "check" prints. OK says whether
// the service answered as expected; Errno names a failed connect's error
// (ECONNREFUSED: nothing listens; ETIMEDOUT or a timeout: packets are
// dropped, e.g. by IPAddressDeny=).
type CheckResult struct {
	Schema     int     `json:"schema"`
	Kind       string  `json:"kind"`
	Target     string  `json:"target"`
	OK         bool    `json:"ok"`
	Connected  bool    `json:"connected"`
	HTTPStatus int     `json:"http_status,omitempty"`
	Errno      string  `json:"errno,omitempty"`
	Detail     string  `json:"detail,omitempty"`
	Millis     float64 `json:"ms"`
}

// ParseCheckFlags reads "check" flags. The target must be loopback: a
// check never reaches another host.
func ParseCheckFlags(args []string, stderr io.Writer) (CheckSpec, error) {
	var s CheckSpec
	var httpTarget, tcpTarget string
	fs := flag.NewFlagSet("hardenlab-probe check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&httpTarget, "http", "", "loopback HOST:PORT to send an HTTP GET to")
	fs.StringVar(&s.Path, "path", "/", "the HTTP request path")
	fs.StringVar(&tcpTarget, "tcp", "", "loopback HOST:PORT to connect to")
	fs.StringVar(&s.Send, "send", "", "what to write once connected (tcp)")
	fs.StringVar(&s.Expect, "expect", "", "what the answer must begin with (tcp)")
	fs.DurationVar(&s.Timeout, "timeout", 2*time.Second, "time limit of the whole check")
	if err := fs.Parse(args); err != nil {
		return s, fmt.Errorf("parsing check flags: %w", err)
	}
	switch {
	case fs.NArg() > 0:
		return s, fmt.Errorf("check: unexpected arguments %q", fs.Args())
	case (httpTarget == "") == (tcpTarget == ""):
		return s, errors.New("check: give exactly one of --http and --tcp")
	case httpTarget != "":
		s.Kind, s.Target = CheckHTTP, httpTarget
	default:
		s.Kind, s.Target = CheckTCP, tcpTarget
	}
	ap, err := netip.ParseAddrPort(s.Target)
	if err != nil {
		return s, fmt.Errorf("check: target %q: %w", s.Target, err)
	}
	if !ap.Addr().IsLoopback() {
		return s, fmt.Errorf("check: refusing %s: checks only target loopback", s.Target)
	}
	if s.Timeout <= 0 {
		return s, fmt.Errorf("check: --timeout must be positive, got %s", s.Timeout)
	}
	return s, nil
}

// RunCheck carries out a check. It never fails: what went wrong is in the
// result.
func RunCheck(ctx context.Context, s CheckSpec) CheckResult {
	start := time.Now()
	r := CheckResult{Schema: SchemaVersion, Kind: s.Kind, Target: s.Target}
	defer func() { r.Millis = float64(time.Since(start).Microseconds()) / 1000 }()
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	dctx, cancelDial, dropped := dialBound(ctx, s.Target)
	defer cancelDial()
	var d net.Dialer
	c, err := d.DialContext(dctx, "tcp", s.Target)
	if err != nil {
		r.Errno, r.Detail = dialErrno(dctx, err), "connect: "+err.Error()
		if dropped != "" {
			r.Detail += "; " + dropped
		}
		return r
	}
	defer c.Close()
	r.Connected = true
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	send := s.Send
	if s.Kind == CheckHTTP {
		send = "GET " + s.Path + " HTTP/1.0\r\nHost: " + s.Target + "\r\n\r\n"
	}
	if send != "" {
		if _, err := io.WriteString(c, send); err != nil {
			r.Detail = "write: " + err.Error()
			return r
		}
	}
	switch {
	case s.Kind == CheckHTTP:
		r.HTTPStatus, err = readHTTPStatus(c)
		r.OK = err == nil
	case s.Expect != "":
		err = expect(c, s.Expect)
		r.OK = err == nil
	default:
		r.OK = true
	}
	if err != nil {
		r.Detail = err.Error()
	}
	return r
}

// droppedConnectWait bounds the connect once a datagram showed the IP
// filter dropping packets to the target. The connect is still tried, so
// that a send refused by something else (a seccomp filter answering EPERM
// for sendto) is not taken for a drop: a loopback SYN that is not dropped
// is answered within the connect() itself.
const droppedConnectWait = 50 * time.Millisecond

// dialBound bounds the connect to droppedConnectWait when a datagram to
// the target's address shows an IP filter dropping this sandbox's
// packets: a SYN it drops is retransmitted until the check's timeout.
// dropped says what the datagram showed.
func dialBound(ctx context.Context, target string) (_ context.Context, _ context.CancelFunc, dropped string) {
	ap, err := netip.ParseAddrPort(target)
	if err == nil && ap.Addr().Is4() {
		if r, _ := datagramRoundTrip(ap.Addr()); r.Outcome == Blocked {
			c, cancel := context.WithTimeout(ctx, droppedConnectWait)
			return c, cancel, r.Detail
		}
	}
	c, cancel := context.WithCancel(ctx)
	return c, cancel, ""
}

func dialErrno(ctx context.Context, err error) string {
	if e, ok := errnoOf(err); ok {
		return errnoName(e)
	}
	if ctx.Err() != nil {
		return "ETIMEDOUT"
	}
	return ""
}

// readHTTPStatus reads an HTTP status line: any status is an answer.
func readHTTPStatus(c net.Conn) (int, error) {
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil && line == "" {
		return 0, fmt.Errorf("reading the HTTP status line: %w", err)
	}
	f := strings.Fields(line)
	if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
		return 0, fmt.Errorf("not an HTTP status line: %q", strings.TrimSpace(line))
	}
	st, err := strconv.Atoi(f[1])
	if err != nil {
		return 0, fmt.Errorf("HTTP status %q: %w", f[1], err)
	}
	return st, nil
}

func expect(c net.Conn, want string) error {
	buf := make([]byte, len(want))
	n, err := io.ReadFull(c, buf)
	if string(buf[:n]) == want {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the answer (got %q): %w", buf[:n], err)
	}
	return fmt.Errorf("answer %q does not begin with %q", buf[:n], want)
}
