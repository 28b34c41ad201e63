package health

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Outcome is one check's answer for one profile.
type Outcome struct {
	Check   string
	Healthy bool
	// Millis is how long the check took to pass, or how long it tried.
	Millis float64
	// Detail says what the last try saw.
	Detail string
	// Answered says that a network check reached the service: it
	// connected (and, for HTTP, got a status), whatever it then judged.
	Answered bool
}

// Env is what checks need from the run.
type Env struct {
	// Active says whether the unit is still active or may still come up
	// (activating, reloading): while it is, a failing check is tried again.
	Active func(ctx context.Context) bool
	// Running says whether the unit is active right now: an active check
	// needs it all along, so a crash loop's restarts (activating between
	// two runs) fail it. Nil falls back to Active.
	Running func(ctx context.Context) bool
	// Exec runs argv inside the service's sandbox and says whether it
	// exited 0, with what it reported.
	Exec func(ctx context.Context, argv []string) (ok bool, detail string, err error)
}

// pollEvery is the pause between two tries of a network check.
const pollEvery = 100 * time.Millisecond

// Wait asks c until it passes, the unit stops being active, or ctx ends.
func (c Check) Wait(ctx context.Context, env Env) Outcome {
	start := time.Now()
	out := Outcome{Check: c.Spec}
	if c.Kind == Active {
		running := env.Running
		if running == nil {
			running = env.Active
		}
		out.Healthy, out.Detail = stayActive(ctx, c.For, running)
		out.Millis = ms(time.Since(start))
		return out
	}
	for {
		ok, answered, detail := c.try(ctx, env)
		out.Detail, out.Answered = detail, answered
		if ok {
			out.Healthy = true
			break
		}
		if env.Active != nil && !env.Active(ctx) {
			out.Detail += "; the unit is no longer active"
			break
		}
		if c.Kind == Exec {
			break // a command inside the sandbox is asked once
		}
		select {
		case <-ctx.Done():
			out.Detail += fmt.Sprintf("; gave up after %s", time.Since(start).Round(time.Millisecond))
			out.Millis = ms(time.Since(start))
			return out
		case <-time.After(pollEvery):
		}
	}
	out.Millis = ms(time.Since(start))
	return out
}

// WaitAll runs every check in turn; all must pass for the service to be
// healthy.
func WaitAll(ctx context.Context, checks []Check, env Env) ([]Outcome, bool) {
	all := true
	var out []Outcome
	for _, c := range checks {
		o := c.Wait(ctx, env)
		all = all && o.Healthy
		out = append(out, o)
	}
	return out, all
}

func (c Check) try(ctx context.Context, env Env) (ok, answered bool, detail string) {
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	switch c.Kind {
	case HTTP:
		return c.tryHTTP(tctx)
	case TCP:
		return c.tryTCP(tctx)
	case Exec:
		if env.Exec == nil {
			return false, false, "exec checks cannot run here"
		}
		ok, detail, err := env.Exec(ctx, c.Argv)
		if err != nil {
			return false, false, err.Error()
		}
		return ok, false, detail
	}
	return false, false, fmt.Sprintf("unknown check kind %q", c.Kind)
}

func (c Check) tryHTTP(ctx context.Context) (ok, answered bool, detail string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL, nil)
	if err != nil {
		return false, false, err.Error()
	}
	// Never through a proxy, never following a redirect off loopback.
	client := http.Client{
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		return false, false, err.Error()
	}
	resp.Body.Close()
	ok = resp.StatusCode >= 200 && resp.StatusCode < 400
	if c.Status != 0 {
		ok = resp.StatusCode == c.Status
	}
	return ok, true, fmt.Sprintf("GET %s: %s", c.URL, resp.Status)
}

func (c Check) tryTCP(ctx context.Context) (ok, answered bool, detail string) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", c.Addr.String())
	if err != nil {
		return false, false, err.Error()
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if c.Send != "" {
		if _, err := conn.Write([]byte(c.Send + "\r\n")); err != nil {
			return false, true, fmt.Sprintf("sending %q: %v", c.Send, err)
		}
	}
	if c.Expect == "" {
		return true, true, "connected to " + c.Addr.String()
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if !strings.HasPrefix(line, c.Expect) {
		if err != nil {
			return false, true, fmt.Sprintf("reading the reply: %v (got %q)", err, line)
		}
		return false, true, fmt.Sprintf("reply %q does not begin with %q", line, c.Expect)
	}
	return true, true, fmt.Sprintf("%s answered %q", c.Addr, line)
}

// stayActive watches the unit for d; it must be active all along.
func stayActive(ctx context.Context, d time.Duration, active func(context.Context) bool) (bool, string) {
	if active == nil {
		return false, "the unit's state cannot be read"
	}
	start := time.Now()
	end := time.NewTimer(d)
	defer end.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		if !active(ctx) {
			return false, fmt.Sprintf("the unit was no longer active after %s", time.Since(start).Round(time.Millisecond))
		}
		select {
		case <-end.C:
			return true, fmt.Sprintf("active for %s", d)
		case <-ctx.Done():
			return false, fmt.Sprintf("the profile's time ran out after %s", time.Since(start).Round(time.Millisecond))
		case <-tick.C:
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
