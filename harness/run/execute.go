package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/systemd"
	"github.com/hardenlab/hardenlab/probes"
)

// execution is what carrying out a plan produced, before any judgement.
type execution struct {
	// refused is systemd's refusal of the unit: then nothing ran.
	refused error
	// startErr is the failed start job of a unit systemd accepted.
	startErr  error
	mainPID   uint32
	cpu       time.Duration // of the main process, when it was stopped
	ready     readiness
	exposures []behavior.Exposure
	probes    probeRun
	score     report.Score
	// state and readback come from one read of the unit's properties,
	// unless stateErr.
	state    systemd.State
	readback []directive.Mismatch
	stateErr error
	journal  []string // the unit's last log lines, when it did not come up
	// unitService, health and reload are a ServiceUnit profile's: each
	// check's outcome and the ExecReload= tried once it was healthy.
	unitService bool
	health      []health.Outcome
	reload      *report.Reload
	stopErr     error
	timings     report.Timings // all but Total
}

// readiness is how the wait for the service ended — the one place that
// decides a profile's behavior outcome.
type readiness struct {
	behavior.Readiness
	// inside is the check from inside the service's sandbox of a service
	// the host could not reach, unless insideErr says why it did not run.
	inside    *probes.CheckResult
	insideErr error
}

// outcome is what became of the service; "" when systemd refused the
// unit and nothing ran.
func (ex execution) outcome() behavior.Outcome {
	switch {
	case ex.refused != nil:
		return ""
	case ex.startErr != nil:
		return behavior.FailedToStart
	}
	return ex.ready.Outcome
}

// execute starts the service, observes it, reads it back and stops it
// again, on every path.
func (r *Runner) execute(ctx context.Context, pl plan) (ex execution) {
	pctx, cancel := context.WithTimeout(ctx, pl.timeout)
	defer cancel()
	defer r.stopService(ctx, pl, &ex)
	t := time.Now()
	startErr := r.sd.StartTransient(pctx, pl.unit, pl.service)
	ex.timings.Start = ms(time.Since(t))
	var je *systemd.JobError
	if startErr != nil && !errors.As(startErr, &je) {
		if systemd.IsBadSetting(startErr) {
			// PID 1 logs why and keeps nothing of the unit: the journal
			// line is the only place the user could learn it.
			if why := r.journalTail(pl.unit, 5); len(why) > 0 {
				startErr = fmt.Errorf("%w: %s", startErr, strings.Join(why, "; "))
			}
		}
		ex.refused = explainRefusal(startErr, pl.profile, pl.systemd)
		return ex
	}
	ex.startErr = startErr
	if startErr == nil {
		ex.mainPID, _ = r.sd.MainPID(pctx, pl.unit)
	}
	r.observe(pctx, pl, &ex)
	if ex.mainPID != 0 && ex.probes.err == nil && pl.probe.props != nil {
		// Read only now: at the start job's end the main PID can still be
		// the child systemd forked, before it execs the service with its
		// capabilities reduced to the bounding set; by now the service has
		// answered, or is known not to.
		ex.probes.posture, ex.probes.compared, ex.probes.postureErr = comparePosture(ex.probes.doc.Posture, r.sb.ProcPath(ex.mainPID))
	}
	r.readBack(pctx, pl, &ex)
	if ex.outcome() != behavior.Serves {
		ex.journal = r.journalTail(pl.unit, 20)
	}
	return ex
}

// observe does readiness, probes and score at once: they are independent
// once the unit runs, so a profile costs the slowest of the three. Each
// goroutine writes fields of its own.
func (r *Runner) observe(ctx context.Context, pl plan, ex *execution) {
	var wg sync.WaitGroup
	if ex.startErr == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if pl.unitService {
				r.awaitHealthy(ctx, pl, ex)
				return
			}
			r.awaitReady(ctx, pl, ex)
		}()
	}
	if pl.probe.enabled {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			ex.probes = r.runProbes(ctx, pl.probe)
			ex.timings.Probes = ms(time.Since(t))
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.Now()
		ex.score = r.score(ctx, pl)
		ex.timings.Score = ms(time.Since(t))
	}()
	wg.Wait()
}

// awaitReady waits until the service's outcome is known — it answers,
// it stops, or it listens where the host cannot reach it — and then checks
// what it exposes, or asks it from inside its sandbox whether it serves.
func (r *Runner) awaitReady(ctx context.Context, pl plan, ex *execution) {
	t := time.Now()
	// A unit that runs but never answers must not eat the whole profile's
	// budget.
	rctx, cancel := context.WithTimeout(ctx, pl.ready)
	w := behavior.Watch{Alive: func() bool { return r.active(ctx, pl.unit) }}
	if ex.mainPID != 0 {
		netDir := filepath.Join(r.sb.ProcPath(ex.mainPID), "net")
		w.Listening = func() bool { ok, _ := behavior.Listening(netDir, pl.port); return ok }
	}
	ex.ready.Readiness = pl.client.Await(rctx, w)
	cancel()
	ex.timings.Ready = ms(time.Since(t))
	switch ex.ready.Outcome {
	case behavior.Serves:
		ex.exposures = pl.client.Exposures(ctx, pl.served, r.markers)
	case behavior.Unreachable:
		if errors.Is(ex.ready.Err, context.DeadlineExceeded) || isTimeout(ex.ready.Err) {
			// Dropped, not refused: an IP filter (IPAddressDeny=) drops
			// packets to the service's socket whoever sends them, so a
			// check from inside would only wait out its own timeout.
			break
		}
		ex.ready.inside, ex.ready.insideErr = r.checkInside(ctx, pl.check)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// checkInside runs the probe binary's check in a unit joined to the
// service's namespaces and reads its answer.
func (r *Runner) checkInside(ctx context.Context, cp checkPlan) (*probes.CheckResult, error) {
	if cp.argv == nil {
		return nil, errors.New("not checked from inside the sandbox: the run has no probe binary")
	}
	data, startErr := r.runSibling(ctx, cp.unit, cp.props, cp.hostOut)
	if len(data) == 0 {
		return nil, fmt.Errorf("the check unit produced no answer (start: %v): %s", startErr, strings.Join(r.journalTail(cp.unit, 5), " | "))
	}
	var res probes.CheckResult
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("parsing the check's answer: %w", err)
	}
	return &res, nil
}

// readBack reads the unit's properties once, for both its state and the
// comparison with what was sent.
func (r *Runner) readBack(ctx context.Context, pl plan, ex *execution) {
	u, uerr := r.sd.Unit(ctx, pl.unit)
	svc, serr := r.sd.Service(ctx, pl.unit)
	if err := errors.Join(uerr, serr); err != nil {
		ex.stateErr = err
		return
	}
	ex.state = systemd.StateOf(u, svc)
	ex.readback = directive.CheckReadback(pl.readback, svc)
}

// stopService stops the unit even when ctx is cancelled (Ctrl-C, timeout).
func (r *Runner) stopService(ctx context.Context, pl plan, ex *execution) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if ex.mainPID != 0 {
		ex.cpu = cpuTime(r.sb.ProcPath(ex.mainPID))
	}
	t := time.Now()
	ex.stopErr = r.sd.Stop(sctx, pl.unit)
	ex.timings.Stop = ms(time.Since(t))
}
