package run

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

// A profile runs in four stages: plan (this file) decides everything
// before anything starts; execute starts the units, waits, probes, reads
// back and stops; judge turns raw probe outcomes into verdicts; record
// assembles the report.Record. Only execute talks to systemd.

// plan is everything decided about one profile before anything starts.
type plan struct {
	profile Profile
	control bool     // the run every verdict compares against
	paths   []string // the path probes' flags (pathFlags)
	systemd string   // version string of the systemd under test
	unit    string
	// note says that the unit's own ExecStart was replaced by the demo,
	// typeNote that its Type= was, preserveNote that its runtime
	// directories are kept (demoPreserve).
	note, typeNote, preserveNote string
	port                         int
	argv                         []string // the demo's command
	service                      []sdbus.Property
	client                       *behavior.Client
	served                       string // the directory http.server hands out
	// readback is what systemd should report for the unit: the profile,
	// with the demo's command in place of the file's.
	readback *directive.Settings
	timeout  time.Duration
	ready    time.Duration // bound of the wait for the first HTTP answer
	score    scorePlan
	probe    probePlan
	// unitService: the unit's own commands run (Options.Service), judged
	// by the health checks instead of the demo's HTTP answer; reload says
	// that it declares ExecReload=, tried once when it is healthy.
	unitService bool
	health      []health.Check
	reload      bool
	check       checkPlan
}

// checkPlan is the unit that asks the service from inside its sandbox
// whether it serves, when the host cannot reach it.
type checkPlan struct {
	unit             string
	port             int      // whose listening socket makes a service unreachable
	argv             []string // nil: no probe binary in this run
	props            []sdbus.Property
	unitOut, hostOut string
}

// scorePlan says who scores the running unit.
type scorePlan struct {
	// analyze: systemd-analyze scores it (the policy picks this profile,
	// or hardenlab's scorer does not model the systemd under test).
	analyze bool
	// version is the scorer's model of it, unless versionErr.
	version    score.Version
	versionErr error
	// unit and its output file run systemd-analyze in the sandbox.
	unit             string
	unitOut, hostOut string
}

// probePlan is the probe unit of a profile.
type probePlan struct {
	enabled bool   // false with Options.SkipProbes: no probe fields at all
	scope   string // "all" or "declared", as in report.Record.ProbeScope
	// ids are the probes to run; nil runs all of them.
	ids []string
	// paths are the path flags the probes get (pathFlags): the profile's
	// own, or for the control those of the profile that asked for it.
	paths []string
	// claims are the probes whose verdicts the profile gets: each one
	// that evidences a directive the profile declares.
	claims   []probeClaim
	bypasses []probeBypass // the bypass rows of the declared directives
	unit     string
	argv     []string // nil: no probe has anything to evidence
	// calls are the system calls that judge the profile's
	// SystemCallFilter= (callsNote why there are none although one is
	// declared); callArgv runs them, in the same unit after argv. The
	// control runs every call of every group (controlCalls), so that each
	// profile's calls have a control result.
	calls            []syscallCheck
	callsNote        string
	controlCalls     []string
	callArgv         []string
	props            []sdbus.Property
	unitOut, hostOut string
}

// planSetup is what every plan of a runner shares.
type planSetup struct {
	runID     string
	systemd   string // version string of the systemd under test
	binDir    string // the probe binary's directory, as units see it
	outDir    string // the result directory, as units see it
	hostOut   string // the result directory, as the host sees it
	hostPath  func(string) string
	tcpTarget string // the network probes' loopback listener
	freePort  func() (int, error)
	opts      Options
}

// unitName is the transient unit name for a profile in this run.
func (s planSetup) unitName(profile, suffix string) string {
	return systemd.UnitPrefix + s.runID + "-" + escapeUnitPart(profile) + suffix + ".service"
}

// outFile is a file in the result directory, as units see it and as the
// host sees it.
func (s planSetup) outFile(name string) (unitPath, hostPath string) {
	return filepath.Join(s.outDir, name), filepath.Join(s.hostOut, name)
}

