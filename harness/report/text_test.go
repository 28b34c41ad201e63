package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/profile"
)

func TestWriteTextSaysWhoScored(t *testing.T) {
	for _, tc := range []struct {
		score Score
		want  string
	}{
		{Score{Exposure: 4.9, Level: "OK", Source: "systemd-analyze", Ours: &OwnScore{Exposure: 4.9, Level: "OK", Version: "252"}},
			"4.9 OK (systemd-analyze security, online); hardenlab's scorer: 4.9 OK"},
		{Score{Exposure: 9.2, Level: "UNSAFE", Source: "hardenlab", Ours: &OwnScore{Exposure: 9.2, Level: "UNSAFE", Version: "252"}},
			"9.2 UNSAFE (hardenlab's scorer, online, systemd 252 semantics)"},
	} {
		var b strings.Builder
		WriteText(&b, Record{Profile: Profile{Name: "p"}, Score: tc.score})
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("source %s: text lacks %q:\n%s", tc.score.Source, tc.want, b.String())
		}
	}
}

// A verdict this version does not know is printed as it is, never dropped.
func TestTextKeepsUnknownVerdicts(t *testing.T) {
	probes := []ProbeResult{{ID: "a", Verdict: "enforced"}, {ID: "b", Verdict: "from-the-future"}, {ID: "c", Verdict: "enforced"}}
	var rec strings.Builder
	WriteText(&rec, Record{Profile: Profile{Name: "p"}, Probes: probes})
	if want := "2 enforced, 1 from-the-future"; !strings.Contains(rec.String(), want) {
		t.Errorf("record text lacks %q:\n%s", want, rec.String())
	}
	var mat strings.Builder
	WriteMatrixText(&mat, Matrix{
		Records:     []Record{{Profile: Profile{Name: "control", Kind: profile.Control}}},
		Attribution: []Attribution{{Directive: "PrivateTmp", Verdicts: map[string]string{"a": "from-the-future", "b": "inconclusive"}}},
	})
	if want := "1 inconclusive, 1 from-the-future"; !strings.Contains(mat.String(), want) {
		t.Errorf("matrix text lacks %q:\n%s", want, mat.String())
	}
}

// A restart loop's journal is one line per kind, not one per restart.
func TestCollapseJournal(t *testing.T) {
	var lines []string
	for i := 2; i <= 4; i++ {
		lines = append(lines, "x.service: Main process exited, code=exited, status=217/USER",
			fmt.Sprintf("x.service: Scheduled restart job, restart counter is at %d.", i))
	}
	lines = append(lines, "x.service: Start request repeated too quickly.")
	got := strings.Join(collapseJournal(lines), "\n")
	want := "x.service: Main process exited, code=exited, status=217/USER (3 times)\n" +
		"x.service: Scheduled restart job, restart counter is at 4. (3 times)\n" +
		"x.service: Start request repeated too quickly."
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// A packaged unit's User= missing from the volatile root gets a hint
// naming the cause and the way out; the overlay root view gets none.
func TestVolatileUserHint(t *testing.T) {
	rec := Record{Behavior: Behavior{Outcome: "exited", ExitStatusName: "217/USER", ExecMainStatus: 217}}
	for view, want := range map[string]string{"volatile": "hint       status 217/USER: the unit's User= is not in this sandbox's /etc", "overlay": ""} {
		rec.Environment.RootView = view
		var b strings.Builder
		WriteText(&b, rec)
		if got := strings.Contains(b.String(), "hint "); got != (want != "") || !strings.Contains(b.String(), want) {
			t.Errorf("%s:\n%s", view, b.String())
		}
	}
}

func TestDemoExecHint(t *testing.T) {
	for _, tc := range []struct {
		service, status string
		hint            bool
	}{
		{"demo", "203/EXEC", true},
		{"unit", "203/EXEC", false},
		{"demo", "226/NAMESPACE", false},
	} {
		rec := Record{Behavior: Behavior{Outcome: "exited", Service: tc.service, ExitStatusName: tc.status, Command: []string{"/usr/bin/python3"}}}
		var b strings.Builder
		WriteText(&b, rec)
		if got := strings.Contains(b.String(), "hint       status 203/EXEC: the demo (/usr/bin/python3)"); got != tc.hint {
			t.Errorf("%s %s: hint %v, want %v:\n%s", tc.service, tc.status, got, tc.hint, b.String())
		}
	}
}
