// Package behavior checks what the demo service does for a client: whether
// it becomes ready, what GET / answers, and which sensitive files it hands
// out over HTTP. It only ever talks to loopback.
package behavior

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path"
	"strings"
	"time"
)

// Sensitive is one thing the service should not hand out.
type Sensitive struct {
	ID   string // stable name used in reports, e.g. "etc-shadow"
	Path string // absolute path on the sandbox's file system
	Why  string
}

// Exposure is the answer for one sensitive path.
type Exposure struct {
	ID     string `json:"id"`
	Path   string `json:"path"`
	URL    string `json:"url,omitempty"`
	Status int    `json:"http_status,omitempty"`
	// Exposed is true when the service answered 200 with content.
	Exposed bool `json:"exposed"`
	// Bytes and SHA256Prefix identify what was served without putting a
	// secret into the report.
	Bytes        int64  `json:"bytes,omitempty"`
	SHA256Prefix string `json:"sha256_prefix,omitempty"`
	Detail       string `json:"detail,omitempty"`
}

// Client talks to one demo service on loopback.
type Client struct {
	addr     string
	addrPort netip.AddrPort
	base     string
	http     *http.Client
}

// NewClient refuses anything but a loopback address, so that a mistake can
// never make hardenlab probe another host.
func NewClient(addr netip.AddrPort) (*Client, error) {
	if !addr.Addr().IsLoopback() {
		return nil, fmt.Errorf("refusing to contact %s: hardenlab only checks services on loopback", addr)
	}
	return &Client{
		addr:     addr.String(),
		addrPort: addr,
		base:     "http://" + addr.String(),
		http: &http.Client{
			Timeout: 3 * time.Second,
			// A redirect could lead off loopback.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Transport: &http.Transport{
				Proxy:             nil,
				DisableKeepAlives: true,
			},
		},
	}, nil
}

// Watch is what Await asks besides HTTP: whether the unit still runs,
// and whether the service's socket listens inside its sandbox. Either may
// be nil.
type Watch struct {
	Alive     func() bool
	Listening func() bool
}

// Readiness is how waiting for the service ended.
type Readiness struct {
	// Outcome is Serves, Unreachable, Exited or TimedOut.
	Outcome Outcome
	Elapsed time.Duration
	Status  int   // of the first HTTP answer (Serves)
	Err     error // why it does not serve
}

// dialCheck bounds the host's connect to the service: the kernel answers
// a loopback SYN within the connect() itself, however busy the service
// is, and the connect is judged on the socket's TCP state, so only a
// kernel that defers its network work (to ksoftirqd, under heavy load)
// can make an answered SYN look dropped. A listening socket is called
// unreachable after dialTries unanswered connects in a row, for that case.
const (
	dialCheck = 30 * time.Millisecond
	dialTries = 2
)

