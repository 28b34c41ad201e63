package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	goio "io"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/rootfs"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
)

const matrixUsage = `Usage: hardenlab matrix [flags] UNIT

UNIT is a unit file or the name of a unit installed in --root (default
/), read with its drop-ins as hardenlab score reads it; a template needs
--instance NAME.

Generates profiles from one unit file and runs them all in one systemd, so
that score, enforcement and breakage can be credited to each directive:

  control        the demo with none of the unit's hardening
  single         control + each directive alone
  ladder         the unit's directives added one by one in file order
                 (the tutorial's step-by-step hardening)
  leave-one-out  the full unit minus each directive in turn
  all            all of the above

Each profile gets its own transient units and port; --jobs of them run at
once. The result is one JSON document (see README, "Matrix documents") with
a record per profile and, per directive: the score change alone and when
left out, the ladder's score after it, its probe verdicts, whether it broke
the service and which sensitive paths it hid.

Each profile runs the probes of its own directives (the control runs them
all) and is scored by hardenlab's scorer, which reproduces systemd-analyze
security exactly; systemd-analyze itself scores the unit as written and
any disagreement is an error in the record. --all-probes and
--systemd-analyze all trade time for more.

Flags:
`

const matrixExamples = `
Examples:
  hardenlab matrix fixtures/p3test-hardened.service
  hardenlab matrix --mode all --jobs 4 --out m.json --html m.html unit.service

Exit status: 0 done; 1 some profile could not be run; 2 bad usage or unit
file; 3 no usable systemd; 130/143 interrupted (partial document written,
marked incomplete).
`

type matrixFlags struct {
	mode, sandbox, root, out, markdown, html, probeBin string
	instance                                           string
	envs, stateDir, vmRelease                          string
	vmRebuild                                          bool
	jobs                                               int
	asJSON, noProbes, allProbes                        bool
	analyze                                            string
	timeout, readyTimeout                              time.Duration
	gate                                               gateFlags
	svc                                                serviceFlags
	choice                                             serviceChoice // svc resolved, by runMatrix
}

// unitSource is where the matrix's unit argument is read from.
func (f matrixFlags) unitSource() unitSource {
	return unitSource{root: f.root, instance: f.instance}
}

func (f *matrixFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.mode, "mode", "ladder", "profiles to generate: "+strings.Join(profile.ModeNames(), ", "))
	fs.IntVar(&f.jobs, "jobs", 2, "profiles to run at once")
	fs.StringVar(&f.sandbox, "sandbox", "auto", "where systemd comes from: auto, host, nspawn or vm")
	fs.StringVar(&f.root, "root", "", "directory tree to boot with nspawn, and where a unit name is found (default: the host's root)")
	fs.StringVar(&f.instance, "instance", "", "instance name for a template unit (foo@.service runs as foo@NAME.service)")
	fs.StringVar(&f.envs, "env", "", "comma-separated environments to run the same matrix in, side by side:\nhost-root (the host's own root) or debian:SUITE (a cached debootstrap root, e.g. debian:trixie for systemd 257)")
	fs.StringVar(&f.stateDir, "state-dir", rootfs.DefaultStateDir, "where built roots and VM images are cached")
	fs.StringVar(&f.vmRelease, "vm-release", "trixie", "Debian release of the --sandbox vm image")
	fs.BoolVar(&f.vmRebuild, "vm-rebuild", false, "build the --sandbox vm image again")
	fs.StringVar(&f.out, "out", "", "write the JSON document to this file")
	fs.StringVar(&f.markdown, "markdown", "", "write a Markdown summary to this file")
	fs.StringVar(&f.html, "html", "", "write a self-contained HTML report to this file")
	fs.BoolVar(&f.asJSON, "json", false, "print the JSON document instead of the text summary")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "bound for one profile, from start to stop")
	fs.DurationVar(&f.readyTimeout, "ready-timeout", 30*time.Second, "how long the demo may take to answer HTTP before it counts as broken")
	fs.StringVar(&f.probeBin, "probe-bin", "", "the static hardenlab-probe binary (default: next to hardenlab)")
	fs.BoolVar(&f.noProbes, "no-probes", false, "only score and check behavior; run no probes")
	fs.BoolVar(&f.allProbes, "all-probes", false, allProbesHelp)
	fs.StringVar(&f.analyze, "systemd-analyze", string(run.AnalyzeUnit), analyzeHelp)
	f.gate.register(fs)
	f.svc.register(fs)
}

