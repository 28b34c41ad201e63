package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/unitpath"
	"github.com/hardenlab/hardenlab/harness/vm"
)

// serviceFlags are --service, --health and --installed, shared by run,
// matrix, check, bench and sweep.
type serviceFlags struct {
	service   string
	health    healthList
	installed string
}

// healthList collects repeated --health values.
type healthList []string

func (h *healthList) String() string     { return strings.Join(*h, " ") }
func (h *healthList) Set(v string) error { *h = append(*h, v); return nil }

const serviceHelp = `what the transient unit runs: demo (python3 -m http.server on a free loopback port in place of
ExecStart=; the unit's other commands are not sent) or unit (the unit's own commands, Type=, User=
and directories, judged by --health, in an nspawn overlay of the root: the host's /etc and /var,
every write thrown away). A real service binds the port its configuration names, so with unit
each profile runs alone (--jobs does not apply): in nspawn in a fresh container of its own; in
--sandbox vm one after another in the one VM's systemd, each with fresh overlays over the guest's
/etc /var /tmp /root /home /srv (one boot per run, not per profile), where --installed may clone`

const healthHelp = `with --service unit, a check that decides whether the service works (repeatable, all must pass):
http://127.0.0.1:PORT/PATH[=STATUS], tcp:127.0.0.1:PORT[,send=LINE][,expect=PREFIX],
exec:/ABS/CMD ARGS (run in the service's sandbox; exit 0 is healthy), active:DURATION
(default: active:5s). Loopback addresses only`

func (f *serviceFlags) register(fs *flag.FlagSet) {
	f.registerService(fs)
	fs.StringVar(&f.installed, "installed", "", "run the unit NAME.service as the sandbox's systemd has it (fragment, drop-ins, template\ninstance) as a transient clone hardenlab-RUN-NAME; the installed unit is never touched")
}

// registerService is --service and --health alone, for commands that take
// their units elsewhere (sweep has its own --installed: every unit).
func (f *serviceFlags) registerService(fs *flag.FlagSet) {
	fs.StringVar(&f.service, "service", string(run.ServiceDemo), serviceHelp)
	fs.Var(&f.health, "health", healthHelp)
}

// serviceChoice is what the flags resolved to.
type serviceChoice struct {
	service run.Service
	health  []health.Check
	view    sandbox.RootView
}

// resolve validates the flags; the unit's own commands need a root with
// the host's configuration.
func (f serviceFlags) resolve() (serviceChoice, error) {
	svc, err := run.ParseService(f.service)
	if err != nil {
		return serviceChoice{}, err
	}
	c := serviceChoice{service: svc, view: sandbox.Volatile}
	if svc == run.ServiceDemo {
		if len(f.health) > 0 {
			return c, fmt.Errorf("--health needs --service unit: the demo is judged by its own HTTP answer")
		}
		return c, nil
	}
	c.view = sandbox.Overlay
	c.health, err = health.ParseAll(f.health)
	return c, err
}

// units adds --installed to the unit arguments.
func (f serviceFlags) units(args []string) ([]string, error) {
	if f.installed == "" {
		return args, nil
	}
	if strings.Contains(f.installed, "/") {
		return nil, fmt.Errorf("--installed %q: want a unit name (NAME.service), not a file", f.installed)
	}
	name := f.installed
	if !strings.Contains(name, ".") {
		name += ".service"
	}
	return append(args, name), nil
}

// refuseHostClone says why a clone of an installed unit cannot run on the
// host's own systemd: it would share what the real unit owns.
func refuseHostClone(kind sandbox.Kind, root string, f serviceFlags, c serviceChoice, profiles []profile.Profile) error {
	if f.installed == "" || c.service != run.ServiceUnit || vm.InGuest() {
		return nil // a VM guest is thrown away after the run
	}
	if kind != sandbox.Host && (kind != sandbox.Auto || !sandbox.HostHasSystemd()) {
		return nil
	}
	socket := strings.TrimSuffix(f.installed, ".service") + ".socket"
	for _, p := range profiles {
		owned := ownedByUnit(p, c.health)
		if _, err := unitpath.SystemFor(orRoot(root), 0).Find(socket); err == nil {
			owned = append(owned, "its socket unit "+socket)
		}
		if len(owned) > 0 {
			return fmt.Errorf("--installed %s: refused on the host's systemd: a clone would touch what the real unit owns (%s); use --sandbox nspawn or --sandbox vm",
				f.installed, strings.Join(owned, ", "))
		}
	}
	return nil
}

// ownedByUnit lists the directives whose targets a running clone would
// share with the installed unit.
func ownedByUnit(p profile.Profile, checks []health.Check) []string {
	var out []string
	for _, d := range []string{"RuntimeDirectory", "StateDirectory", "CacheDirectory", "LogsDirectory", "ConfigurationDirectory", "PIDFile"} {
		// The rendered value quotes paths and brackets lists; the
		// reason only needs the names.
		v := strings.NewReplacer(`"`, "", "[", "", "]", "", ",", " ").Replace(strings.Join(p.Settings.PlainValue(d), " "))
		if v = strings.Join(strings.Fields(v), " "); v != "" {
			out = append(out, d+"="+v)
		}
	}
	for _, c := range checks {
		if port := c.Port(); port != 0 {
			out = append(out, fmt.Sprintf("the listening port %d", port))
		}
	}
	return out
}