// plan decides how p runs. Its path probes try the profile's own paths,
// or for the control ctlPaths (pathFlags of the profile it is the
// control of). On error nothing may start; the plan still carries what
// was decided (the ExecStart note) for the record.
func (s planSetup) plan(p Profile, control bool, ctlPaths []string) (plan, error) {
	paths := pathFlags(p.Settings)
	if control {
		paths = ctlPaths
	}
	pl := plan{profile: p, control: control, paths: paths, systemd: s.systemd, unit: s.unitName(p.Name, ""), timeout: s.opts.Timeout, ready: s.opts.ReadyTimeout}
	if s.runsUnit(p, control) {
		return s.planUnit(pl)
	}
	port, err := s.freePort()
	if err != nil {
		return pl, err
	}
	argv, note, err := demoCommand(p.Settings, port, s.hostPath)
	if err != nil {
		return pl, err
	}
	pl.note = note
	if err := checkSupported(p, s.systemd); err != nil {
		return pl, err
	}
	if pl.client, err = behavior.NewClient(netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))); err != nil {
		return pl, err
	}
	pl.port, pl.argv, pl.served = port, argv, servedRoot(p.Settings, argv)
	sent, preserveNote, err := demoPreserve(p)
	if err != nil {
		return pl, err
	}
	pl.preserveNote = preserveNote
	pl.service = s.serviceProperties(sent, argv)
	// The demo's command is hardenlab's, not the file's: read-back
	// compares ExecStart with what was sent, and the unit's other
	// commands were not sent at all.
	trimmed, _ := sent.Settings.SkippedCommands()
	want := *trimmed.WithoutPlain("BusName")
	if typ, access, note := demoType(p.Settings); note != "" {
		want.Type, pl.typeNote = typ, note
		if access != "" {
			want.NotifyAccess = access
		}
	}
	want.ExecStart = [][]string{argv}
	want.ExecStartCommands = []directive.ExecCommand{{Path: argv[0], Argv: argv}}
	pl.readback = &want
	pl.score = s.scorePlan(p)
	if !s.opts.SkipProbes {
		pl.probe = s.probePlan(p, pl.unit, control || s.opts.AllProbes, pl.score.claimVersion(), pl.paths)
		s.planCalls(&pl.probe, p, pl.unit, control, pl.score)
		pl.check = s.checkPlan(p, pl.unit, port)
	}
	return pl, nil
}

// serviceProperties are the profile's properties plus what hardenlab needs
// to run the demo: its own command, a description naming the run, and a
// bounded stop unless the unit has its own stop timeout. The unit's other
// commands are not sent: the demo runs in their place.
func (s planSetup) serviceProperties(p Profile, argv []string) []sdbus.Property {
	var props []sdbus.Property
	stopBounded := false
	typ, access, _ := demoType(p.Settings)
	for _, prop := range p.Settings.Properties() {
		switch {
		case directive.CommandProperty(prop.Name, "ExecStart"), prop.Name == "Description", directive.IsCommandProperty(prop.Name):
			// ExecStart in either form: a unit's "ExecStart=!!..." comes as
			// ExecStartEx, and a second command makes PID 1 refuse the unit.
			continue
		case prop.Name == "TimeoutStopUSec":
			stopBounded = true
		case prop.Name == "BusName":
			// PID 1 lets one unit watch a bus name: the installed unit
			// already does, and the demo takes none.
			continue
		case prop.Name == "Type" && typ != "":
			prop = sdbus.Property{Name: "Type", Value: dbusVariant(typ)}
		}
		props = append(props, prop)
	}
	if access != "" {
		props = append(props, sdbus.Property{Name: "NotifyAccess", Value: dbusVariant(access)})
	}
	props = append(props,
		sdbus.PropDescription(fmt.Sprintf("hardenlab run %s profile %s", s.runID, p.Name)),
		sdbus.PropExecStart(argv, false))
	if stopBounded {
		// The unit's own stop timeout is part of what it means; the stop
		// itself is still bounded by the runner's stop context.
		return props
	}
	return append(props, sdbus.Property{Name: "TimeoutStopUSec", Value: dbusVariant(uint64(10 * time.Second / time.Microsecond))})
}

