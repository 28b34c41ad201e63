package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

// awaitHealthy asks a ServiceUnit profile's health checks, within the
// ready budget, and tries its ExecReload= once when they all pass. The
// start job has already waited for what Type= means by started (READY=1
// of a notify service, the fork of a forking one).
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
	outcomes, ok := health.WaitAll(rctx, pl.health, env)
	cancel()
	ex.health = outcomes
	ex.ready = time.Since(t)
	ex.timings.Ready = ms(ex.ready)
	if !ok {
		ex.readyErr = unhealthy(outcomes)
		return
	}
	if pl.reload {
		ex.reload = r.reloadOnce(ctx, pl)
	}
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
