package findings

import (
	"errors"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
)

func tutorialMatrix(t *testing.T) report.Matrix {
	t.Helper()
	m, err := baseline.Load("../report/testdata/matrix-p3test-hardened.json")
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRulesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if r.ID == "" || r.Name == "" || r.Title == "" || r.Help == "" {
			t.Errorf("rule %+v has an empty field", r)
		}
		if seen[r.ID] || seen[r.Name] {
			t.Errorf("rule %s or %s listed twice", r.ID, r.Name)
		}
		seen[r.ID], seen[r.Name] = true, true
		switch r.Level {
		case Error, Warning, Note:
		default:
			t.Errorf("rule %s: level %q", r.ID, r.Level)
		}
	}
	for _, id := range []string{NotEnforced, Lint, OverThreshold, EffectiveOverThreshold, Regression, BrokeService, Bypass, Refused} {
		if !seen[id] {
			t.Errorf("rule id %s has no row", id)
		}
	}
}

// The tutorial unit's two known weaknesses land on their own lines:
// IPAddressAllow= without a deny (line 20) and a RestrictNamespaces=
// allow-list that allows what it names (line 14).
func TestTutorialFindingsOnTheirLines(t *testing.T) {
	fs := FromMatrix(tutorialMatrix(t), nil)
	want := map[string]int{"IPAddressAllow": 20, "RestrictNamespaces": 14}
	got := map[string]map[string]bool{}
	for _, f := range fs {
		if f.File != "fixtures/p3test-hardened.service" {
			t.Errorf("finding %+v: file %q", f, f.File)
		}
		if line, ok := want[f.Directive]; ok && f.Line != line {
			t.Errorf("finding %s on %s: line %d, want %d", f.Rule, f.Directive, f.Line, line)
		}
		if got[f.Directive] == nil {
			got[f.Directive] = map[string]bool{}
		}
		got[f.Directive][f.Rule] = true
	}
	for d := range want {
		if !got[d][NotEnforced] || !got[d][Lint] {
			t.Errorf("%s: want a not-enforced and a lint finding, got %v", d, got[d])
		}
	}
	if len(got) != 2 {
		t.Errorf("findings about %v, want only IPAddressAllow and RestrictNamespaces", got)
	}
}

// A not-enforced pair shows in dozens of profiles of an "all" matrix; it
// is one finding, taken from the unit as written.
func TestNotEnforcedOncePerPair(t *testing.T) {
	m := tutorialMatrix(t)
	seen := map[string]bool{}
	n := 0
	for _, f := range notEnforced(m) {
		k := f.Environment + f.Directive + f.Probe
		if seen[k] {
			t.Errorf("pair %s reported twice", k)
		}
		seen[k] = true
		n++
		// An "all" matrix keeps no separate full profile: the ladder's
		// last step is the unit as written.
		if f.Profile != "ladder-16-ProtectKernelLogs" {
			t.Errorf("%s from profile %s, want the ladder's last step", k, f.Profile)
		}
	}
	if n != 6 {
		t.Errorf("%d not-enforced findings, want 6 (the five allowed namespace types and the IP allow-list)", n)
	}
}

func TestBrokeServiceAndRegressions(t *testing.T) {
	m := tutorialMatrix(t)
	full := -1
	for i := range m.Records {
		if baseline.AsWritten(m, &m.Records[i]) {
			full = i
		}
	}
	m.Records[full].Behavior.Started = false
	m.Records[full].Behavior.Result = "exit-code"
	m.Records[full].Behavior.JournalTail = []string{"p3test: Failed to set up mount namespacing: Permission denied"}
	regs := []baseline.Regression{
		{Kind: baseline.VerdictLost, Profile: "ladder-16-ProtectKernelLogs", Directive: "ProtectClock", Probe: "sys.clock-set", Was: "enforced", Now: "not run", Message: "lost"},
		{Kind: baseline.OverThreshold, Profile: "full", Was: "5.0", Now: "5.1", Message: "above"},
	}
	var broke, lost, over *Finding
	fs := FromMatrix(m, regs)
	for i := range fs {
		switch f := &fs[i]; {
		case f.Rule == BrokeService:
			broke = f
		case f.Rule == Regression:
			lost = f
		case f.Rule == OverThreshold:
			over = f
		}
	}
	if broke == nil || broke.Line != 0 || broke.File == "" {
		t.Fatalf("broke-service finding %+v", broke)
	}
	if lost == nil || lost.Line != 23 {
		t.Errorf("lost verdict of ProtectClock= (line 23): %+v", lost)
	}
	if over == nil || over.Line != 0 {
		t.Errorf("over-threshold regression: %+v", over)
	}
}

