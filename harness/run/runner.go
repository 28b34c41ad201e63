// Package run turns profiles into records: for each it starts the demo
// service as a transient unit in the sandbox's systemd, waits for it to
// answer, checks what it exposes, runs the probes in the same sandbox,
// asks systemd for the exposure score, and stops everything again.
package run

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/lint"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
	"github.com/hardenlab/hardenlab/probes"
)

// Profile is one directive set to test.
type Profile = profile.Profile

// Options tune a run.
type Options struct {
	RunID string
	// Timeout bounds one profile from start to stop.
	Timeout time.Duration
	// ReadyTimeout bounds the wait for the demo's first HTTP answer.
	ReadyTimeout time.Duration
	// SkipProbes leaves the probe binary out (for runs that only check
	// scores or read-back).
	SkipProbes bool
	// AllProbes runs every probe under every profile. By default a profile
	// runs only the probes that evidence a directive it declares — the
	// only ones its verdicts are made of — and the control runs them all.
	AllProbes bool
	// Analyze says which profiles systemd-analyze security scores as well
	// as hardenlab's scorer; "" means AnalyzeUnit.
	Analyze AnalyzePolicy
	// Progress, if set, receives one line per phase.
	Progress func(format string, a ...any)
}

// Runner runs profiles in one sandbox.
type Runner struct {
	sb      *sandbox.Sandbox
	sd      *systemd.Client
	opts    Options
	markers []behavior.Sensitive
	cleanup []string // host paths of marker files and dirs, removed by Close
	target  *listener
	// control is the no-hardening run every verdict compares against. It
	// is made once per runner, on first need, alongside the profiles that
	// need it: they wait for it only to judge their probes (ctlDone).
	ctlMu      sync.Mutex // guards ctlStarted
	ctlStarted bool
	ctlDone    chan struct{} // closed once control and ctlDoc are set
	ctlWG      sync.WaitGroup
	control    *report.Record
	ctlDoc     []probes.Result
}

// New connects to the sandbox's systemd and plants the marker files whose
// exposure over HTTP the runs check.
func New(ctx context.Context, sb *sandbox.Sandbox, opts Options) (*Runner, error) {
	if opts.Timeout == 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.ReadyTimeout == 0 {
		// python3 -m http.server answers in well under a second on a
		// normal machine; under TCG emulation or a loaded CI runner it can
		// take ten times that.
		opts.ReadyTimeout = 30 * time.Second
	}
	if opts.ReadyTimeout > opts.Timeout/2 {
		// Probes, score and stop need the rest of the profile's budget.
		opts.ReadyTimeout = opts.Timeout / 2
	}
	if opts.Progress == nil {
		opts.Progress = func(string, ...any) {}
	}
	sd, err := systemd.Dial(ctx, sb.BusAddress)
	if err != nil {
		return nil, err
	}
	r := &Runner{sb: sb, sd: sd, opts: opts, ctlDone: make(chan struct{})}
	if !opts.SkipProbes {
		if _, err := os.Stat(filepath.Join(sb.HostPath(sb.BinDir), ProbeBinary)); err != nil {
			sd.Close()
			return nil, fmt.Errorf("the probe binary is not in the sandbox (%s): %w", sb.BinDir, err)
		}
		if r.target, err = newListener(); err != nil {
			sd.Close()
			return nil, err
		}
	}
	if err := r.plantMarkers(); err != nil {
		r.Close(ctx)
		return nil, err
	}
	return r, nil
}

