package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
)

const runUsage = `Usage: hardenlab run [flags] UNIT...

Starts the demo service (python3 -m http.server) once per unit file as a
transient unit carrying that file's [Service] directives, in a real systemd,
and records for each:
  - the exposure score systemd itself computes for the running unit
    (systemd-analyze security), per check;
  - whether the service started and answered HTTP, and which sensitive
    paths (/etc/shadow, markers in /root, /home and /tmp, /proc/1/environ,
    the /dev listing) it hands out over HTTP;
  - whether every directive reads back from systemd as the file meant it;
  - the verdict of each probe of the unit's directives, run in a sibling
    unit with the same properties, against a control run of the demo
    without hardening.

With --service unit the unit's own commands run instead of the demo, with
its Type=, User= and directories, judged by --health checks, each profile
in a fresh container whose root is an overlay of the host's (its /etc and
/var as they are, every write thrown away); --installed NAME.service runs
an installed unit as a transient clone hardenlab-RUN-NAME.

A UNIT is a unit file or the name of a unit installed in --root (default
/), read with its drop-ins as hardenlab score reads it; a template
(getty@.service) needs --instance NAME.

The unit file is validated first: an unknown directive or a bad value stops
the run before anything is started, naming FILE:LINE and the directive.
[Install] keys are ignored (noted in the record); ExecStop= is passed on.
The demo binds to 127.0.0.1 on a free port, never to the network.

Where systemd comes from (--sandbox):
  auto    the host's systemd if PID 1 is systemd, else nspawn (default)
  host    the host's systemd; only hardenlab-* units are ever touched
  nspawn  a throwaway container booted from --root (default: the host's /)
          with systemd-nspawn, as permissive as possible, removed afterwards

In nspawn the demo's container has the host's /usr but an almost empty /etc
and /var (--volatile=yes), holding only the accounts the root's sysusers.d
files create. A unit that runs as another account (a packaged User=redis)
boots an overlay of the root instead, where its accounts are (writes are
thrown away; the record's root_view says which), as --service unit always
does.

Flags:
`

const runExamples = `
Examples:
  hardenlab run fixtures/p3test.service fixtures/p3test-hardened.service
  hardenlab run --json --out records.json fixtures/p3test-hardened.service

Exit status: 0 all profiles ran; 1 a profile could not be run; 2 bad
usage or invalid unit file; 3 no usable systemd or another setup failure;
130/143 interrupted (partial records are still written, marked incomplete).
`

