package run

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/health"
)

// Service says which command a profile's transient unit runs.
type Service string

const (
	// ServiceDemo replaces the unit's ExecStart= with python3 -m
	// http.server on a free loopback port; the unit's other commands are
	// not sent. Every profile can run at once.
	ServiceDemo Service = "demo"
	// ServiceUnit runs the unit's own commands (ExecCondition= to
	// ExecStopPost=, ExecReload= once after it is healthy) with its Type=,
	// User=, directories and environment. A real service binds the port
	// its configuration names, so the profiles of one runner run one at a
	// time.
	ServiceUnit Service = "unit"
)

// ParseService validates a --service value; "" is the demo.
func ParseService(s string) (Service, error) {
	switch v := Service(s); v {
	case "":
		return ServiceDemo, nil
	case ServiceDemo, ServiceUnit:
		return v, nil
	}
	return "", fmt.Errorf("unknown --service %q: want demo or unit", s)
}

// runsUnit says whether a profile runs the unit's own commands. A
// matrix's control is the unit without hardening and runs them too;
// run's own control is the demo (it has no command of the unit's), which
// takes a free port beside the service.
func (s planSetup) runsUnit(p Profile, control bool) bool {
	if s.opts.Service != ServiceUnit {
		return false
	}
	cmds := p.Settings.ExecStart
	return !control || len(cmds) != 1 || !isHTTPServer(cmds[0])
}

// planUnit decides how p runs with its own commands.
func (s planSetup) planUnit(pl plan) (plan, error) {
	p := pl.profile
	pl.unitService = true
	if len(p.Settings.ExecStart) == 0 {
		return pl, errors.New("--service unit: the unit has no ExecStart= to run")
	}
	argv := p.Settings.ExecStart[0]
	if bin := strings.TrimLeft(argv[0], "@-:+!"); path.IsAbs(bin) {
		if _, err := os.Stat(s.hostPath(bin)); err != nil {
			return pl, fmt.Errorf("ExecStart=%s: no such executable in the sandbox: %w", bin, pathless(err))
		}
	}
	if err := checkSupported(p, s.systemd); err != nil {
		return pl, err
	}
	pl.argv = argv
	pl.health = s.opts.Health
	if len(pl.health) == 0 && p.Settings.Type != "oneshot" {
		// A oneshot's start job is its whole run: that it succeeded is
		// the answer, and without RemainAfterExit= it is inactive after.
		pl.health, _ = health.ParseAll(nil)
	}
	for _, c := range pl.health {
		if port := c.Port(); port != 0 && pl.port == 0 {
			pl.port = port
		}
	}
	pl.reload = len(p.Settings.PlainValue("ExecReload")) > 0
	pl.service = s.unitProperties(p)
	pl.readback = p.Settings
	pl.score = s.scorePlan(p)
	if !s.opts.SkipProbes {
		pl.probe = s.probePlan(p, pl.unit, pl.control || s.opts.AllProbes, pl.score.claimVersion(), pl.paths)
		s.planCalls(&pl.probe, p, pl.unit, pl.control, pl.score)
		pl.check = s.unitCheckPlan(pl)
	}
	return pl, nil
}

// unitProperties are the profile's own properties, every command
// included, with a description naming the run and a bounded stop unless
// the unit has its own stop timeout.
func (s planSetup) unitProperties(p Profile) []sdbus.Property {
	var props []sdbus.Property
	stopBounded := false
	for _, prop := range p.Settings.Properties() {
		switch prop.Name {
		case "Description":
			continue
		case "TimeoutStopUSec":
			stopBounded = true
		}
		props = append(props, prop)
	}
	props = append(props, sdbus.PropDescription(fmt.Sprintf("hardenlab run %s profile %s (the unit's own commands)", s.runID, p.Name)))
	if stopBounded {
		return props
	}
	return append(props, sdbus.Property{Name: "TimeoutStopUSec", Value: dbusVariant(uint64(10 * time.Second / time.Microsecond))})
}

// healthExecUnit is the transient unit an exec health check runs in: the
// probe unit's sandbox (the profile's properties, the service's
// namespaces) with the check's command.
func (s planSetup) healthExecUnit(pl plan, n int, argv []string) (name string, props []sdbus.Property, hostOut string) {
	name = s.unitName(pl.profile.Name, fmt.Sprintf("-health-%d", n))
	unitOut, hostOut := s.outFile(name + ".txt")
	return name, s.probeProperties(pl.profile.Settings, pl.unit, unitOut, argv), hostOut
}

// unitCheckPlan repeats the first network health check from inside the
// service's sandbox, for a service the host cannot reach.
func (s planSetup) unitCheckPlan(pl plan) checkPlan {
	for _, c := range pl.health {
		if args := insideCheckArgs(c); args != nil {
			cp := checkPlan{unit: s.unitName(pl.profile.Name, "-check"), port: c.Port()}
			cp.unitOut, cp.hostOut = s.outFile(cp.unit + ".json")
			cp.argv = append([]string{filepath.Join(s.binDir, ProbeBinary), "check"}, append(args, "--timeout", "2s")...)
			cp.props = s.probeProperties(pl.profile.Settings, pl.unit, cp.unitOut, cp.argv)
			return cp
		}
	}
	return checkPlan{}
}