const allProbesHelp = "run every probe under every profile (default: the control runs all, each other profile\nonly those evidencing a directive it declares — the only ones its verdicts use)"

const analyzeHelp = "which profiles systemd-analyze security scores besides hardenlab's scorer, which scores all\nand reproduces it exactly: unit (the unit as written: the \"full\" profile or a run's unit file),\nall, or none; any disagreement is recorded as an error"

func cmdMatrix(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("matrix", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var f matrixFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(io.err, matrixUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, matrixExamples)
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	path, err := f.svc.single(fs.Args())
	if err != nil {
		errorf(io, "matrix %v", err)
		return exitUsage
	}
	m, code := runMatrix(ctx, f, path, io)
	if m == nil {
		return code
	}
	if werr := writeMatrixOutputs(f, *m, nil, "", io); werr != exitOK {
		return werr
	}
	if ctx.Err() != nil {
		return interruptedExit(ctx)
	}
	return code
}

// runMatrix generates and runs the profiles; it returns nil when nothing
// could run.
func runMatrix(ctx context.Context, f matrixFlags, path string, io stdio) (*report.Matrix, int) {
	if !profile.ValidMode(f.mode) {
		errorf(io, "unknown --mode %q (want %s)", f.mode, strings.Join(profile.ModeNames(), ", "))
		return nil, exitUsage
	}
	if f.jobs < 1 || f.jobs > 64 {
		errorf(io, "--jobs must be between 1 and 64")
		return nil, exitUsage
	}
	kind, err := sandbox.ParseKind(f.sandbox)
	if err != nil {
		errorf(io, "%v", err)
		return nil, exitUsage
	}
	if _, err := run.ParseAnalyzePolicy(f.analyze); err != nil {
		errorf(io, "%v", err)
		return nil, exitUsage
	}
	if f.choice, err = f.svc.resolve(); err != nil {
		errorf(io, "%v", err)
		return nil, exitUsage
	}
	if kind == sandbox.VM {
		return runMatrixInVM(ctx, f, path, io)
	}
	envs, err := parseEnvs(f.envs, f.root)
	if err != nil {
		errorf(io, "%v", err)
		return nil, exitUsage
	}
	if len(envs) > 1 || envs[0].suite != "" {
		if kind == sandbox.Host {
			errorf(io, "--env with a Debian root needs --sandbox nspawn (or auto)")
			return nil, exitUsage
		}
		kind = sandbox.Nspawn
	}
	u, err := f.unitSource().load(path)
	if err == nil {
		err = requireService(u, path)
	}
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			errorf(io, "%s", line)
		}
		hintf(io, "nothing was started; fix the unit file and run again")
		return nil, exitUsage
	}
	profiles, err := profile.Generate(u, f.mode)
	if err != nil {
		errorf(io, "%v", err)
		if errors.Is(err, profile.ErrNoHardening) {
			hintf(io, "see what the unit exposes with hardenlab score %s, or let hardenlab suggest %s find hardening it still works under", path, path)
		}
		return nil, exitUsage
	}
	if err := refuseHostClone(kind, f.root, f.svc, f.choice, profiles); err != nil {
		errorf(io, "%v", err)
		return nil, exitUsage
	}
	binaries := map[string]string{}
	if !f.noProbes {
		bin, err := findProbeBinary(f.probeBin)
		if err != nil {
			errorf(io, "%v", err)
			hintf(io, "build it: CGO_ENABLED=0 go build -o bin/hardenlab-probe ./cmd/hardenlab-probe (or pass --no-probes)")
			return nil, exitUsage
		}
		binaries[run.ProbeBinary] = bin
	}
	progress := newProgress(io.err)
	if _, err := collectGarbage(ctx, false, progress.linef); err != nil {
		errorf(io, "cleaning up after earlier runs: %v", err)
	}
	// Roots are built (or found in the cache) before anything starts, so a
	// failed build never leaves a half-run matrix.
	for i := range envs {
		if envs[i].suite == "" {
			continue
		}
		t := time.Now()
		progress.linef("%s: preparing the root (debootstrap; cached after the first time)", envs[i].name)
		dir, err := rootfs.Build(ctx, envs[i].spec(), f.stateDir)
		if err != nil {
			errorf(io, "building the %s root: %v", envs[i].name, err)
			return nil, exitError
		}
		envs[i].root = dir
		progress.linef("%s: root ready in %.1f s at %s", envs[i].name, time.Since(t).Seconds(), dir)
	}
	if code := checkExecutables(profiles, envs[0].root, io); code != exitOK {
		return nil, code
	}

	runID := newRunID()
	start := time.Now()
	m := &report.Matrix{
		Schema: report.SchemaVersion, RunID: runID, Source: path, Mode: f.mode,
		Directives: profile.Directives(u.Service), Jobs: f.jobs,
	}
	code := exitOK
	for _, env := range envs {
		if ctx.Err() != nil {
			m.Incomplete = true
			break
		}
		recs, sbEnv, c := runMatrixIn(ctx, f, kind, env, runID, profiles, binaries, progress, io)
		if c == exitError && len(recs) == 0 {
			return nil, c
		}
		if c != exitOK {
			code = c
		}
		m.Environments = append(m.Environments, report.FromEnvironment(sbEnv))
		for _, rec := range recs {
			m.Records = append(m.Records, rec)
			if rec.Error != "" {
				code = exitFindings
			}
			if rec.Incomplete {
				m.Incomplete = true
			}
		}
		if len(recs) < len(profiles) {
			m.Incomplete = true
		}
	}
	progress.done()
	m.WallMillis = float64(time.Since(start).Microseconds()) / 1000
	if n := len(m.Records); n > 0 {
		m.PerProfileMillis = m.WallMillis / float64(n)
	}
	report.Attribute(m)
	return m, code
}