// Close removes the markers and the connection. Units are stopped by each
// profile's own run.
func (r *Runner) Close(ctx context.Context) error {
	r.ctlWG.Wait()
	var errs []error
	for i := len(r.cleanup) - 1; i >= 0; i-- {
		if err := os.Remove(r.cleanup[i]); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	r.cleanup = nil
	if r.target != nil {
		r.target.close()
		r.target = nil
	}
	r.sd.Close()
	return errors.Join(errs...)
}

// plantMarkers puts files with known content where a well-hardened service
// must not reach: root's and a user's home, and the shared /tmp. The
// service can only hand them out if its sandbox lets it see them.
func (r *Runner) plantMarkers() error {
	id := r.opts.RunID
	home := "/home/hardenlab-" + id
	files := []behavior.Sensitive{
		{ID: "root-home-marker", Path: "/root/hardenlab-marker-" + id, Why: "root's home (ProtectHome=)"},
		{ID: "user-home-marker", Path: home + "/marker", Why: "a user's home (ProtectHome=)"},
		{ID: "tmp-marker", Path: "/tmp/hardenlab-marker-" + id, Why: "the shared /tmp (PrivateTmp=)"},
		{ID: "var-tmp-marker", Path: "/var/tmp/hardenlab-marker-" + id, Why: "the shared /var/tmp (PrivateTmp=)"},
	}
	if err := os.Mkdir(r.sb.HostPath(home), 0o755); err != nil {
		return fmt.Errorf("creating marker home %s: %w", home, err)
	}
	r.cleanup = append(r.cleanup, r.sb.HostPath(home))
	for _, f := range files {
		hp := r.sb.HostPath(f.Path)
		fh, err := os.OpenFile(hp, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscallNoFollow, 0o644)
		if err != nil {
			return fmt.Errorf("planting marker %s: %w", f.Path, err)
		}
		r.cleanup = append(r.cleanup, hp)
		_, werr := fmt.Fprintf(fh, "hardenlab marker %s %s\n", id, f.ID)
		if cerr := fh.Close(); werr != nil || cerr != nil {
			return fmt.Errorf("writing marker %s: %w", f.Path, errors.Join(werr, cerr))
		}
	}
	r.markers = append([]behavior.Sensitive{
		{ID: "etc-shadow", Path: "/etc/shadow", Why: "password hashes (ProtectSystem= does not hide /etc)"},
		{ID: "proc-1-environ", Path: "/proc/1/environ", Why: "PID 1's environment (ProtectProc=)"},
		{ID: "dev-listing", Path: "/dev/", Why: "device nodes (PrivateDevices=)"},
	}, files...)
	return nil
}

// UnitName is the transient unit name for a profile in this run.
func (r *Runner) UnitName(profile, suffix string) string {
	return systemd.UnitPrefix + r.opts.RunID + "-" + escapeUnitPart(profile) + suffix + ".service"
}

// Run runs one profile and always returns a record; problems are in it.
// Profiles may run concurrently; the control runs beside them.
func (r *Runner) Run(ctx context.Context, p Profile) report.Record {
	if p.Kind == profile.Control {
		if r.claimControl() {
			return r.makeControl(ctx, p)
		}
		// Another control profile: the one control run stands for it.
		if err := r.awaitControl(ctx); err != nil {
			return report.Record{Schema: report.SchemaVersion, RunID: r.opts.RunID, Profile: profileRecord(p), Error: err.Error(), Incomplete: true}
		}
		return *r.control
	}
	if !r.opts.SkipProbes && r.claimControl() {
		ctl, err := controlProfile()
		if err != nil {
			return report.Record{Schema: report.SchemaVersion, RunID: r.opts.RunID, Profile: profileRecord(p), Error: err.Error()}
		}
		r.opts.Progress("control: the demo without hardening, for the probes' baseline")
		r.ctlWG.Add(1)
		go func() {
			defer r.ctlWG.Done()
			r.makeControl(ctx, ctl)
		}()
	}
	return r.run(ctx, p, false)
}

// claimControl reports whether the caller is the one to make the control.
func (r *Runner) claimControl() bool {
	r.ctlMu.Lock()
	defer r.ctlMu.Unlock()
	if r.ctlStarted {
		return false
	}
	r.ctlStarted = true
	return true
}

// makeControl runs p as the control; the caller has claimed it.
func (r *Runner) makeControl(ctx context.Context, p Profile) report.Record {
	rec := r.run(ctx, p, true)
	r.setControl(rec)
	return rec
}

func (r *Runner) setControl(rec report.Record) {
	r.control = &rec
	close(r.ctlDone)
}

// awaitControl waits for the control run that a claim started.
func (r *Runner) awaitControl(ctx context.Context) error {
	select {
	case <-r.ctlDone:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the control run: %w", ctx.Err())
	}
}

// Control is the control record once it is made, else nil.
func (r *Runner) Control() *report.Record {
	select {
	case <-r.ctlDone:
		return r.control
	default:
		return nil
	}
}

func (r *Runner) run(ctx context.Context, p Profile, isControl bool) (rec report.Record) {
	start := time.Now()
	rec = report.Record{
		Schema:      report.SchemaVersion,
		RunID:       r.opts.RunID,
		Environment: r.sb.Env,
		Profile:     profileRecord(p),
		Unit:        r.UnitName(p.Name, ""),
		Readback:    []report.Mismatch{},
		Probes:      []report.ProbeResult{},
	}
	rec.Behavior.ExposedPaths = []string{}
	for _, f := range lint.Check(p.Settings, p.Assignments) {
		rec.Lints = append(rec.Lints, report.Lint{ID: f.ID, Directive: f.Directive, Message: f.Message})
	}
	rec.Behavior.Exposures = []behavior.Exposure{}
	pctx, cancel := context.WithTimeout(ctx, r.opts.Timeout)
	defer cancel()
	// Stopping must happen even when ctx is cancelled (Ctrl-C, timeout).
	stopCtx := func() (context.Context, context.CancelFunc) {
		return context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	}
	var mainPID uint32
	defer func() {
		sctx, scancel := stopCtx()
		defer scancel()
		if mainPID != 0 {
			rec.Behavior.CPUMillis = ms(cpuTime(r.sb.ProcPath(mainPID)))
		}
		t := time.Now()
		if err := r.sd.Stop(sctx, rec.Unit); err != nil && rec.Error == "" {
			rec.Error = err.Error()
		}
		rec.Timings.Stop = ms(time.Since(t))
		rec.Timings.Total = ms(time.Since(start))
		if ctx.Err() != nil {
			rec.Incomplete = true
		}
	}()

	r.opts.Progress("%s: starting %s", p.Name, rec.Unit)
	port, err := behavior.FreePort()
	if err != nil {
		rec.Error = err.Error()
		return rec
	}
	argv, note, err := demoCommand(p.Settings, port, r.sb.HostPath)
	if err != nil {
		rec.Error = err.Error()
		return rec
	}
	if note != "" {
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Directive: "ExecStart", Reason: note})
	}
	_, skipped := p.Settings.SkippedCommands()
	for _, name := range skipped {
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Source: lastSource(p.Assignments, name), Directive: name,
			Reason: "not run: hardenlab runs the demo service in place of the unit's own commands"})
	}
	if err := checkSupported(p, r.sb.Env.SystemdVersion); err != nil {
		rec.Error = err.Error()
		return rec
	}
	rec.Behavior.Port = port
	rec.Behavior.Command = argv
	props := r.serviceProperties(p, argv)

	t := time.Now()
	startErr := r.sd.StartTransient(pctx, rec.Unit, props)
	rec.Timings.Start = ms(time.Since(t))
	if startErr != nil {
		var je *systemd.JobError
		if !errors.As(startErr, &je) {
			// systemd refused the unit: nothing ran.
			rec.Error = explainRefusal(startErr, p, r.sb.Env.SystemdVersion).Error()
			return rec
		}
	}
	client, err := behavior.NewClient(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port)))
	if err != nil {
		rec.Error = err.Error()
		return rec
	}
	if startErr == nil {
		mainPID, _ = r.sd.MainPID(pctx, rec.Unit)
	}

	// Readiness, probes and score are independent once the unit runs:
	// do them at once, so a profile costs the slowest of the three.
	var (
		wg        sync.WaitGroup
		ready     time.Duration
		status    int
		readyErr  error
		exposures []behavior.Exposure
		pr        probeRun
		sc        report.Score
	)
	if startErr == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			// A unit that runs but never answers (IPAddressDeny=,
			// PrivateNetwork= cut the harness off) must not eat the whole
			// profile's budget.
			rctx, rcancel := context.WithTimeout(pctx, r.opts.ReadyTimeout)
			ready, status, readyErr = client.WaitReady(rctx, func() bool { return r.active(pctx, rec.Unit) })
			rcancel()
			rec.Timings.Ready = ms(time.Since(t))
			if readyErr == nil {
				exposures = client.Exposures(pctx, servedRoot(p.Settings, argv), r.markers)
			}
		}()
	}
	if !r.opts.SkipProbes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			pr = r.runProbes(pctx, p, rec.Unit, mainPID, isControl || r.opts.AllProbes)
			rec.Timings.Probes = ms(time.Since(t))
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.Now()
		sc = r.score(pctx, p, rec.Unit)
		rec.Timings.Score = ms(time.Since(t))
	}()
	wg.Wait()
	rec.Score = sc

	switch {
	case startErr != nil:
		rec.Behavior.Error = startErr.Error()
	case readyErr != nil:
		rec.Behavior.Error = readyErr.Error()
	default:
		rec.Behavior.Started = true
		rec.Behavior.ReadyMillis = ms(ready)
		rec.Behavior.HTTPStatus = status
		rec.Behavior.Exposures = exposures
		for _, e := range exposures {
			if e.Exposed {
				rec.Behavior.ExposedPaths = append(rec.Behavior.ExposedPaths, e.Path)
			}
		}
	}
	// One read of the unit's properties serves both its state and the
	// read-back.
	u, uerr := r.sd.Unit(pctx, rec.Unit)
	svc, serr := r.sd.Service(pctx, rec.Unit)
	if err := errors.Join(uerr, serr); err != nil {
		if rec.Error == "" {
			rec.Error = err.Error()
		}
	} else {
		st := systemd.StateOf(u, svc)
		rec.Behavior.ActiveState = st.ActiveState
		rec.Behavior.SubState = st.SubState
		rec.Behavior.Result = st.Result
		rec.Behavior.ExecMainCode = st.ExecMainCode
		rec.Behavior.ExecMainStatus = st.ExecMainStatus
		// The demo's command is hardenlab's, not the file's: compare
		// ExecStart with what was sent.
		trimmed, _ := p.Settings.SkippedCommands()
		want := *trimmed
		want.ExecStart = [][]string{argv}
		want.ExecStartCommands = []directive.ExecCommand{{Path: argv[0], Argv: argv}}
		for _, m := range directive.CheckReadback(&want, svc) {
			rec.Readback = append(rec.Readback, report.Mismatch{Directive: m.Directive, Want: m.Want, Got: m.Got})
		}
	}
	if !rec.Behavior.Started {
		rec.Behavior.JournalTail = r.journalTail(rec.Unit, 20)
	}

	if !r.opts.SkipProbes {
		switch {
		case pr.err != nil:
			rec.ProbeError = pr.err.Error()
		case isControl:
			r.ctlDoc = pr.doc.Results
			rec.Probes = verdicts(p, pr.doc.Results, pr.doc.Results, !rec.Behavior.Started)
		default:
			if err := r.awaitControl(ctx); err != nil {
				rec.ProbeError = err.Error()
				rec.Incomplete = true
				break
			}
			rec.Probes = verdicts(p, r.ctlDoc, pr.doc.Results, !rec.Behavior.Started)
		}
		if pr.err == nil {
			rec.ProbeScope = pr.scope
			rec.ProbeResults = pr.doc.Results
			rec.Preflight = pr.doc.Environment
			rec.HostCheck = pr.doc.HostCheck
			rec.SandboxDiff = pr.posture
			if len(pr.doc.Results) == 0 {
				rec.SandboxDiffNote = "no probe ran: the profile declares no directive a probe evidences"
			} else if mainPID == 0 {
				rec.SandboxDiffNote = "the service was not running, so the probe's sandbox could not be compared with it"
			}
		}
	}
	return rec
}

