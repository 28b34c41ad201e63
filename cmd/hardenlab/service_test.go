package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
)

func unitProfile(t *testing.T, lines ...string) profile.Profile {
	t.Helper()
	u, err := directive.Parse(strings.NewReader("[Service]\n"+strings.Join(lines, "\n")+"\n"), "x.service")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.FromUnit(u, "x")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOwnedByUnit(t *testing.T) {
	p := unitProfile(t, "ExecStart=/usr/sbin/sshd -D", "RuntimeDirectory=sshd", "PIDFile=/run/x.pid", "StateDirectory=a b")
	checks, _ := health.ParseAll([]string{"tcp:127.0.0.1:22", "active:1s"})
	got := ownedByUnit(p, checks)
	want := []string{"RuntimeDirectory=sshd", "StateDirectory=a b", "PIDFile=/run/x.pid", "the listening port 22"}
	if !slices.Equal(got, want) {
		t.Errorf("ownedByUnit = %q, want %q", got, want)
	}
	if got := ownedByUnit(unitProfile(t, "ExecStart=/bin/true"), nil); len(got) != 0 {
		t.Errorf("a unit that owns nothing: %q", got)
	}
}

func TestServiceFlags(t *testing.T) {
	for _, tc := range []struct {
		f       serviceFlags
		svc     run.Service
		view    sandbox.RootView
		checks  int
		wantErr string
	}{
		{f: serviceFlags{service: "demo"}, svc: run.ServiceDemo, view: sandbox.Volatile},
		{f: serviceFlags{service: "unit"}, svc: run.ServiceUnit, view: sandbox.Overlay, checks: 1},
		{f: serviceFlags{service: "unit", health: healthList{"tcp:127.0.0.1:1", "active:1s"}}, svc: run.ServiceUnit, view: sandbox.Overlay, checks: 2},
		{f: serviceFlags{service: "demo", health: healthList{"tcp:127.0.0.1:1"}}, wantErr: "--health needs --service unit"},
		{f: serviceFlags{service: "unit", health: healthList{"tcp:10.0.0.1:1"}}, wantErr: "not a loopback address"},
		{f: serviceFlags{service: "both"}, wantErr: "unknown --service"},
	} {
		c, err := tc.f.resolve()
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%+v: error %v, want %q", tc.f, err, tc.wantErr)
			}
			continue
		}
		if err != nil || c.service != tc.svc || c.view != tc.view || len(c.health) != tc.checks {
			t.Errorf("%+v: %+v, %v", tc.f, c, err)
		}
	}
	if _, err := (serviceFlags{installed: "./nginx.service"}).units(nil); err == nil {
		t.Error("--installed accepted a file")
	}
	if u, _ := (serviceFlags{installed: "nginx"}).units(nil); !slices.Equal(u, []string{"nginx.service"}) {
		t.Errorf("--installed nginx = %v", u)
	}
}

func TestRefuseHostCloneOnlyOnTheHost(t *testing.T) {
	p := unitProfile(t, "ExecStart=/usr/sbin/nginx", "PIDFile=/run/nginx.pid")
	f := serviceFlags{service: "unit", installed: "hardenlab-test-none.service"}
	c, _ := f.resolve()
	if err := refuseHostClone(sandbox.Nspawn, "", f, c, []profile.Profile{p}); err != nil {
		t.Errorf("nspawn: %v", err)
	}
	err := refuseHostClone(sandbox.Host, "", f, c, []profile.Profile{p})
	if err == nil || !strings.Contains(err.Error(), "PIDFile=/run/nginx.pid") || !strings.Contains(err.Error(), "--sandbox nspawn") {
		t.Errorf("host: %v", err)
	}
}

// An interrupted matrix leaves out the profiles the interrupt cut short
// (their unit stopped mid-start would read as "service broke" and be
// credited to the directive); a record incomplete for another reason,
// and any record of a run that was not interrupted, stays.
func TestMatrixRecordsLeaveOutWhatTheInterruptCut(t *testing.T) {
	records := []report.Record{
		{Schema: report.SchemaVersion, Profile: report.Profile{Name: "done"}},
		{Schema: report.SchemaVersion, Profile: report.Profile{Name: "cut"}, Incomplete: true, Error: "starting transient unit: context canceled"},
		{}, // never started
	}
	names := func(recs []report.Record) string {
		var n []string
		for _, r := range recs {
			n = append(n, r.Profile.Name)
		}
		return strings.Join(n, ",")
	}
	if got := names(matrixRecords(context.Background(), records)); got != "done,cut" {
		t.Errorf("not interrupted: %s", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := names(matrixRecords(ctx, records)); got != "done" {
		t.Errorf("interrupted: %s", got)
	}
}