// Await polls GET / until the service answers, stops, turns out to listen
// where the host cannot reach it, or ctx ends — whichever is known first,
// so that a cut-off service costs no more than a healthy one.
func (c *Client) Await(ctx context.Context, w Watch) Readiness {
	start := time.Now()
	var last error
	var checked time.Time
	unanswered := 0
	for {
		// Read before each connect (a cheap file read).
		listening := w.Listening != nil && w.Listening()
		err := handshake(c.addrPort, dialCheck)
		if err == nil {
			// A GET only after an answered connect: one whose SYN is
			// dropped would wait out the client's whole timeout. The
			// filter does not change while the unit runs.
			unanswered = 0
			var status int
			if status, err = c.get(ctx, "/", 0); err == nil {
				return Readiness{Outcome: Serves, Elapsed: time.Since(start), Status: status}
			}
		} else if ctx.Err() == nil && cutOff(err, &unanswered, listening, w) {
			return Readiness{Outcome: Unreachable, Elapsed: time.Since(start),
				Err: fmt.Errorf("the service listens inside its sandbox, but the host cannot connect: %w", err)}
		}
		last = err
		if ctx.Err() != nil {
			break
		}
		if unanswered > 0 {
			continue // the next connect decides
		}
		// Asking systemd costs it (and us) more than a refused connect:
		// a few times a second is enough to notice a dead service.
		if w.Alive != nil && time.Since(checked) > 200*time.Millisecond {
			checked = time.Now()
			if !w.Alive() {
				return Readiness{Outcome: Exited, Elapsed: time.Since(start), Err: fmt.Errorf("service stopped before answering HTTP (last error: %v)", last)}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(25 * time.Millisecond):
		}
	}
	return Readiness{Outcome: TimedOut, Elapsed: time.Since(start),
		Err: fmt.Errorf("service did not answer HTTP in time (last error: %v): %w", last, ctx.Err())}
}

// cutOff judges a failed connect to a service whose socket listens: a
// refusal is final (the socket is in another network namespace), an
// unanswered SYN counts towards dialTries. A SYN neither answered nor
// refused is read again against the sockets: the service may have begun
// to listen since they were read.
func cutOff(err error, unanswered *int, listening bool, w Watch) bool {
	var ne net.Error
	timeout := errors.As(err, &ne) && ne.Timeout()
	if !listening && timeout && w.Listening != nil {
		listening = w.Listening()
	}
	if !listening {
		*unanswered = 0
		return false
	}
	if !timeout {
		return true
	}
	*unanswered++
	return *unanswered >= dialTries
}

// Status fetches one URL path and returns its HTTP status.
func (c *Client) Status(ctx context.Context, urlPath string) (int, error) {
	return c.get(ctx, urlPath, 0)
}

func (c *Client) get(ctx context.Context, urlPath string, limit int64) (int, error) {
	st, _, err := c.fetch(ctx, urlPath, limit)
	return st, err
}

func (c *Client) fetch(ctx context.Context, urlPath string, limit int64) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+urlPath, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil && !errors.Is(err, io.EOF) {
		return resp.StatusCode, body, err
	}
	return resp.StatusCode, body, nil
}

// maxBody bounds how much of a served file is read to fingerprint it.
const maxBody = 1 << 20

// Exposures asks for each sensitive path. servedRoot is the service's
// working directory: python's http.server maps URL paths below it and never
// above it, so paths outside it are recorded as unreachable.
func (c *Client) Exposures(ctx context.Context, servedRoot string, paths []Sensitive) []Exposure {
	out := make([]Exposure, 0, len(paths))
	for _, p := range paths {
		e := Exposure{ID: p.ID, Path: p.Path}
		rel, ok := under(servedRoot, p.Path)
		if !ok {
			e.Detail = "outside the served directory " + servedRoot
			out = append(out, e)
			continue
		}
		e.URL = rel
		status, body, err := c.fetch(ctx, rel, maxBody)
		if err != nil {
			e.Detail = err.Error()
			out = append(out, e)
			continue
		}
		e.Status = status
		if status == http.StatusOK {
			e.Exposed = true
			e.Bytes = int64(len(body))
			sum := sha256.Sum256(body)
			e.SHA256Prefix = hex.EncodeToString(sum[:4])
			if len(body) == 0 {
				// http.server sends fstat's size, which procfs reports as 0:
				// the file was opened, its content did not go out.
				e.Detail = "readable by the service, served empty (size 0 in fstat)"
			}
		}
		out = append(out, e)
	}
	return out
}

// under maps an absolute file path to the URL path that serves it from
// root, if it is below root.
func under(root, p string) (string, bool) {
	if root == "" {
		root = "/"
	}
	dir := strings.HasSuffix(p, "/")
	root = path.Clean(root)
	p = path.Clean(p)
	var rel string
	switch {
	case root == "/":
		rel = p
	case p == root:
		rel = "/"
	case strings.HasPrefix(p, root+"/"):
		rel = strings.TrimPrefix(p, root)
	default:
		return "", false
	}
	if dir && !strings.HasSuffix(rel, "/") {
		rel += "/"
	}
	return rel, true
}

// FreePort asks the kernel for a free loopback TCP port. The port may be
// taken again before the service binds it; callers retry on a bind failure.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