// active says whether the unit may still come up; when its state cannot
// be read (the profile's deadline is near) it is given the benefit of the
// doubt, so that a timeout is reported as one.
func (r *Runner) active(ctx context.Context, name string) bool {
	st, err := r.sd.ActiveState(ctx, name)
	if err != nil {
		return ctx.Err() != nil
	}
	return st == "active" || st == "activating" || st == "reloading"
}

// serviceProperties are the profile's properties plus what hardenlab needs
// to run the demo: its own command, a description naming the run, and a
// bounded stop.
func (r *Runner) serviceProperties(p Profile, argv []string) []sdbus.Property {
	var props []sdbus.Property
	stopBounded := false
	for _, prop := range p.Settings.Properties() {
		switch {
		case prop.Name == "ExecStart", prop.Name == "Description", directive.IsCommandProperty(prop.Name):
			continue
		case prop.Name == "TimeoutStopUSec":
			stopBounded = true
		}
		props = append(props, prop)
	}
	props = append(props,
		sdbus.PropDescription(fmt.Sprintf("hardenlab run %s profile %s", r.opts.RunID, p.Name)),
		sdbus.PropExecStart(argv, false))
	if stopBounded {
		// The unit's own stop timeout is part of what it means; the stop
		// itself is still bounded by the runner's stop context.
		return props
	}
	return append(props, sdbus.Property{Name: "TimeoutStopUSec", Value: dbusVariant(uint64(10 * time.Second / time.Microsecond))})
}

