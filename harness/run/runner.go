// Package run turns profiles into records: for each it starts the demo
// service as a transient unit in the sandbox's systemd, waits for it to
// answer, checks what it exposes, runs the probes in the same sandbox,
// asks systemd for the exposure score, and stops everything again.
package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/health"
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
	// ControlPaths are the path flags (pathFlags) an explicit control's
	// path probes try: those of the profiles it is the control of, which
	// its own settings, stripped of the hardening, lack. nil: its own.
	ControlPaths []string
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
	// Service says which command runs: the demo ("" too) or the unit's
	// own commands.
	Service Service
	// Health are the checks that decide whether a ServiceUnit profile
	// works; none means health.DefaultActive.
	Health []health.Check
}

// Runner runs profiles in one sandbox.
type Runner struct {
	sb      *sandbox.Sandbox
	sd      *systemd.Client
	opts    Options
	setup   planSetup
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
	ctlCalls   []probes.CallResult
	ctlPosture probes.Posture
	// ctlPaths are the path probes' flags the control ran with: a
	// profile's path probe is judged against it only for the same path.
	ctlPaths []string
	// unitMu lets one ServiceUnit profile run at a time: a real service
	// binds the fixed port its configuration names.
	unitMu sync.Mutex
	// execN numbers exec health checks' units.
	execMu sync.Mutex
	execN  int
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
	r.setup = planSetup{
		runID: opts.RunID, systemd: sb.Env.SystemdVersion, binDir: sb.BinDir, outDir: sb.OutDir, hostOut: sb.HostOutDir,
		hostPath: sb.HostPath, freePort: behavior.FreePort, opts: opts,
	}
	if r.target != nil {
		r.setup.tcpTarget = r.target.addr()
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
	return r.setup.unitName(profile, suffix)
}

// Run runs one profile and always returns a record; problems are in it.
// Profiles may run concurrently; the control runs beside them.
func (r *Runner) Run(ctx context.Context, p Profile) report.Record {
	if p.Kind == profile.Control {
		if r.claimControl() {
			return r.makeControl(ctx, p, r.controlPaths(p, nil))
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
			// The control tries the paths of the profile that asked
			// for it: without them its path probes have nothing to try.
			r.makeControl(ctx, ctl, pathFlags(p.Settings))
		}()
	}
	return r.run(ctx, p, false, nil)
}

// controlPaths are the path flags an explicit control p tries: the
// caller's (Options.ControlPaths), else those of the profiles it is the
// control of (pathsOfProfiles), else its own.
func (r *Runner) controlPaths(p Profile, profiles []Profile) []string {
	if r.opts.ControlPaths != nil {
		return r.opts.ControlPaths
	}
	if f := pathsOfProfiles(profiles); f != nil {
		return f
	}
	return pathFlags(p.Settings)
}

// pathsOfProfiles are the path flags the control of profiles should try:
// the full profile's, which has every list the unit declares (its
// profiles agree on the first path of each), else the first profile's
// that has any.
func pathsOfProfiles(profiles []Profile) []string {
	var first []string
	for _, p := range profiles {
		if p.Kind == profile.Control || p.Settings == nil {
			continue
		}
		f := pathFlags(p.Settings)
		if p.Kind == profile.Full {
			return f
		}
		if first == nil && len(f) > 0 {
			first = f
		}
	}
	return first
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

// makeControl runs p as the control, its path probes on paths; the
// caller has claimed it.
func (r *Runner) makeControl(ctx context.Context, p Profile, paths []string) report.Record {
	rec := r.run(ctx, p, true, paths)
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

// run carries one profile through the four stages: plan, execute, judge,
// record.
func (r *Runner) run(ctx context.Context, p Profile, isControl bool, ctlPaths []string) report.Record {
	start := time.Now()
	r.opts.Progress("%s: starting %s", p.Name, r.UnitName(p.Name, ""))
	pl, err := r.setup.plan(p, isControl, ctlPaths)
	var (
		ex execution
		j  judgement
	)
	if err == nil {
		if pl.unitService {
			r.unitMu.Lock()
			ex = r.execute(ctx, pl)
			r.unitMu.Unlock()
		} else {
			ex = r.execute(ctx, pl)
		}
		j = r.judgeProfile(ctx, pl, ex)
	}
	rec := newRecord(r.sb.Env, r.opts.RunID, pl, err, ex, j)
	rec.Timings.Total = ms(time.Since(start))
	if ctx.Err() != nil {
		rec.Incomplete = true
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

// journalTail reads the last lines systemd logged for a unit. journalctl
// runs inside the sandbox, as a oneshot unit of its own, so that it reads
// the journal the sandbox's journald writes, whichever systemd that is —
// the host's journalctl cannot read a container's or a VM's.
func (r *Runner) journalTail(unitName string, n int) []string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	name := strings.TrimSuffix(unitName, ".service") + "-journal.service"
	unitOut, hostOut := r.setup.outFile(name + ".txt")
	defer os.Remove(hostOut)
	defer func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = r.sd.Stop(sctx, name)
	}()
	props := []sdbus.Property{
		sdbus.PropDescription("hardenlab journal of " + unitName),
		sdbus.PropType("oneshot"),
		sdbus.PropExecStart([]string{journalctl, "--no-pager", "-o", "cat", "-n", fmt.Sprint(n), "-u", unitName}, false),
		{Name: "StandardOutputFile", Value: dbusVariant(unitOut)},
		{Name: "StandardError", Value: dbusVariant("journal")},
	}
	err := r.sd.StartTransient(ctx, name, props)
	data, rerr := os.ReadFile(hostOut)
	if err != nil || rerr != nil {
		return []string{"(journal unavailable: " + errors.Join(err, rerr).Error() + ")"}
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 1 && lines[0] == "" {
		return nil
	}
	return lines
}

// journalctl is the journal reader as the sandbox has it.
const journalctl = "/usr/bin/journalctl"

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

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