// runMatrixIn runs the profiles in one environment's sandbox.
func runMatrixIn(ctx context.Context, f matrixFlags, kind sandbox.Kind, env matrixEnv, runID string, profiles []profile.Profile,
	binaries map[string]string, progress *progress, io stdio) ([]report.Record, sandbox.Environment, int) {
	envRunID := runID
	if env.suite != "" || env.index > 0 {
		envRunID = fmt.Sprintf("%s-%d", runID, env.index)
	}
	if freshSandboxes(kind, f.choice) {
		return runMatrixFresh(ctx, f, kind, env, envRunID, profiles, binaries, progress, io)
	}
	choice := f.choice
	why, err := choice.fitAccounts(kind, env.root, profiles)
	if err != nil {
		errorf(io, "%s: %v", env.name, err)
		return nil, sandbox.Environment{Name: env.name}, exitError
	}
	if why != "" {
		progress.linef("%s: %s", env.name, why)
	}
	progress.linef("%s: booting %s sandbox (run %s)", env.name, kind, envRunID)
	sb, err := sandbox.Start(ctx, sandbox.Options{Kind: kind, RunID: envRunID, Root: env.root, Binaries: binaries, RootView: choice.view})
	if err != nil {
		errorf(io, "%s: %v", env.name, err)
		return nil, sandbox.Environment{Name: env.name}, exitError
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := sb.Close(cctx); err != nil {
			errorf(io, "tearing down the %s sandbox: %v", env.name, err)
		}
	}()
	sb.Env.Name = env.name
	progress.linef("%s: systemd %s running after %.0f ms; %d profiles, %d at a time",
		env.name, sb.Env.SystemdVersion, sb.Env.BootMillis, len(profiles), f.jobs)
	r, err := run.New(ctx, sb, run.Options{RunID: envRunID, Timeout: f.timeout, ReadyTimeout: f.readyTimeout, Progress: func(string, ...any) {},
		SkipProbes: f.noProbes, AllProbes: f.allProbes, Analyze: run.AnalyzePolicy(f.analyze), Service: f.choice.service, Health: f.choice.health})
	if err != nil {
		errorf(io, "%s: %v", env.name, err)
		return nil, sb.Env, exitError
	}
	defer r.Close(context.WithoutCancel(ctx))
	done := 0
	records := r.RunAll(ctx, profiles, f.jobs, func(i int, rec report.Record) {
		done++
		state := fmt.Sprintf("%.1f %s", rec.Score.Exposure, rec.Score.Level)
		switch {
		case cutByInterrupt(ctx, rec):
			state = "interrupted, left out"
		case rec.Error != "":
			state = "error: " + firstLineOf(rec.Error)
		case !rec.Behavior.Started:
			state += ", service broke"
		}
		progress.linef("%s [%d/%d] %s: %s", env.name, done, len(profiles), profiles[i].Name, state)
	})
	out := matrixRecords(ctx, records)
	for i := range out {
		out[i].Environment = report.FromEnvironment(sb.Env)
	}
	return out, sb.Env, exitOK
}