// A bypass that worked under the unit as written is a finding on the line
// of each directive it goes around; one that did not work, or that only
// ran in another profile, is none.
func TestBypassFindings(t *testing.T) {
	m := tutorialMatrix(t)
	full := -1
	for i := range m.Records {
		if baseline.AsWritten(m, &m.Records[i]) {
			full = i
		}
	}
	m.Records[full].Bypasses = []report.Bypass{
		{ID: "bypass.read-implies-exec", Directives: []string{"LockPersonality"}, Outcome: "allowed", Control: "allowed", Works: true, Detail: "mapped"},
		{ID: "bypass.bus-connect", Directives: []string{"ProtectSystem"}, Outcome: "blocked", Control: "allowed", Detail: "noexec"},
	}
	var got []Finding
	for _, f := range FromMatrix(m, nil) {
		if f.Rule == Bypass {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].Probe != "bypass.read-implies-exec" || got[0].Directive != "LockPersonality" || got[0].Line != 21 {
		t.Errorf("bypass findings %+v, want one for read-implies-exec on LockPersonality= (line 21)", got)
	}
}

// An effective-threshold regression is its own rule; a service cut off
// from the host but serving inside its sandbox is not broken.
func TestEffectiveRuleAndUnreachable(t *testing.T) {
	m := tutorialMatrix(t)
	for i := range m.Records {
		if baseline.AsWritten(m, &m.Records[i]) {
			b := &m.Records[i].Behavior
			b.Started, b.HTTPStatus, b.Outcome = false, 0, "unreachable"
		}
	}
	regs := []baseline.Regression{{Kind: baseline.EffectiveOverThreshold, Profile: "full", Was: "at most 5.0", Now: "5.6 MEDIUM", Message: "above"}}
	var eff int
	for _, f := range FromMatrix(m, regs) {
		switch f.Rule {
		case BrokeService:
			t.Errorf("an unreachable service reported broken: %+v", f)
		case EffectiveOverThreshold:
			eff++
		}
	}
	if eff != 1 {
		t.Errorf("%d %s findings, want 1", eff, EffectiveOverThreshold)
	}
}

func TestFromScore(t *testing.T) {
	if fs := FromScore("u.service", 50, "OK", 50); len(fs) != 0 {
		t.Errorf("at the threshold: %v", fs)
	}
	fs := FromScore("u.service", 51, "MEDIUM", 50)
	if len(fs) != 1 || fs[0].Rule != OverThreshold || fs[0].Message != "exposure 5.1 MEDIUM is above the threshold 5.0" {
		t.Errorf("above the threshold: %+v", fs)
	}
}

func TestSplitSource(t *testing.T) {
	for _, c := range []struct {
		in   string
		file string
		line int
		ok   bool
	}{
		{"a/b.service:12", "a/b.service", 12, true},
		{"/x:y.service:3", "/x:y.service", 3, true},
		{"-p", "", 0, false},
		{"a.service:0", "", 0, false},
		{":4", "", 0, false},
	} {
		f, l, ok := splitSource(c.in)
		if f != c.file || l != c.line || ok != c.ok {
			t.Errorf("splitSource(%q) = %q %d %v", c.in, f, l, ok)
		}
	}
}

// A refused unit is a finding at each bad line, or at the file.
func TestFromRefused(t *testing.T) {
	_, err := directive.Parse(strings.NewReader("[Service]\nProtectSystem=sideways\nFrobnicate=1\n"), "bad.service")
	if err == nil {
		t.Fatal("parsed")
	}
	got := FromRefused("bad.service", err)
	if len(got) != 2 || got[0].Line != 2 || got[0].Directive != "ProtectSystem" || got[1].Line != 3 || got[1].File != "bad.service" || got[0].Rule != Refused {
		t.Errorf("findings %+v", got)
	}
	whole := FromRefused("gone.service", errors.New("open gone.service: no such file"))
	if len(whole) != 1 || whole[0].File != "gone.service" || whole[0].Line != 0 || whole[0].Message != "open gone.service: no such file" {
		t.Errorf("findings %+v", whole)
	}
}

// A profile that could not be handed to systemd is refused, not a
// service that broke under its hardening.
func TestRunThatNeverStartedIsRefused(t *testing.T) {
	r := report.Record{Profile: report.Profile{Name: "chrony", Kind: profile.Full}, Error: "ExecStart=/usr/sbin/chronyd: no such executable in the sandbox"}
	got := brokeService("chrony.service", &r)
	if len(got) != 1 || got[0].Rule != Refused || !strings.Contains(got[0].Message, "profile chrony could not run in this environment: ExecStart=/usr/sbin/chronyd") {
		t.Errorf("findings %+v", got)
	}
}
