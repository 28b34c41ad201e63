package suggest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
)

func demoBase(t *testing.T) []directive.Assignment {
	t.Helper()
	var out []directive.Assignment
	for i, l := range []string{"Type=simple", "ExecStart=/usr/bin/python3 -m http.server"} {
		a, err := directive.ParseAssignment(l, directive.Source{File: "demo.service", Line: i + 1})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// Every check the scorer can leave open with a fix is either a row of the
// candidate table or named with the reason it is not proposed; every
// alternative of every row is a valid assignment set.
func TestTableCoversEveryCheck(t *testing.T) {
	for _, v := range score.Versions() {
		sc := Scorer{Base: demoBase(t), DefaultDependencies: true, Options: score.Options{Version: v, UnitName: "demo.service"}}
		res, err := sc.Score()
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Checks {
			if c.Fix == "" {
				continue
			}
			_, skipped := notSuggested()[c.ID]
			if _, ok := rowFor(c.ID); !ok && !skipped {
				t.Errorf("systemd %s: check %s (fix %s) has no candidate row and no reason", v, c.ID, c.Fix)
			}
		}
		needs := Needs{Allow: []Need{{"127.0.0.1", "t"}, {"::1", "t"}}, Writable: []Need{{"/run", "t"}, {"/var/lib/x", "t"}}}
		for _, r := range rows() {
			for i, alt := range r.alternatives {
				for _, n := range []Needs{{}, needs} {
					lines, _ := n.linesWith(r, alt)
					if _, err := sc.Score(Candidate{Directive: r.directive, Lines: lines, Alternative: i}); err != nil {
						t.Errorf("row %s alternative %d: %v", r.directive, i, err)
					}
				}
			}
		}
	}
}

func TestCandidatesOrderedByGain(t *testing.T) {
	sc := Scorer{Base: demoBase(t), DefaultDependencies: true, Options: score.Options{Version: score.Newest(), UnitName: "demo.service"}}
	cands, err := Candidates(sc, DemoNeeds(), nil, func(string) (int, bool) { return 0, true })
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) < 20 {
		t.Fatalf("only %d candidates for a bare unit", len(cands))
	}
	for i := 1; i < len(cands); i++ {
		if cands[i].Gain > cands[i-1].Gain || cands[i].Gain <= 0 {
			t.Errorf("candidate %d %s gain %d after %d", i, cands[i].Directive, cands[i].Gain, cands[i-1].Gain)
		}
	}
	// What is kept is not proposed again.
	again, err := Candidates(sc, DemoNeeds(), cands, func(string) (int, bool) { return 0, true })
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("after keeping all, still proposed: %v", again)
	}
}

// fakeService breaks when any of breaking is set, and reports probe
// verdicts per directive.
type fakeService struct {
	breaking map[string]bool // "Name=value" lines that break it
	verdicts map[string]string
	starts   int
}

func (f *fakeService) trial(_ context.Context, name string, cands []Candidate) (report.Record, error) {
	f.starts++
	rec := report.Record{Profile: report.Profile{Name: name}}
	for _, c := range cands {
		for _, l := range c.Lines {
			if f.breaking[l] {
				rec.Behavior = report.Behavior{Started: false, Result: "exit-code", JournalTail: []string{"", "boom: " + l}}
				return rec, nil
			}
		}
		if v, ok := f.verdicts[c.Directive]; ok {
			rec.Probes = append(rec.Probes, report.ProbeResult{ID: "p." + c.Directive, Directives: []string{c.Directive}, Verdict: v, Detail: "d"})
		}
	}
	rec.Behavior = report.Behavior{Started: true, HTTPStatus: 200}
	return rec, nil
}

