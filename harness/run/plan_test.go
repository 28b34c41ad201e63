package run

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
)

// testSetup is a runner's setup whose sandbox is a temporary directory
// holding the demo's interpreter.
func testSetup(t *testing.T, opts Options) planSetup {
	t.Helper()
	root := t.TempDir()
	python := filepath.Join(root, "usr", "bin", "python3")
	if err := os.MkdirAll(filepath.Dir(python), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(python, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	if opts.Timeout == 0 {
		opts.Timeout, opts.ReadyTimeout = 30*time.Second, 15*time.Second
	}
	return planSetup{
		runID: "t1", systemd: "252.39-1~deb12u2", binDir: "/run/hl/bin", outDir: "/run/hl/out", hostOut: "/host/out",
		hostPath:  func(p string) string { return filepath.Join(root, p) },
		tcpTarget: "127.0.0.1:9", freePort: func() (int, error) { return 4242, nil }, opts: opts,
	}
}

func property(props []sdbus.Property, name string) (any, bool) {
	for _, p := range props {
		if p.Name == name {
			return p.Value.Value(), true
		}
	}
	return nil, false
}

func TestPlanOfADeclaredProfile(t *testing.T) {
	p := profileOf(t, "ProtectSystem=strict", "ReadWritePaths=/var/lib/x", "Description=mine")
	pl, err := testSetup(t, Options{}).plan(p, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	argv := []string{"/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "4242"}
	if pl.unit != "hardenlab-t1-p.service" || pl.port != 4242 || !slices.Equal(pl.argv, argv) || pl.served != "/" {
		t.Errorf("service: unit %s port %d argv %v served %s", pl.unit, pl.port, pl.argv, pl.served)
	}
	if d, _ := property(pl.service, "Description"); d != "hardenlab run t1 profile p" {
		t.Errorf("the service's description is %v, want hardenlab's", d)
	}
	if _, ok := property(pl.service, "TimeoutStopUSec"); !ok {
		t.Error("the service's stop is not bounded")
	}
	if got := pl.readback.ExecStart; len(got) != 1 || !slices.Equal(got[0], argv) {
		t.Errorf("read-back expects ExecStart %v, want the demo's", got)
	}
	pp := pl.probe
	// bypass.bus-connect goes around ProtectSystem=: it runs beside the
	// directive's own probes.
	ids := []string{"fs.write-usr", "fs.write-etc", "fs.write-var", "fs.write-rw-path", "bypass.bus-connect"}
	if !pp.enabled || pp.scope != "declared" || !slices.Equal(pp.ids, ids) || pp.unit != "hardenlab-t1-p-probe.service" {
		t.Errorf("probe plan: enabled %v scope %s ids %v unit %s", pp.enabled, pp.scope, pp.ids, pp.unit)
	}
	wantArgv := []string{"/run/hl/bin/hardenlab-probe", "run", "--tcp-target", "127.0.0.1:9",
		"--skip-preflight", "--only", strings.Join(ids, ","), "--rw-path", "/var/lib/x"}
	if !slices.Equal(pp.argv, wantArgv) {
		t.Errorf("probe argv\n got %v\nwant %v", pp.argv, wantArgv)
	}
	if pp.unitOut != "/run/hl/out/hardenlab-t1-p-probe.service.json" || pp.hostOut != "/host/out/hardenlab-t1-p-probe.service.json" {
		t.Errorf("probe output %s / %s", pp.unitOut, pp.hostOut)
	}
	for name, want := range map[string]any{"Type": "oneshot", "StandardOutputFileToAppend": pp.unitOut, "JoinsNamespaceOf": []string{pl.unit}} {
		got, ok := property(pp.props, name)
		if !ok || !equalValue(got, want) {
			t.Errorf("probe unit %s = %v, want %v", name, got, want)
		}
	}
	if _, ok := property(pp.props, "ProtectSystem"); !ok {
		t.Error("the probe unit lacks the profile's own properties")
	}
}

func equalValue(a, b any) bool {
	if as, ok := a.([]string); ok {
		bs, ok := b.([]string)
		return ok && slices.Equal(as, bs)
	}
	return a == b
}

func TestPlanOfTheControlRunsEveryProbe(t *testing.T) {
	ctl, err := controlProfile()
	if err != nil {
		t.Fatal(err)
	}
	pl, err := testSetup(t, Options{}).plan(ctl, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pl.probe.scope != "all" || pl.probe.ids != nil || slices.Contains(pl.probe.argv, "--only") || slices.Contains(pl.probe.argv, "--skip-preflight") {
		t.Errorf("control probe plan: scope %s ids %v argv %v", pl.probe.scope, pl.probe.ids, pl.probe.argv)
	}
	if len(pl.probe.claims) != 0 {
		t.Errorf("the control declares no hardening, yet gets verdicts for %v", pl.probe.claims)
	}
}

func TestPlanWithoutProbes(t *testing.T) {
	p := profileOf(t, "ExecStart=/usr/bin/python3 -m http.server")
	pl, err := testSetup(t, Options{}).plan(p, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !pl.probe.enabled || pl.probe.argv != nil || pl.probe.scope != "declared" {
		t.Errorf("nothing to evidence: enabled %v argv %v scope %s, want no probe unit", pl.probe.enabled, pl.probe.argv, pl.probe.scope)
	}
	pl, err = testSetup(t, Options{SkipProbes: true}).plan(profileOf(t, "PrivateTmp=yes"), false, nil)
	if err != nil || pl.probe.enabled {
		t.Errorf("SkipProbes: enabled %v, %v", pl.probe.enabled, err)
	}
}

func TestPlanPicksTheScorer(t *testing.T) {
	for _, tc := range []struct {
		systemd, kind string
		policy        AnalyzePolicy
		analyze       bool
	}{
		{"252.39-1~deb12u2", profile.Single, "", false},
		{"252.39-1~deb12u2", profile.Full, "", true},
		{"257.13-1", profile.Ladder, AnalyzeAll, true},
		{"", profile.Single, AnalyzeNone, true}, // unknown systemd: only it can say
	} {
		s := testSetup(t, Options{Analyze: tc.policy})
		s.systemd = tc.systemd
		p := profileOf(t, "PrivateTmp=yes")
		p.Kind = tc.kind
		pl, err := s.plan(p, false, nil)
		if err != nil {
			t.Fatal(err)
		}
		if pl.score.analyze != tc.analyze {
			t.Errorf("systemd %q, kind %q, policy %q: analyze %v, want %v", tc.systemd, tc.kind, tc.policy, pl.score.analyze, tc.analyze)
		}
		if pl.score.unit != "hardenlab-t1-p-score.service" {
			t.Errorf("score unit %s", pl.score.unit)
		}
	}
}

// A plan that cannot be made starts nothing and says why; what it decided
// before the error is kept for the record.
func TestPlanErrors(t *testing.T) {
	s := testSetup(t, Options{})
	s.freePort = func() (int, error) { return 0, errors.New("no port") }
	if _, err := s.plan(profileOf(t, "PrivateTmp=yes"), false, nil); err == nil || err.Error() != "no port" {
		t.Errorf("free port failure: %v", err)
	}
	s = testSetup(t, Options{})
	if _, err := s.plan(profileOf(t, "ExecStart=/opt/none/python3 -m http.server"), false, nil); err == nil || !strings.Contains(err.Error(), "/opt/none/python3") {
		t.Errorf("missing interpreter: %v", err)
	}
	var newer directive.Spec
	for _, spec := range directive.Specs() {
		if spec.Since > 0 && spec.Name != "ExecStart" {
			newer = spec
			break
		}
	}
	s.systemd = "200"
	pl, err := s.plan(profileOf(t, "ExecStart=/usr/bin/python3 -V", newer.Name+"="+newer.Example), false, nil)
	var re *RefusalError
	if !errors.As(err, &re) || re.Directive != newer.Name {
		t.Errorf("%s under systemd 200: %v, want a refusal", newer.Name, err)
	}
	if !strings.Contains(pl.note, "is not the demo service") || pl.argv != nil {
		t.Errorf("refused plan: note %q argv %v; want the note kept and no command", pl.note, pl.argv)
	}
}
