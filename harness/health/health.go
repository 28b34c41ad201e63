// Package health decides whether a real service works under a profile:
// each check is one question asked of the running service (does it answer
// HTTP, does a TCP port answer a line protocol, does a command inside its
// sandbox succeed, does it stay active), and its outcome goes into the
// record. Network checks only ever target loopback: hardenlab never sends
// anything to a network.
package health

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Kind names what a check asks.
type Kind string

const (
	HTTP   Kind = "http"   // GET a URL; the status must match
	TCP    Kind = "tcp"    // connect; optionally send a line and expect a reply
	Exec   Kind = "exec"   // run a command inside the service's sandbox; exit 0
	Active Kind = "active" // the unit stays active for a duration
)

// DefaultActive is the check of a run without --health: the service must
// stay active this long after it started.
const DefaultActive = 5 * time.Second

// Check is one parsed --health value.
type Check struct {
	Kind Kind
	// Spec is the value as given, which names the check in the record.
	Spec string
	// URL and Status are an HTTP check's; Status 0 accepts any 2xx or 3xx.
	URL    string
	Status int
	// Addr, Send and Expect are a TCP check's. Send goes out with CRLF;
	// Expect must begin the reply.
	Addr         netip.AddrPort
	Send, Expect string
	// Argv is an exec check's command.
	Argv []string
	// For is an active check's duration.
	For time.Duration
}

// Port is the loopback port a network check targets, 0 for the others.
func (c Check) Port() int {
	switch c.Kind {
	case TCP:
		return int(c.Addr.Port())
	case HTTP:
		u, err := url.Parse(c.URL)
		if err != nil {
			return 0
		}
		p, _ := strconv.Atoi(u.Port())
		if p == 0 && u.Scheme == "http" {
			return 80
		}
		return p
	}
	return 0
}

// Parse reads a --health value:
//
//	http://127.0.0.1:PORT/PATH[=STATUS]
//	tcp:HOST:PORT[,send=LINE][,expect=PREFIX]
//	exec:CMD ARGS
//	active:DURATION
func Parse(spec string) (Check, error) {
	c := Check{Spec: spec}
	kind, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return c, fmt.Errorf("--health %q: want http://…, tcp:HOST:PORT, exec:CMD or active:DURATION", spec)
	}
	var err error
	switch Kind(kind) {
	case HTTP:
		c.Kind = HTTP
		err = c.parseHTTP(spec)
	case TCP:
		c.Kind = TCP
		err = c.parseTCP(rest)
	case Exec:
		c.Kind = Exec
		c.Argv = strings.Fields(rest)
		if len(c.Argv) == 0 {
			err = errors.New("no command")
		} else if !strings.HasPrefix(c.Argv[0], "/") {
			err = fmt.Errorf("command %q must be an absolute path (it runs inside the service's sandbox)", c.Argv[0])
		}
	case Active:
		c.Kind = Active
		c.For, err = time.ParseDuration(rest)
		if err == nil && c.For <= 0 {
			err = errors.New("the duration must be positive")
		}
	default:
		err = fmt.Errorf("unknown kind %q: want http, tcp, exec or active", kind)
	}
	if err != nil {
		return c, fmt.Errorf("--health %q: %w", spec, err)
	}
	return c, nil
}

func (c *Check) parseHTTP(spec string) error {
	raw := spec
	if i := strings.LastIndex(spec, "="); i > strings.Index(spec, "//") {
		st, err := strconv.Atoi(spec[i+1:])
		if err != nil || st < 100 || st > 599 {
			return fmt.Errorf("status %q is not an HTTP status code", spec[i+1:])
		}
		raw, c.Status = spec[:i], st
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	if err := loopbackHost(u.Hostname()); err != nil {
		return err
	}
	c.URL = raw
	return nil
}

func (c *Check) parseTCP(rest string) error {
	fields := strings.Split(rest, ",")
	host, port, err := net.SplitHostPort(fields[0])
	if err != nil {
		return err
	}
	if err := loopbackHost(host); err != nil {
		return err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil || p == 0 {
		return fmt.Errorf("port %q is not a TCP port", port)
	}
	c.Addr = netip.AddrPortFrom(loopbackAddr(host), uint16(p))
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "send":
			c.Send = v
		case "expect":
			c.Expect = v
		default:
			return fmt.Errorf("unknown option %q: want send=LINE or expect=PREFIX", k)
		}
	}
	return nil
}

// loopbackHost refuses every host that is not a loopback address or
// localhost: a check must never send anything to a network.
func loopbackHost(host string) error {
	if host == "localhost" {
		return nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.IsLoopback() {
		return fmt.Errorf("%q is not a loopback address: health checks only target 127.0.0.0/8, ::1 or localhost", host)
	}
	return nil
}

func loopbackAddr(host string) netip.Addr {
	if host == "localhost" {
		return netip.MustParseAddr("127.0.0.1")
	}
	return netip.MustParseAddr(host)
}

// ParseAll parses every value; none means the default active check.
func ParseAll(specs []string) ([]Check, error) {
	if len(specs) == 0 {
		return []Check{{Kind: Active, Spec: "active:" + DefaultActive.String(), For: DefaultActive}}, nil
	}
	var out []Check
	var errs []error
	for _, s := range specs {
		c, err := Parse(s)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}