func TestSearchBisectsAndFallsBack(t *testing.T) {
	svc := &fakeService{
		breaking: map[string]bool{"PrivateNetwork=yes": true, "DynamicUser=yes": true, "ProtectSystem=strict": true, "ProtectHome=yes": true, "ProtectHome=read-only": true},
		verdicts: map[string]string{"PrivateTmp": "enforced", "LockPersonality": "not-enforced", "ProtectSystem": "enforced"},
	}
	sc := Scorer{Base: demoBase(t), DefaultDependencies: true, Options: score.Options{Version: score.Newest(), UnitName: "demo.service"}}
	s := Search{Trial: svc.trial}
	res, err := s.Run(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Decision{}
	for _, d := range res.Decisions {
		got[d.Directive+"#"+strings.Join(d.Lines, ",")] = d
	}
	want := map[string]string{
		"PrivateNetwork#PrivateNetwork=yes":     "broke-service",
		"ProtectSystem#ProtectSystem=strict":    "broke-service",
		"ProtectSystem#ProtectSystem=full":      "enforced", // the fallback
		"ProtectHome#ProtectHome=yes":           "broke-service",
		"ProtectHome#ProtectHome=read-only":     "broke-service",
		"LockPersonality#LockPersonality=yes":   "not-enforced",
		"PrivateTmp#PrivateTmp=yes":             "enforced",
		"PrivateMounts#PrivateMounts=yes":       "inconclusive",
		"ProtectClock#ProtectClock=yes":         "inconclusive",
		"DynamicUser#DynamicUser=yes":           "broke-service",
		"ProtectHostname#ProtectHostname=yes":   "inconclusive",
		"RestrictRealtime#RestrictRealtime=yes": "inconclusive",
	}
	for k, v := range want {
		if got[k].Verdict != v {
			t.Errorf("%s: verdict %q, want %q (%s)", k, got[k].Verdict, v, got[k].Reason)
		}
	}
	if d := got["PrivateNetwork#PrivateNetwork=yes"]; d.Kept || !strings.Contains(d.Journal, "boom") {
		t.Errorf("PrivateNetwork: kept=%t journal %q", d.Kept, d.Journal)
	}
	for _, c := range res.Kept {
		if c.Directive == "LockPersonality" || c.Directive == "PrivateNetwork" {
			t.Errorf("kept %s", c.Directive)
		}
	}
	// 30-odd candidates with a few breaking ones: fewer starts than one
	// per candidate.
	if n := len(res.Decisions); svc.starts >= n || svc.starts != len(res.Trials) {
		t.Errorf("%d starts for %d decisions (%d logged)", svc.starts, n, len(res.Trials))
	}
}

func TestSearchStopsAtTarget(t *testing.T) {
	svc := &fakeService{}
	sc := Scorer{Base: demoBase(t), DefaultDependencies: true, Options: score.Options{Version: score.Newest(), UnitName: "demo.service"}}
	s := Search{Trial: svc.trial, Target: 50}
	res, err := s.Run(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	r, err := sc.Score(res.Kept...)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := Candidates(sc, DemoNeeds(), nil, func(string) (int, bool) { return 0, true })
	if r.Tenths > 50 || len(res.Kept) >= len(all) || svc.starts != 1 {
		t.Errorf("target 5.0: %d kept of %d, score %d tenths, %d starts", len(res.Kept), len(all), r.Tenths, svc.starts)
	}
}

func TestHealth(t *testing.T) {
	for _, tc := range []struct {
		b    report.Behavior
		err  string
		ok   bool
		want string
	}{
		{report.Behavior{Started: true, HTTPStatus: 200}, "", true, ""},
		{report.Behavior{Started: true, HTTPStatus: 500}, "", false, "HTTP 500"},
		{report.Behavior{Error: "no answer", ActiveState: "failed", Result: "exit-code"}, "", false, "no answer (unit failed/-, result exit-code)"},
		{report.Behavior{Started: true, HTTPStatus: 200}, "stop failed", false, "stop failed"},
		{report.Behavior{Started: true, Outcome: "serves"}, "", true, ""},
		{report.Behavior{Started: true, Outcome: "unreachable", OutcomeDetail: "cut off"}, "", false, "unreachable: cut off"},
		{report.Behavior{Outcome: "exited", OutcomeDetail: "226/NAMESPACE"}, "", false, "exited: 226/NAMESPACE"},
	} {
		ok, why, _ := Health(report.Record{Behavior: tc.b, Error: tc.err})
		if ok != tc.ok || !strings.Contains(why, tc.want) {
			t.Errorf("%+v: ok=%t why %q, want %t %q", tc.b, ok, why, tc.ok, tc.want)
		}
	}
}

func TestHealthJournalLine(t *testing.T) {
	unit := "hardenlab-1-trial-05.service"
	tail := []string{"Starting " + unit + " - x...", `[emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)`, "nginx: configuration file /etc/nginx/nginx.conf test failed",
		unit + ": Control process exited, code=exited, status=1/FAILURE", "Failed to start " + unit + " - x."}
	if _, _, j := Health(report.Record{Unit: unit, Behavior: report.Behavior{Result: "exit-code", JournalTail: tail}}); j != tail[1]+" | "+tail[2] {
		t.Errorf("the service's own last lines: got %q", j)
	}
	if _, _, j := Health(report.Record{Unit: unit, Behavior: report.Behavior{Result: "exit-code", JournalTail: tail[3:]}}); j != tail[4] {
		t.Errorf("only systemd's lines: got %q", j)
	}
}

func TestDropIn(t *testing.T) {
	ds := []Decision{
		{Candidate: Candidate{Directive: "PrivateTmp", Lines: []string{"PrivateTmp=yes"}, Gain: 35}, Kept: true, Reason: "enforced: fs.private-tmp"},
		{Candidate: Candidate{Directive: "PrivateNetwork", Lines: []string{"PrivateNetwork=yes"}, Gain: 44}, Reason: "service broke"},
		{Candidate: Candidate{Directive: "CapabilityBoundingSet", Lines: []string{"CapabilityBoundingSet="}, Gain: 249}, Kept: true, Reason: "enforced:\ncaps"},
	}
	got := DropIn([]string{"head"}, ds)
	want := "# head\n[Service]\n# PrivateTmp (-0.35): enforced: fs.private-tmp\nPrivateTmp=yes\n# CapabilityBoundingSet (-2.49): enforced: caps\nCapabilityBoundingSet=\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// The drop-in parses as unit lines.
	for _, l := range strings.Split(got, "\n") {
		if l == "" || strings.HasPrefix(l, "#") || l == "[Service]" {
			continue
		}
		if _, err := directive.ParseAssignment(l, directive.Source{File: DropInName}); err != nil {
			t.Errorf("%s: %v", l, err)
		}
	}
	if slices.ContainsFunc(strings.Split(got, "\n"), func(l string) bool { return strings.Contains(l, "PrivateNetwork") }) {
		t.Error("a rejected candidate is in the drop-in")
	}
}