func cmdRun(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.err)
	kindFlag := fs.String("sandbox", "auto", "where systemd comes from: auto, host, nspawn or vm")
	vmRelease := fs.String("vm-release", "trixie", "Debian release of the --sandbox vm image")
	vmRebuild := fs.Bool("vm-rebuild", false, "build the --sandbox vm image again")
	stateDir := fs.String("state-dir", "/var/lib/hardenlab", "where VM images and roots are cached")
	root := fs.String("root", "", "directory tree to boot with nspawn, and where unit names are found (default: the host's root)")
	instance := fs.String("instance", "", "instance name for a template unit (foo@.service runs as foo@NAME.service)")
	asJSON := fs.Bool("json", false, "print records as a JSON array instead of text")
	outFile := fs.String("out", "", "also write the JSON records to this file")
	timeout := fs.Duration("timeout", 2*time.Minute, "bound for one profile, from start to stop")
	readyTimeout := fs.Duration("ready-timeout", 30*time.Second, "how long the demo may take to answer HTTP before it counts as broken")
	probeBin := fs.String("probe-bin", "", "the static hardenlab-probe binary (default: next to hardenlab)")
	noProbes := fs.Bool("no-probes", false, "only score and check behavior; run no probes")
	allProbes := fs.Bool("all-probes", false, allProbesHelp)
	analyze := fs.String("systemd-analyze", string(run.AnalyzeUnit), analyzeHelp)
	var gate gateFlags
	gate.register(fs)
	var svc serviceFlags
	svc.register(fs)
	fs.Usage = func() {
		fmt.Fprint(io.err, runUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, runExamples)
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	choice, err := svc.resolve()
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	units, err := svc.units(fs.Args())
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	if len(units) == 0 {
		errorf(io, "run needs at least one unit file or unit name")
		hintf(io, "hardenlab run fixtures/p3test-hardened.service")
		return exitUsage
	}
	kind, err := sandbox.ParseKind(*kindFlag)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	policy, err := run.ParseAnalyzePolicy(*analyze)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	var profiles []run.Profile
	// An installed unit is the VM's own, read in the VM.
	if kind != sandbox.VM || svc.installed == "" {
		var code int
		if profiles, code = loadProfiles(unitSource{root: *root, instance: *instance}, units, io); code != exitOK {
			return code
		}
		if err := refuseHostClone(kind, *root, svc, choice, profiles); err != nil {
			errorf(io, "%v", err)
			return exitUsage
		}
		if code := checkExecutables(profiles, *root, io); code != exitOK {
			return code
		}
		why, err := choice.fitAccounts(kind, *root, profiles)
		if err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		if why != "" {
			noticef(io, "%s", why)
		}
	}
	binaries := map[string]string{}
	if !*noProbes {
		bin, err := findProbeBinary(*probeBin)
		if err != nil {
			errorf(io, "%v", err)
			hintf(io, "build it: CGO_ENABLED=0 go build -o bin/hardenlab-probe ./cmd/hardenlab-probe (or pass --no-probes)")
			return exitUsage
		}
		binaries[run.ProbeBinary] = bin
	}

	if kind == sandbox.VM {
		if *noProbes {
			errorf(io, "--sandbox vm always runs the probes")
			return exitUsage
		}
		progress := newProgress(io.err)
		job := vmJob{release: *vmRelease, stateDir: *stateDir, rebuild: *vmRebuild, probeBin: binaries[run.ProbeBinary],
			inputs: fs.Args(), resultName: "records.json", runTimeout: vmRunTimeout(len(units), *timeout)}
		job.args = []string{"run", "--sandbox", "host", "--timeout", timeout.String(), "--ready-timeout", readyTimeout.String(), "--probe-bin", guestProbe,
			"--out", "/var/lib/hardenlab-results/records.json"}
		if *allProbes {
			job.args = append(job.args, "--all-probes")
		}
		job.args = append(job.args, "--systemd-analyze", *analyze)
		job.args = append(job.args, svc.guestArgs()...)
		for _, in := range fs.Args() {
			job.args = append(job.args, guestPath(in))
		}
		records, code := runRecordsInVM(ctx, job, progress, io)
		progress.done()
		if records == nil {
			return code
		}
		return printRecords(records, gate, *asJSON, *outFile, code, ctx, io)
	}
	runID := newRunID()
	progress := newProgress(io.err)
	// A crashed earlier run is cleaned up by the next one.
	if _, err := collectGarbage(ctx, false, progress.linef); err != nil {
		errorf(io, "cleaning up after earlier runs: %v", err)
	}
	opts := run.Options{RunID: runID, Timeout: *timeout, ReadyTimeout: *readyTimeout, Progress: progress.linef,
		SkipProbes: *noProbes, AllProbes: *allProbes, Analyze: policy, Service: choice.service, Health: choice.health}
	if freshSandboxes(kind, choice) {
		fr := freshRun{sandbox: sandbox.Options{RunID: runID, Root: *root, Binaries: binaries, RootView: choice.view}, opts: opts, installed: svc.installed}
		records, err := runFresh(ctx, fr, profiles, progress)
		progress.done()
		code := exitOK
		if err != nil {
			errorf(io, "%v", err)
			code = exitError
		}
		return printRecords(ranRecords(records), gate, *asJSON, *outFile, code, ctx, io)
	}
	progress.linef("booting %s sandbox (run %s)", kind, runID)
	sb, err := sandbox.Start(ctx, sandbox.Options{Kind: kind, RunID: runID, Root: *root, Binaries: binaries, RootView: choice.view})
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := sb.Close(cctx); err != nil {
			errorf(io, "tearing down the sandbox: %v", err)
		}
	}()
	progress.linef("systemd %s (%s, %s cgroups) running after %.0f ms",
		sb.Env.SystemdVersion, sb.Env.Virtualization, sb.Env.CgroupMode, sb.Env.BootMillis)

	r, err := run.New(ctx, sb, opts)
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	defer r.Close(context.WithoutCancel(ctx))

	records := make([]report.Record, 0, len(profiles))
	for i, p := range profiles {
		if ctx.Err() != nil {
			break
		}
		progress.linef("[%d/%d] %s", i+1, len(profiles), p.Name)
		records = append(records, r.Run(ctx, p))
	}
	progress.done()
	return printRecords(records, gate, *asJSON, *outFile, exitOK, ctx, io)
}