// journalTail reads the last lines systemd logged for a unit, from the
// sandbox's journal files (journalctl reads them without a running
// journald on our side).
func (r *Runner) journalTail(unitName string, n int) []string {
	args := []string{"--no-pager", "-o", "cat", "-n", fmt.Sprint(n), "-u", unitName}
	if r.sb.Leader() != 0 {
		args = append([]string{"--directory=" + r.sb.HostPath("/run/log/journal/"+machineID(r.sb))}, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "journalctl", args...).Output()
	if err != nil {
		return []string{"(journal unavailable: " + err.Error() + ")"}
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines
}

func machineID(sb *sandbox.Sandbox) string {
	data, err := os.ReadFile(sb.HostPath("/etc/machine-id"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
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

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// outFile is a file in the sandbox's result directory, as units see it and
// as the host sees it.
func (r *Runner) outFile(name string) (unitPath, hostPath string) {
	return filepath.Join(r.sb.OutDir, name), filepath.Join(r.sb.HostOutDir, name)
}

// escapeUnitPart keeps what is valid and readable in a unit name and
// escapes everything else the way systemd-escape does (\xNN), so that any
// profile name yields a valid, unambiguous unit name.
func escapeUnitPart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '_', c == ':', c == '-' && i > 0, c == '.' && i > 0:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	return b.String()
}

// cpuTime is the CPU time a process has used so far, from the nanosecond
// counter in /proc/PID/schedstat; 0 when it cannot be read.
func cpuTime(procDir string) time.Duration {
	data, err := os.ReadFile(filepath.Join(procDir, "schedstat"))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	ns, err := strconv.ParseInt(f[0], 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(ns)
}