// scorePlan picks systemd-analyze when the policy asks for this profile or
// hardenlab's scorer does not model the systemd under test, else
// hardenlab's scorer alone — whose parity with systemd-analyze is what
// harness/score's parity tests prove.
func (s planSetup) scorePlan(p Profile) scorePlan {
	sp := scorePlan{unit: s.unitName(p.Name, "-score")}
	sp.version, sp.versionErr = score.ParseVersion(leadingNumber(s.systemd))
	sp.analyze = sp.versionErr != nil || wantsAnalyze(s.opts.Analyze, p)
	sp.unitOut, sp.hostOut = s.outFile(sp.unit + ".txt")
	return sp
}

// claimVersion is the systemd whose filter groups decide what the
// profile claims: the one under test, or the newest modelled one when
// hardenlab does not model it.
func (sp scorePlan) claimVersion() score.Version {
	if sp.versionErr != nil {
		return score.Newest()
	}
	return sp.version
}

// probePlan builds the probe unit: the probe binary as a oneshot sibling
// of the service with the profile's own properties, joined to the
// service's namespaces, writing its document to a file systemd opens
// before the sandbox applies — so collecting results never weakens the
// profile. Unless all is set it runs only the probes of the profile's
// declared directives and no preflight: every other probe's answer is
// already in the control's record, and each probe is a process of its own.
func (s planSetup) probePlan(p Profile, service string, all bool, v score.Version, paths []string) probePlan {
	pp := probePlan{enabled: true, scope: "all", claims: declaredClaims(p.Settings, v), bypasses: declaredBypasses(p.Settings, v), unit: s.unitName(p.Name, "-probe")}
	pp.unitOut, pp.hostOut = s.outFile(pp.unit + ".json")
	argv := []string{filepath.Join(s.binDir, ProbeBinary), "run", "--tcp-target", s.tcpTarget}
	if !all {
		pp.scope = "declared"
		for _, c := range pp.claims {
			pp.ids = append(pp.ids, c.id)
		}
		for _, b := range pp.bypasses {
			pp.ids = append(pp.ids, b.id)
		}
		if len(pp.ids) == 0 {
			return pp
		}
		argv = append(argv, "--skip-preflight", "--only", strings.Join(pp.ids, ","))
	}
	pp.paths = paths
	pp.argv = append(argv, paths...)
	return pp
}

// planCalls adds the system calls to a probe plan and builds its unit:
// the probe binary's "run" and then its "syscalls", one after the other
// in one oneshot unit, both appending their documents to its output
// file.
func (s planSetup) planCalls(pp *probePlan, p Profile, service string, control bool, sp scorePlan) {
	pp.calls, pp.callsNote = planSyscalls(p.Settings, sp.version, sp.versionErr)
	names := callNames(pp.calls)
	if control && sp.versionErr == nil {
		pp.controlCalls, _ = score.FilterCalls(sp.version)
		names = pp.controlCalls
	}
	if len(names) > 0 {
		pp.callArgv = []string{filepath.Join(s.binDir, ProbeBinary), "syscalls", "--calls", strings.Join(names, ",")}
	}
	if pp.argv == nil && pp.callArgv == nil {
		return
	}
	pp.props = s.probeProperties(p.Settings, service, pp.unitOut, pp.argv, pp.callArgv)
}