// printRecords writes records as the flags ask and picks the exit code.
func printRecords(records []report.Record, gate gateFlags, asJSON bool, outFile string, code int, ctx context.Context, io stdio) int {
	for _, rec := range records {
		if rec.Error != "" && code == exitOK {
			code = exitFindings
		}
	}
	if outFile != "" {
		if err := writeJSONFile(outFile, records); err != nil {
			errorf(io, "%v", err)
			code = exitError
		}
	}
	if err := gate.writeRecords(records); err != nil {
		errorf(io, "%v", err)
		code = exitError
	}
	if asJSON {
		if err := writeJSON(io.out, records); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	} else {
		for _, rec := range records {
			report.WriteText(io.out, rec)
		}
	}
	if ctx.Err() != nil {
		return interruptedExit(ctx)
	}
	return code
}

// loadProfiles parses every unit file before anything is started, so a bad
// file never causes a half-run.
func loadProfiles(src unitSource, paths []string, io stdio) ([]run.Profile, int) {
	var profiles []run.Profile
	bad := false
	seen := map[string]int{}
	for _, path := range paths {
		u, err := src.load(path)
		if err == nil {
			err = requireService(u, path)
		}
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				errorf(io, "%s", line)
			}
			bad = true
			continue
		}
		name := strings.TrimSuffix(u.Name, ".service")
		seen[name]++
		if seen[name] > 1 {
			name = fmt.Sprintf("%s-%d", name, seen[name])
		}
		p, err := profile.FromUnit(u, name)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				errorf(io, "%s", line)
			}
			bad = true
			continue
		}
		profiles = append(profiles, p)
	}
	if bad {
		hintf(io, "nothing was started; fix the unit files above and run again")
		return nil, exitUsage
	}
	return profiles, exitOK
}

// checkExecutables refuses, before a sandbox is booted, an ExecStart= whose
// program does not exist in the root the sandbox will run.
func checkExecutables(profiles []run.Profile, root string, io stdio) int {
	if root == "" {
		root = "/"
	}
	code := exitOK
	for _, p := range profiles {
		for _, argv := range p.Settings.ExecStart {
			if len(argv) == 0 || !filepath.IsAbs(argv[0]) {
				continue
			}
			if _, err := os.Stat(filepath.Join(root, argv[0])); err != nil {
				src := p.Source
				for _, a := range p.Assignments {
					if a.Name == "ExecStart" {
						src = a.Source.String()
					}
				}
				errorf(io, "%s: ExecStart=%s: no such executable in %s (%v)", src, argv[0], root, err)
				code = exitUsage
			}
		}
	}
	if code != exitOK {
		hintf(io, "nothing was started")
	}
	return code
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing JSON: %w", err)
	}
	return nil
}

func writeJSONFile(path string, v any) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("writing records: %w", err)
	}
	if err := writeJSON(f, v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// findProbeBinary locates hardenlab-probe: the flag, else next to this
// executable, else on PATH.
func findProbeBinary(flagValue string) (string, error) {
	candidates := []string{flagValue}
	if flagValue == "" {
		candidates = nil
		if self, err := os.Executable(); err == nil {
			candidates = append(candidates, filepath.Join(filepath.Dir(self), run.ProbeBinary))
		}
		if p, err := exec.LookPath(run.ProbeBinary); err == nil {
			candidates = append(candidates, p)
		}
	}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return c, nil
		}
	}
	if flagValue != "" {
		return "", fmt.Errorf("--probe-bin %s: not an executable file", flagValue)
	}
	return "", fmt.Errorf("%s not found next to hardenlab or on PATH", run.ProbeBinary)
}
