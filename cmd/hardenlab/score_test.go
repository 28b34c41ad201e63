package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runScore(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	code = cmdScore(context.Background(), args, stdio{out: &o, err: &e})
	return code, o.String(), e.String()
}

const (
	scoreBaseline = "../../fixtures/p3test.service"
	scoreHardened = "../../fixtures/p3test-hardened.service"
)

// The tutorial's numbers: 9.6 and 4.9 for the running units, 5.1 for the
// hardened file under systemd-analyze 252 --offline=true.
func TestScoreTutorialUnits(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--systemd-version", "252", scoreBaseline, scoreHardened}, []string{"p3test.service: 9.6 UNSAFE", "p3test-hardened.service: 4.9 OK"}},
		{[]string{"--systemd-version", "252", "--offline", scoreHardened}, []string{"p3test-hardened.service: 5.1 MEDIUM", "PrivateMounts="}},
		{[]string{"--systemd-version", "257", "--offline", scoreBaseline}, []string{"p3test.service: 9.4 UNSAFE"}},
	} {
		code, out, errOut := runScore(t, tc.args...)
		if code != exitOK {
			t.Errorf("%v: exit %d, stderr %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

func TestScoreJSON(t *testing.T) {
	code, out, errOut := runScore(t, "--json", "--systemd-version", "252", scoreBaseline)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []struct {
		Path     string            `json:"path"`
		Exposure float64           `json:"exposure"`
		Level    string            `json:"level"`
		Checks   []json.RawMessage `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 1 || got[0].Path != scoreBaseline || got[0].Exposure != 9.6 || got[0].Level != "UNSAFE" || len(got[0].Checks) != 81 {
		t.Errorf("got %+v", got)
	}
}

// systemd-analyze's threshold semantics: tenths, fail when above.
func TestScoreThreshold(t *testing.T) {
	for _, tc := range []struct {
		threshold string
		want      int
	}{{"96", exitOK}, {"95", exitFindings}, {"100", exitOK}, {"101", exitUsage}, {"-1", exitUsage}, {"5.0", exitUsage}} {
		code, _, _ := runScore(t, "--systemd-version", "252", "--threshold", tc.threshold, scoreBaseline)
		if code != tc.want {
			t.Errorf("--threshold %s: exit %d, want %d", tc.threshold, code, tc.want)
		}
	}
}

// Every bad file is reported on its own with its name; the good one is
// still scored; the exit status says some file failed.
func TestScoreBadInput(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.service")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#"), 10<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, _ := filepath.Glob("../../fixtures/score/bad/*.service")
	if len(bad) < 6 {
		t.Fatalf("bad-input fixtures missing: %v", bad)
	}
	args := append(append([]string{"--systemd-version", "252"}, bad...), big, scoreBaseline, filepath.Join(t.TempDir(), "missing.service"))
	code, out, errOut := runScore(t, args...)
	if code != exitError {
		t.Errorf("exit %d, want %d", code, exitError)
	}
	if !strings.Contains(out, "p3test.service: 9.6 UNSAFE") {
		t.Errorf("the good file was not scored:\n%s", out)
	}
	for _, p := range append(bad, big, "missing.service") {
		if !strings.Contains(errOut, filepath.Base(p)) {
			t.Errorf("no error names %s:\n%s", p, errOut)
		}
	}
	if strings.Contains(errOut, "panic") {
		t.Errorf("panic:\n%s", errOut)
	}
}

func TestScorePolicies(t *testing.T) {
	dir := "../../fixtures/score/policies"
	code, out, _ := runScore(t, "--systemd-version", "252", "--offline", "--security-policy", filepath.Join(dir, "example.policy"), scoreBaseline)
	if code != exitOK || !strings.Contains(out, "9.1 UNSAFE") {
		t.Errorf("example policy: exit %d\n%s", code, out)
	}
	for _, p := range []string{"range-zero.policy", "range-below-badness.policy", "not-object.policy", "syntax-error.policy", "absent.policy"} {
		code, _, errOut := runScore(t, "--security-policy", filepath.Join(dir, p), scoreBaseline)
		if code != exitUsage || !strings.Contains(errOut, p) {
			t.Errorf("%s: exit %d, stderr %q", p, code, errOut)
		}
	}
}

func TestScoreUsage(t *testing.T) {
	if code, _, errOut := runScore(t, "--help"); code != exitOK || !strings.Contains(errOut, "--offline") {
		t.Errorf("--help: exit %d\n%s", code, errOut)
	}
	if code, _, _ := runScore(t); code != exitUsage {
		t.Errorf("no files: exit %d", code)
	}
	if code, _, errOut := runScore(t, "--systemd-version", "249", scoreBaseline); code != exitUsage || !strings.Contains(errOut, "252") {
		t.Errorf("unmodelled version: exit %d, %s", code, errOut)
	}
}
