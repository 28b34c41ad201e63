package run

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/lint"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

// judgement is the judge stage's answer for one profile.
type judgement struct {
	verdicts []report.ProbeResult
	bypasses []report.Bypass
	// err says why there are no verdicts although the probes ran: the
	// control they are judged against never came.
	err error
}

// judgeProfile judges a profile's probes against the control's; the
// control itself is judged against its own results (each probe's
// verdict is then inconclusive or allowed-under-both), and its results
// become every other profile's baseline.
func (r *Runner) judgeProfile(ctx context.Context, pl plan, ex execution) judgement {
	pr := ex.probes
	if !pl.probe.enabled || ex.refused != nil || pr.err != nil {
		return judgement{}
	}
	if pl.control {
		r.ctlDoc, r.ctlCalls, r.ctlPosture, r.ctlPaths = pr.doc.Results, pr.calls, pr.doc.Posture, pl.probe.paths
		return judgement{verdicts: judge(pl.probe.claims, pr.doc.Results, pr.doc.Results, ex.outcome().Broken())}
	}
	if err := r.awaitControl(ctx); err != nil {
		return judgement{err: err}
	}
	verdicts := judge(pl.probe.claims, r.ctlDoc, otherPaths(pr.doc.Results, r.ctlPaths, pl.probe.paths), ex.outcome().Broken())
	verdicts = append(verdicts, judgeSyscalls(pl.probe.calls, r.ctlCalls, pr.calls, ex.outcome().Broken())...)
	if pl.probe.argv != nil {
		verdicts = append(verdicts, judgeBoundingSet(pl.profile.Settings, r.ctlPosture, pr.doc.Posture, ex.outcome().Broken())...)
	}
	return judgement{verdicts: verdicts, bypasses: judgeBypasses(pl.probe.bypasses, r.ctlDoc, pr.doc.Results)}
}

// newRecord assembles the record of one profile from its plan (or the
// error that stopped it before anything started), what running it
// produced, and the verdicts. Timings.Total and Incomplete are the
// caller's, who knows when the run began and whether it was cut short.
func newRecord(env sandbox.Environment, runID string, pl plan, planErr error, ex execution, j judgement) report.Record {
	p := pl.profile
	rec := report.Record{
		Schema: report.SchemaVersion, RunID: runID, Environment: report.FromEnvironment(env), Profile: profileRecord(p), Unit: pl.unit,
		Readback: []report.Mismatch{}, Probes: []report.ProbeResult{},
	}
	rec.Behavior.ExposedPaths = []string{}
	rec.Behavior.Exposures = []report.Exposure{}
	for _, f := range lint.Check(p.Settings, p.Assignments) {
		rec.Lints = append(rec.Lints, report.Lint{ID: f.ID, Directive: f.Directive, Message: f.Message})
	}
	if pl.note != "" {
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Directive: "ExecStart", Reason: pl.note})
	}
	if pl.typeNote != "" {
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Source: lastSource(p.Assignments, "Type"), Directive: "Type", Reason: pl.typeNote})
	}
	if pl.preserveNote != "" {
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Source: lastSource(p.Assignments, "RuntimeDirectory"), Directive: "RuntimeDirectoryPreserve", Reason: pl.preserveNote})
	}
	if src := lastSource(p.Assignments, "BusName"); src != "" && !pl.unitService {
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Source: src, Directive: "BusName",
			Reason: "not sent: the demo takes no bus name, and PID 1 lets only one unit (the installed one) watch it"})
	}
	_, skipped := p.Settings.SkippedCommands()
	if pl.unitService {
		skipped = nil // every command was sent
	}
	for _, name := range skipped {
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Source: lastSource(p.Assignments, name), Directive: name,
			Reason: "not run: hardenlab runs the demo service in place of the unit's own commands"})
	}
	rec.Behavior.Service = string(ServiceDemo)
	if pl.unitService {
		rec.Behavior.Service = string(ServiceUnit)
	}
	if planErr != nil {
		rec.Error = planErr.Error()
		return rec
	}
	rec.Behavior.Port, rec.Behavior.Command = pl.port, pl.argv
	if pl.unitService {
		rec.Behavior.Health = report.FromHealth(ex.health)
		rec.Behavior.Reload = ex.reload
	}
	rec.Timings = ex.timings
	if ex.mainPID != 0 {
		rec.Behavior.CPUMillis = ms(ex.cpu)
	}
	if ex.refused != nil {
		// systemd refused the unit: nothing ran.
		rec.Error = ex.refused.Error()
		return rec
	}
	rec.Score = ex.score
	recordBehavior(&rec, ex)
	if pl.probe.enabled {
		recordProbes(&rec, pl, ex, j)
	}
	if ex.stopErr != nil && rec.Error == "" {
		rec.Error = ex.stopErr.Error()
	}
	return rec
}

// recordBehavior records what the service did and what systemd says of
// it.
func recordBehavior(rec *report.Record, ex execution) {
	b := &rec.Behavior
	b.Outcome = string(ex.outcome())
	switch {
	case ex.startErr != nil:
		b.Error = ex.startErr.Error()
	case ex.ready.Err != nil:
		b.Error = ex.ready.Err.Error()
		b.InsideCheck = report.FromCheck(ex.ready.inside, ex.ready.insideErr)
	default:
		b.Started = true
		b.ReadyMillis = ms(ex.ready.Elapsed)
		b.HTTPStatus = ex.ready.Status
		b.Exposures = report.FromExposures(ex.exposures)
		for _, e := range ex.exposures {
			if e.Exposed {
				b.ExposedPaths = append(b.ExposedPaths, e.Path)
			}
		}
	}
	if ex.stateErr != nil {
		rec.Error = ex.stateErr.Error()
	} else {
		st := ex.state
		b.ActiveState, b.SubState, b.Result = st.ActiveState, st.SubState, st.Result
		b.ExecMainCode, b.ExecMainStatus = st.ExecMainCode, st.ExecMainStatus
		for _, m := range ex.readback {
			rec.Readback = append(rec.Readback, report.Mismatch{Directive: m.Directive, Want: m.Want, Got: m.Got})
		}
	}
	b.OutcomeDetail, b.ExitStatusName = outcomeDetail(ex)
	b.JournalTail = ex.journal
}

