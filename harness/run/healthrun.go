package run

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

// awaitHealthy asks a ServiceUnit profile's health checks, within the
// ready budget, and tries its ExecReload= once when they all pass. The
// start job has already waited for what Type= means by started (READY=1
// of a notify service, the fork of a forking one). The outcome is the
// behavior package's: serves when every check passed; exited when the
// unit stopped; unreachable when a network check's port listens inside
// the sandbox all the same (then the check is asked from in there);
// timed-out otherwise.
func (r *Runner) awaitHealthy(ctx context.Context, pl plan, ex *execution) {
	t := time.Now()
	rctx, cancel := context.WithTimeout(ctx, pl.ready)
	env := health.Env{
		Active: func(c context.Context) bool { return r.active(ctx, pl.unit) },
		Running: func(c context.Context) bool {
			st, err := r.sd.ActiveState(ctx, pl.unit)
			return err == nil && st == "active"
		},
		Exec: func(c context.Context, argv []string) (bool, string, error) {
			return r.execInSandbox(c, pl, argv)
		},
	}
	outcomes, ok := health.WaitAll(rctx, pl.health, env) // none: a oneshot that ran
	cancel()
	ex.unitService, ex.health = true, outcomes
	ex.ready.Elapsed = time.Since(t)
	ex.timings.Ready = ms(ex.ready.Elapsed)
	if ok {
		ex.ready.Outcome = behavior.Serves
		if pl.reload {
			ex.reload = r.reloadOnce(ctx, pl)
		}
		return
	}
	ex.ready.Err = unhealthy(outcomes)
	ex.ready.Outcome = r.unhealthyOutcome(ctx, pl, ex.mainPID, outcomes)
	if ex.ready.Outcome == behavior.Unreachable {
		ex.ready.inside, ex.ready.insideErr = r.checkInside(ctx, pl.check)
	}
}

// unhealthyOutcome says what a failed health check means: the unit
// stopped (exited); a network check's port listens inside the sandbox,
// unreached (unreachable); a network check got no answer (timed-out); or
// the service answered and a check still failed (unhealthy).
func (r *Runner) unhealthyOutcome(ctx context.Context, pl plan, mainPID uint32, outcomes []health.Outcome) behavior.Outcome {
	if !r.active(ctx, pl.unit) {
		return behavior.Exited
	}
	for i, o := range outcomes {
		c := pl.health[i]
		if o.Healthy || c.Port() == 0 || o.Answered {
			continue
		}
		if c.Port() == pl.check.port && r.listensInside(pl, mainPID) {
			return behavior.Unreachable
		}
		return behavior.TimedOut
	}
	return behavior.Unhealthy
}

// listensInside says whether the port of the network check that the
// inside check repeats listens in the service's own network namespace.
func (r *Runner) listensInside(pl plan, mainPID uint32) bool {
	if mainPID == 0 || pl.check.argv == nil {
		return false
	}
	ok, _ := behavior.Listening(filepath.Join(r.sb.ProcPath(mainPID), "net"), pl.check.port)
	return ok
}

// insideCheckArgs are the probe binary's check flags that repeat a
// network health check from inside the sandbox; nil for the others.
func insideCheckArgs(c health.Check) []string {
	switch c.Kind {
	case health.HTTP:
		u, err := url.Parse(c.URL)
		if err != nil {
			return nil
		}
		p := u.EscapedPath()
		if p == "" {
			p = "/"
		}
		return []string{"--http", net.JoinHostPort(u.Hostname(), strconv.Itoa(c.Port())), "--path", p}
	case health.TCP:
		args := []string{"--tcp", c.Addr.String()}
		if c.Send != "" {
			args = append(args, "--send", c.Send+"\r\n")
		}
		if c.Expect != "" {
			args = append(args, "--expect", c.Expect)
		}
		return args
	}
	return nil
}

// unhealthy names the first failed check.
func unhealthy(outcomes []health.Outcome) error {
	for _, o := range outcomes {
		if !o.Healthy {
			return fmt.Errorf("health check %s failed: %s", o.Check, o.Detail)
		}
	}
	return errors.New("no health check passed")
}

// reloadOnce runs the unit's ExecReload= and says whether the service is
// still active afterwards.
func (r *Runner) reloadOnce(ctx context.Context, pl plan) *report.Reload {
	t := time.Now()
	err := r.sd.Reload(ctx, pl.unit)
	rl := &report.Reload{Millis: ms(time.Since(t)), OK: err == nil}
	if err != nil {
		rl.Detail = err.Error()
	}
	if !r.active(ctx, pl.unit) {
		rl.OK = false
		rl.Detail = strings.TrimPrefix(rl.Detail+"; the unit is no longer active after the reload", "; ")
	}
	return rl
}

// execInSandbox runs an exec health check's command as a oneshot sibling
// of the service in the probe unit's sandbox, and removes the unit again.
func (r *Runner) execInSandbox(ctx context.Context, pl plan, argv []string) (bool, string, error) {
	r.execMu.Lock()
	r.execN++
	n := r.execN
	r.execMu.Unlock()
	name, props, hostOut := r.setup.healthExecUnit(pl, n, argv)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = r.sd.Stop(sctx, name)
		_ = os.Remove(hostOut)
	}()
	err := r.sd.StartTransient(ctx, name, props)
	out, _ := os.ReadFile(hostOut)
	detail := lastLine(string(out))
	if err != nil {
		// Its own stdout rarely says why; the manager's lines do.
		detail = strings.TrimPrefix(detail+" | "+strings.Join(r.journalTail(name, 3), " | "), " | ")
	}
	var je *systemd.JobError
	switch {
	case err == nil:
		return true, strings.TrimPrefix(strings.Join(argv, " ")+" exited 0: "+detail, ": "), nil
	case errors.As(err, &je):
		return false, fmt.Sprintf("%s failed (%s): %s", strings.Join(argv, " "), je.Result, detail), nil
	}
	return false, "", fmt.Errorf("running %s in the service's sandbox: %w", strings.Join(argv, " "), err)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// healthDetail says how the health checks decided a ServiceUnit
// profile's outcome, when they did: every check passed, or which one
// timed out. The other outcomes keep the behavior package's detail.
func healthDetail(ex execution) string {
	if !ex.unitService {
		return ""
	}
	switch ex.outcome() {
	case behavior.Serves:
		if len(ex.health) == 0 {
			return "its start job succeeded (a oneshot: the run is the answer)"
		}
		var ds []string
		for _, o := range ex.health {
			ds = append(ds, o.Detail)
		}
		return "healthy: " + strings.Join(ds, "; ")
	case behavior.TimedOut:
		return ex.ready.Err.Error()
	}
	return ""
}