// checkPlan builds the inside check: the probe binary's "check" in a
// sibling unit with the profile's own properties, joined to the service's
// namespaces like the probes, so its loopback is the service's.
func (s planSetup) checkPlan(p Profile, service string, port int) checkPlan {
	cp := checkPlan{unit: s.unitName(p.Name, "-check"), port: port}
	cp.unitOut, cp.hostOut = s.outFile(cp.unit + ".json")
	cp.argv = []string{filepath.Join(s.binDir, ProbeBinary), "check", "--http", fmt.Sprintf("127.0.0.1:%d", port), "--timeout", "1s"}
	cp.props = s.probeProperties(p.Settings, service, cp.unitOut, cp.argv)
	return cp
}

// pathFlags give the path probes one path of each list the profile
// declares.
func pathFlags(s *directive.Settings) []string {
	var out []string
	for _, f := range []struct {
		flag  string
		paths []string
	}{{"--ro-path", s.ReadOnlyPaths}, {"--rw-path", s.ReadWritePaths}, {"--hidden-path", s.InaccessiblePaths}} {
		if v := firstPath(f.paths); v != "" {
			out = append(out, f.flag, v)
		}
	}
	return out
}

func (s planSetup) probeProperties(settings *directive.Settings, service string, unitOut string, commands ...[]string) []sdbus.Property {
	var props []sdbus.Property
	for _, prop := range settings.Properties() {
		switch {
		case directive.CommandProperty(prop.Name, "ExecStart"), directive.CommandProperty(prop.Name, "ExecStop"), prop.Name == "Type", prop.Name == "Description", prop.Name == "RemainAfterExit":
			continue
		case directive.IsCommandProperty(prop.Name), serviceLifecycle(prop.Name):
			// The probe is a oneshot of its own: the service's other
			// commands and its restart and PID file rules are not its.
			continue
		}
		props = append(props, prop)
	}
	return append(props,
		// The probe stops long before the service: it must not take the
		// service's runtime directory with it.
		sdbus.Property{Name: "RuntimeDirectoryPreserve", Value: dbusVariant("yes")},
		sdbus.PropDescription("hardenlab probes for "+service),
		sdbus.PropType("oneshot"),
		execStarts(commands),
		sdbus.Property{Name: "StandardOutputFileToAppend", Value: dbusVariant(unitOut)},
		sdbus.Property{Name: "StandardError", Value: dbusVariant("journal")},
		sdbus.Property{Name: "JoinsNamespaceOf", Value: dbusVariant([]string{service})},
		sdbus.PropAfter(service),
		// The probe binary is bound read-only into the unit: nothing in the
		// sandbox can alter it, and it stays reachable when the profile
		// hides /run or swaps the root. The probes check nothing under it.
		sdbus.Property{Name: "BindReadOnlyPaths", Value: dbusVariant([]bindPath{{Source: s.binDir, Destination: s.binDir, Recursive: 16384}})},
	)
}

// execStarts is an ExecStart of the non-nil commands, run in order.
func execStarts(commands [][]string) sdbus.Property {
	var out []execCommand
	for _, c := range commands {
		if c != nil {
			out = append(out, execCommand{Path: c[0], Args: c})
		}
	}
	return sdbus.Property{Name: "ExecStart", Value: dbusVariant(out)}
}

// bindPath is the a(ssbt) element of BindReadOnlyPaths.
type bindPath struct {
	Source        string
	Destination   string
	IgnoreMissing bool
	Recursive     uint64
}

func firstPath(paths []string) string {
	for _, p := range paths {
		p = strings.TrimLeft(p, "-+")
		if p != "" {
			return p
		}
	}
	return ""
}

// serviceLifecycle says whether a property is about the service's own
// life (restarts, PID file, readiness), which a oneshot probe must not
// carry: systemd refuses Restart=always on a oneshot.
func serviceLifecycle(name string) bool {
	switch name {
	case "Restart", "RestartUSec", "RestartPreventExitStatus", "RestartForceExitStatus", "SuccessExitStatus",
		"PIDFile", "NotifyAccess", "BusName", "RuntimeDirectoryPreserve", "TimeoutStartUSec", "WatchdogUSec", "ExitType":
		return true
	}
	return false
}
