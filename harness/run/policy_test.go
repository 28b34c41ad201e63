package run

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

func TestParseAnalyzePolicy(t *testing.T) {
	for _, p := range AnalyzePolicies() {
		got, err := ParseAnalyzePolicy(string(p))
		if err != nil || got != p {
			t.Errorf("ParseAnalyzePolicy(%q) = %q, %v", p, got, err)
		}
	}
	if _, err := ParseAnalyzePolicy("some"); err == nil {
		t.Error("an unknown policy must be refused")
	}
}

func TestWantsAnalyze(t *testing.T) {
	for _, tc := range []struct {
		policy AnalyzePolicy
		kind   string
		want   bool
	}{
		{"", "", true}, // a run's unit file
		{"", profile.Full, true},
		{"", profile.Single, false},
		{"", profile.Control, false},
		{AnalyzeUnit, profile.Ladder, false},
		{AnalyzeAll, profile.Ladder, true},
		{AnalyzeAll, profile.Control, true},
		{AnalyzeNone, profile.Full, false},
		{AnalyzeNone, "", false},
	} {
		if got := wantsAnalyze(tc.policy, Profile{Kind: tc.kind}); got != tc.want {
			t.Errorf("policy %q, kind %q: wantsAnalyze = %v, want %v", tc.policy, tc.kind, got, tc.want)
		}
	}
}

func TestDeclaredClaims(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		want  []string
	}{
		{[]string{"ExecStart=/usr/bin/python3 -m http.server"}, nil},
		{[]string{"ProtectSystem=strict"}, []string{"fs.write-usr", "fs.write-etc", "fs.write-var"}},
		{[]string{"IPAddressAllow=localhost"}, []string{"net.connect-target"}},
		{[]string{"PrivateTmp=yes", "LockPersonality=yes"}, []string{"fs.private-tmp", "sys.personality"}},
	} {
		var got []string
		for _, c := range declaredClaims(profileOf(t, tc.lines...).Settings, score.Newest()) {
			got = append(got, c.id)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%v: declaredClaims = %v, want %v", tc.lines, got, tc.want)
		}
	}
	// Everything selected is a registry probe, judged for exactly its
	// declared directives.
	s := profileOf(t, "RestrictNamespaces=yes", "User=nobody").Settings
	for _, c := range declaredClaims(s, score.Newest()) {
		p, ok := probes.Find(c.id)
		if !ok {
			t.Fatalf("%s is not in the registry", c.id)
		}
		var declared []string
		for _, d := range p.Directives() {
			if s.Set(d) {
				declared = append(declared, d)
			}
		}
		if len(declared) == 0 || !reflect.DeepEqual(declared, c.directives) {
			t.Errorf("%s evidences %v, judged for %v", c.id, p.Directives(), c.directives)
		}
	}
}

func TestWeightRunsTheControlAndTheBiggestProfilesFirst(t *testing.T) {
	ctl := Profile{Kind: profile.Control}
	full := Profile{Kind: profile.Full, Assignments: make([]directive.Assignment, 17)}
	single := Profile{Kind: profile.Single, Assignments: make([]directive.Assignment, 2)}
	if !(weight(ctl) > weight(full) && weight(full) > weight(single)) {
		t.Errorf("weights: control %d, full %d, single %d", weight(ctl), weight(full), weight(single))
	}
}

func TestCPUTime(t *testing.T) {
	if got := cpuTime("/proc/self"); got <= 0 {
		t.Errorf("cpuTime(/proc/self) = %v, want > 0", got)
	}
	dir := t.TempDir()
	if got := cpuTime(dir); got != 0 {
		t.Errorf("no schedstat: cpuTime = %v, want 0", got)
	}
	if err := os.WriteFile(filepath.Join(dir, "schedstat"), []byte("1500000 20 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := cpuTime(dir); got != 1500*time.Microsecond {
		t.Errorf("cpuTime = %v, want 1.5ms", got)
	}
}