// cldExited is CLD_EXITED, ExecMainCode of a main process that exited
// (rather than was killed).
const cldExited = 1

// outcomeDetail says in one line why the outcome is what it is.
func outcomeDetail(ex execution) (detail, exitName string) {
	if ex.stateErr == nil && ex.state.ExecMainCode == cldExited {
		exitName = systemd.ExitStatusName(int(ex.state.ExecMainStatus))
	}
	if d := healthDetail(ex); d != "" {
		return d, exitName
	}
	switch ex.outcome() {
	case behavior.Serves:
		return fmt.Sprintf("HTTP %d to the host", ex.ready.Status), exitName
	case behavior.Unreachable:
		return unreachableDetail(ex.ready), exitName
	case behavior.Exited, behavior.FailedToStart:
		d := "result " + ex.state.Result
		if exitName != "" {
			d += ", exit status " + exitName
		}
		return d, exitName
	case behavior.TimedOut:
		return "neither answered nor listened on its port in time", exitName
	}
	return "", exitName
}

func unreachableDetail(rd readiness) string {
	d := "the host cannot reach it"
	switch c := rd.inside; {
	case c != nil && c.OK && c.HTTPStatus == 0:
		d += "; from inside its sandbox it answers (" + c.Kind + ")"
	case c != nil && c.OK:
		d += fmt.Sprintf("; from inside its sandbox it serves (HTTP %d)", c.HTTPStatus)
	case c != nil:
		d += "; its socket listens, but from inside its sandbox too: " + strings.TrimSpace(c.Errno+" "+c.Detail)
	case isTimeout(rd.Err):
		d += "; its socket listens inside its sandbox, and packets to it are dropped (an IP filter such as IPAddressDeny=)"
	default:
		d += "; its socket listens inside its sandbox"
	}
	return d
}

// recordProbes records the probes' verdicts, raw results and the proof
// that they ran in the service's own sandbox.
func recordProbes(rec *report.Record, pl plan, ex execution, j judgement) {
	pr := ex.probes
	if pl.probe.callsNote != "" {
		// Why the filter has no per-call verdicts holds whether or not
		// the probe unit ran: a filter that stops the probe fails it too.
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Source: lastSource(pl.profile.Assignments, "SystemCallFilter"), Directive: "SystemCallFilter", Reason: pl.probe.callsNote})
	}
	switch {
	case pr.err != nil:
		rec.ProbeError = pr.err.Error()
		return
	case j.err != nil:
		rec.ProbeError = j.err.Error()
		rec.Incomplete = true
	case j.verdicts != nil:
		rec.Probes = j.verdicts
		if rec.Score.Error == "" {
			rec.Effective = effectiveExposure(pl, j.verdicts)
		}
	}
	rec.Bypasses = j.bypasses
	rec.ProbeScope = pl.probe.scope
	rec.ProbeResults = report.FromProbeResults(pr.doc.Results)
	rec.Preflight = report.FromPreflight(pr.doc.Environment)
	rec.HostCheck = report.FromHostCheck(pr.doc.HostCheck)
	rec.SandboxDiff = report.FromDifferences(pr.posture)
	rec.SandboxCompared = pr.compared
	if pr.postureErr != nil {
		rec.SandboxError = pr.postureErr.Error()
	}
	switch {
	case len(pr.doc.Results) == 0 && len(pr.calls) == 0:
		rec.SandboxDiffNote = "no probe ran: the profile declares no directive a probe evidences"
	case ex.mainPID == 0:
		rec.SandboxDiffNote = "the service was not running, so the probe's sandbox could not be compared with it"
	}
}

func profileRecord(p Profile) report.Profile {
	out := report.Profile{Name: p.Name, Kind: p.Kind, Step: p.Step, Directive: p.Directive, Source: p.Source, Directives: []report.Assignment{}}
	for _, a := range p.Assignments {
		out.Directives = append(out.Directives, report.Assignment{Name: a.Name, Value: a.Value, Source: a.Source.String()})
	}
	for _, n := range append(p.Notes, p.Settings.Notes()...) {
		out.Notes = append(out.Notes, report.Note{Source: n.Source.String(), Directive: n.Directive, Reason: n.Reason})
	}
	return out
}

// lastSource names the last line that assigned a directive.
func lastSource(as []directive.Assignment, name string) string {
	src := ""
	for _, a := range as {
		if a.Name == name {
			src = a.Source.String()
		}
	}
	return src
}

// SharedSandbox is the proof that a record's probes ran in the service's
// own sandbox: the comparison of their postures ran, and no field that
// must match differs. A comparison that never ran proves nothing, and
// says why.
func SharedSandbox(rec report.Record) error {
	if !rec.SandboxCompared {
		why := rec.SandboxError
		if why == "" {
			why = rec.SandboxDiffNote
		}
		if why == "" {
			why = "no reason recorded"
		}
		return fmt.Errorf("the probe's sandbox was never compared with the service's: %s", why)
	}
	var errs []error
	for _, d := range rec.SandboxDiff {
		if d.MustMatch {
			errs = append(errs, fmt.Errorf("probe and service differ in %s: probe %s, service %s", d.Field, d.Probe, d.Service))
		}
	}
	return errors.Join(errs...)
}