// writeMatrixOutputs writes every output the flags ask for; regs and
// baselinePath are a check's comparison (nil and "" for a matrix).
func writeMatrixOutputs(f matrixFlags, m report.Matrix, regs []baseline.Regression, baselinePath string, io stdio) int {
	if f.out != "" {
		if err := writeJSONFile(f.out, m); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	}
	for _, o := range []struct {
		path  string
		write func(goio.Writer) error
	}{
		{f.markdown, func(w goio.Writer) error { return report.WriteMarkdown(w, m) }},
		{f.html, func(w goio.Writer) error { return report.WriteHTML(w, m) }},
	} {
		if err := writeFileWith(o.path, o.write); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	}
	if err := f.gate.writeMatrix(m, regs, baselinePath); err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	if f.asJSON {
		if err := writeJSON(io.out, m); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		return exitOK
	}
	report.WriteMatrixText(io.out, m)
	return exitOK
}

func firstLineOf(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// runMatrixInVM runs the whole matrix inside a throwaway VM (hardenlab in
// host mode there) and brings the document back.
func runMatrixInVM(ctx context.Context, f matrixFlags, path string, io stdio) (*report.Matrix, int) {
	if f.envs != "" || f.root != "" {
		errorf(io, "--sandbox vm does not combine with --env or --root")
		return nil, exitUsage
	}
	profiles := 0
	if u, err := f.unitSource().load(path); err == nil {
		if ps, err := profile.Generate(u, f.mode); err == nil {
			profiles = len(ps)
		}
	} else if f.svc.installed == "" { // an installed unit is the VM's own, read in the VM
		for _, line := range strings.Split(err.Error(), "\n") {
			errorf(io, "%s", line)
		}
		return nil, exitUsage
	}
	bin, err := findProbeBinary(f.probeBin)
	if err != nil {
		errorf(io, "%v", err)
		return nil, exitUsage
	}
	progress := newProgress(io.err)
	defer progress.done()
	job := vmJob{release: f.vmRelease, stateDir: f.stateDir, rebuild: f.vmRebuild, probeBin: bin,
		inputs: []string{path}, resultName: "matrix.json", runTimeout: vmRunTimeout(profiles, f.timeout)}
	job.args = []string{"matrix", "--sandbox", "host", "--mode", f.mode, "--jobs", fmt.Sprint(f.jobs),
		"--timeout", f.timeout.String(), "--ready-timeout", f.readyTimeout.String(), "--probe-bin", guestProbe, "--out", "/var/lib/hardenlab-results/matrix.json"}
	if f.noProbes {
		job.args = append(job.args, "--no-probes")
	}
	if f.allProbes {
		job.args = append(job.args, "--all-probes")
	}
	job.args = append(job.args, "--systemd-analyze", f.analyze)
	job.args = append(job.args, f.svc.guestArgs()...)
	if f.svc.installed == "" {
		job.args = append(job.args, guestPath(path))
	} else {
		job.inputs = nil
	}
	data, out, code := runInVM(ctx, job, progress, io)
	if data == nil {
		return nil, code
	}
	var m report.Matrix
	if err := json.Unmarshal(data, &m); err != nil {
		errorf(io, "reading the matrix from the VM: %v", err)
		return nil, exitError
	}
	vmEnvironment(m.Records, out)
	for i := range m.Environments {
		m.Environments[i].Name = "vm:" + out.Image.Release
		m.Environments[i].Accelerator = out.Accel
		m.Environments[i].AcceleratorReason = out.AccelReason
	}
	m.Source = path
	report.Attribute(&m)
	return &m, code
}