// guestArgs pass the flags on to hardenlab inside a VM.
func (f serviceFlags) guestArgs() []string {
	args := []string{"--service", f.service}
	for _, h := range f.health {
		args = append(args, "--health", h)
	}
	if f.installed != "" {
		args = append(args, "--installed", f.installed)
	}
	return args
}

// single is the one unit argument of matrix and check: a file or name, or
// --installed.
func (f serviceFlags) single(args []string) (string, error) {
	units, err := f.units(args)
	if err != nil {
		return "", err
	}
	if len(units) != 1 {
		return "", fmt.Errorf("needs exactly one unit file or unit name (or --installed NAME.service)")
	}
	return units[0], nil
}

// freshSandboxes says whether each profile gets a container of its own:
// the unit's own commands leave the service's state in the container's
// root view, which the next profile must not inherit. The host's systemd
// has one root only; a VM guest's is put back after each profile
// (runFresh).
func freshSandboxes(kind sandbox.Kind, c serviceChoice) bool {
	if c.service != run.ServiceUnit {
		return false
	}
	return vm.InGuest() || kind != sandbox.Host && (kind != sandbox.Auto || !sandbox.HostHasSystemd())
}

// bootFresh boots the n-th container of a run with fresh sandboxes; the
// first one's environment is kept in *first.
func bootFresh(opts sandbox.Options, envName string, progress *progress, first *sandbox.Environment) run.Boot {
	runID := opts.RunID
	return func(ctx context.Context, n int) (*sandbox.Sandbox, error) {
		o := opts
		o.Kind = sandbox.Nspawn
		o.RunID = fmt.Sprintf("%s-p%d", runID, n)
		sb, err := sandbox.Start(ctx, o)
		if err != nil {
			return nil, err
		}
		sb.Env.Name = envName
		if n == 0 {
			*first = sb.Env
		}
		progress.linef("%s: container %s booted in %.0f ms", envName, o.RunID, sb.Env.BootMillis)
		return sb, nil
	}
}

// runMatrixFresh runs a matrix's profiles one container each (see
// freshSandboxes); the environment it reports is the first container's.
func runMatrixFresh(ctx context.Context, f matrixFlags, kind sandbox.Kind, env matrixEnv, envRunID string, profiles []profile.Profile,
	binaries map[string]string, progress *progress, io stdio) ([]report.Record, sandbox.Environment, int) {
	where := fmt.Sprintf("each in a fresh %s container", kind)
	if vm.InGuest() {
		where = "one after another in this VM's systemd"
	}
	progress.linef("%s: %d profiles with the unit's own commands, %s (run %s)", env.name, len(profiles), where, envRunID)
	first := sandbox.Environment{Name: env.name}
	opts := run.Options{RunID: envRunID, Timeout: f.timeout, ReadyTimeout: f.readyTimeout, Progress: func(string, ...any) {},
		SkipProbes: f.noProbes, AllProbes: f.allProbes, Analyze: run.AnalyzePolicy(f.analyze), Service: f.choice.service, Health: f.choice.health}
	done := 0
	fr := freshRun{sandbox: sandbox.Options{RunID: envRunID, Root: env.root, Binaries: binaries, RootView: f.choice.view},
		envName: env.name, opts: opts, installed: f.svc.installed, first: &first,
		done: func(i int, rec report.Record) {
			done++
			if cutByInterrupt(ctx, rec) {
				progress.linef("%s [%d/%d] %s: interrupted, left out", env.name, done, len(profiles), profiles[i].Name)
				return
			}
			progress.linef("%s [%d/%d] %s: %.1f %s, %s", env.name, done, len(profiles), profiles[i].Name, rec.Score.Exposure, rec.Score.Level, rec.Behavior.Outcome)
		}}
	records, err := runFresh(ctx, fr, profiles, progress)
	if err != nil {
		errorf(io, "%s: %v", env.name, err)
		return matrixRecords(ctx, records), first, exitError
	}
	return matrixRecords(ctx, records), first, exitOK
}

// ranRecords leaves out the profiles an interrupt kept from running.
func ranRecords(records []report.Record) []report.Record {
	out := []report.Record{}
	for _, rec := range records {
		if rec.Schema != 0 {
			out = append(out, rec)
		}
	}
	return out
}

// matrixRecords are a matrix's ranRecords without, once interrupted, those
// the interrupt cut short: a unit stopped mid-start reads as a broken
// service and its probes as failed, which the matrix would credit to the
// profile's directive. The document is marked incomplete instead (a run's
// records keep theirs, each marked incomplete).
func matrixRecords(ctx context.Context, records []report.Record) []report.Record {
	out := []report.Record{}
	for _, rec := range ranRecords(records) {
		if !cutByInterrupt(ctx, rec) {
			out = append(out, rec)
		}
	}
	return out
}

// cutByInterrupt says whether the record was cut short by the interrupt
// (not by, say, a control that could not run).
func cutByInterrupt(ctx context.Context, rec report.Record) bool {
	return rec.Incomplete && ctx.Err() != nil
}
