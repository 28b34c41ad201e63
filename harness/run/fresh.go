package run

import (
	"context"
	"errors"
	"time"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/probes"
)

// Baseline is a control run's record and raw probe results (the probes',
// the per-call syscall results and the posture): what another runner's
// profiles are judged against.
type Baseline struct {
	record  report.Record
	results []probes.Result
	calls   []probes.CallResult // per-call SystemCallFilter= results
	posture probes.Posture      // capability sets, for CapabilityBoundingSet=
	paths   []string            // the path flags its probes tried
}

// Baseline is the control once it is made.
func (r *Runner) Baseline() (Baseline, bool) {
	select {
	case <-r.ctlDone:
		return Baseline{record: *r.control, results: r.ctlDoc, calls: r.ctlCalls, posture: r.ctlPosture, paths: r.ctlPaths}, true
	default:
		return Baseline{}, false
	}
}

// AdoptBaseline makes b this runner's control, so that none runs here.
func (r *Runner) AdoptBaseline(b Baseline) {
	if r.claimControl() {
		r.ctlDoc, r.ctlCalls, r.ctlPosture, r.ctlPaths = b.results, b.calls, b.posture, b.paths
		r.setControl(b.record)
	}
}

// Boot starts the n-th fresh sandbox of a RunFresh.
type Boot func(ctx context.Context, n int) (*sandbox.Sandbox, error)

// RunFresh runs each profile in a sandbox of its own, one after another.
// The unit's own commands write the service's state (logs, data, runtime
// files) into the sandbox's root view: a profile that runs as root leaves
// files the next one, running as the unit's User=, may not open. Each
// sandbox starts from the root as it is; the control runs first and every
// other profile is judged against it. Records come back in the order of
// profiles; done, if set, is called after each.
func RunFresh(ctx context.Context, boot Boot, opts Options, profiles []Profile, done func(i int, rec report.Record)) ([]report.Record, error) {
	order := make([]int, 0, len(profiles))
	for i, p := range profiles {
		if p.Kind == profile.Control {
			order = append(order, i)
		}
	}
	for i, p := range profiles {
		if p.Kind != profile.Control {
			order = append(order, i)
		}
	}
	out := make([]report.Record, len(profiles))
	if opts.ControlPaths == nil {
		opts.ControlPaths = pathsOfProfiles(profiles)
	}
	series := NewSeries(boot, opts)
	for _, i := range order {
		if ctx.Err() != nil {
			break
		}
		rec, err := series.Run(ctx, profiles[i])
		if err != nil {
			return out, err
		}
		out[i] = rec
		if done != nil {
			done(i, rec)
		}
	}
	return out, nil
}

// runOneFresh boots a sandbox, runs p in it and tears it down again; it
// returns the control it made, if it made one.
func runOneFresh(ctx context.Context, boot Boot, n int, opts Options, p Profile, base *Baseline) (_ report.Record, _ *Baseline, err error) {
	sb, err := boot(ctx, n)
	if err != nil {
		return report.Record{}, nil, err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		err = errors.Join(err, sb.Close(cctx))
	}()
	r, err := New(ctx, sb, opts)
	if err != nil {
		return report.Record{}, nil, err
	}
	if base != nil {
		r.AdoptBaseline(*base)
	}
	rec := r.Run(ctx, p)
	cerr := r.Close(context.WithoutCancel(ctx))
	var made *Baseline
	if base == nil {
		if b, ok := r.Baseline(); ok {
			made = &b
		}
	}
	return rec, made, cerr
}
