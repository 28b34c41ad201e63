package run

import (
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/health"
)

func TestPlanOfTheUnitsOwnCommands(t *testing.T) {
	p := profileOf(t, "Type=notify", "ExecStartPre=/usr/bin/python3 -c pass", "ExecStart=/usr/bin/python3 -m mine",
		"ExecReload=/bin/kill -HUP $MAINPID", "Restart=always", "PIDFile=/run/x.pid", "RuntimeDirectory=x", "PrivateTmp=yes")
	checks, err := health.ParseAll([]string{"tcp:127.0.0.1:6379"})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := testSetup(t, Options{Service: ServiceUnit, Health: checks}).plan(p, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !pl.unitService || !pl.reload || pl.port != 6379 || !slices.Equal(pl.argv, []string{"/usr/bin/python3", "-m", "mine"}) {
		t.Errorf("plan: unit %v reload %v port %d argv %v", pl.unitService, pl.reload, pl.port, pl.argv)
	}
	for _, name := range []string{"ExecStartPreEx", "ExecReloadEx", "Restart", "PIDFile"} {
		if _, ok := property(pl.service, name); !ok {
			t.Errorf("the service lacks %s: the unit's own commands and lifecycle must be sent", name)
		}
	}
	if ty, _ := property(pl.service, "Type"); ty != "notify" {
		t.Errorf("Type = %v, want the unit's notify", ty)
	}
	if pl.readback != p.Settings {
		t.Error("read-back must expect the unit as written")
	}
	for _, name := range []string{"ExecStartPreEx", "ExecReloadEx", "Restart", "PIDFile"} {
		if _, ok := property(pl.probe.props, name); ok {
			t.Errorf("the probe unit carries %s: a oneshot probe must not run or restart like the service", name)
		}
	}
	if v, _ := property(pl.probe.props, "RuntimeDirectoryPreserve"); v != "yes" {
		t.Errorf("the probe's RuntimeDirectoryPreserve = %v: its stop would remove the service's runtime directory", v)
	}
}

func TestUnitServiceDefaultsToStayingActive(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m mine")
	pl, err := testSetup(t, Options{Service: ServiceUnit}).plan(p, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.health) != 1 || pl.health[0].Kind != health.Active || pl.port != 0 || pl.reload {
		t.Errorf("health %+v port %d reload %v", pl.health, pl.port, pl.reload)
	}
}

func TestUnitServiceRefusesAMissingCommand(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/sbin/nothing-here")
	_, err := testSetup(t, Options{Service: ServiceUnit}).plan(p, false, nil)
	if err == nil || !strings.Contains(err.Error(), "no such executable") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunsControlOfDemoAsDemo(t *testing.T) {
	s := testSetup(t, Options{Service: ServiceUnit})
	ctl, err := controlProfile()
	if err != nil {
		t.Fatal(err)
	}
	if s.runsUnit(ctl, true) {
		t.Error("run's own control (the demo) must stay the demo")
	}
	if !s.runsUnit(profileOf(t, "ExecStart=/usr/bin/python3 -m mine"), true) {
		t.Error("a matrix control with the unit's command must run it")
	}
}

func TestParseService(t *testing.T) {
	for in, want := range map[string]Service{"": ServiceDemo, "demo": ServiceDemo, "unit": ServiceUnit} {
		if got, err := ParseService(in); err != nil || got != want {
			t.Errorf("ParseService(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseService("nginx"); err == nil {
		t.Error("ParseService accepted nginx")
	}
}

func TestOneshotIsJudgedByItsStartJob(t *testing.T) {
	p := profileOf(t, "Type=oneshot", "ExecStart=/usr/bin/python3 -c pass")
	pl, err := testSetup(t, Options{Service: ServiceUnit}).plan(p, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.health) != 0 {
		t.Errorf("a oneshot without --health gets checks %+v; its start job is the answer", pl.health)
	}
}
