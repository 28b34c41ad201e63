package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/vagrant"
)

func writeMachine(t *testing.T, out, name string, steps string) {
	t.Helper()
	dir := filepath.Join(out, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"machine.json": `{"machine":"` + name + `","os":"Debian GNU/Linux 13 (trixie)","systemd":"systemd 257","pid1":"systemd"}`,
		"steps.json":   steps,
		"run.json":     `[{"schema":1,"environment":{"systemd_version":"257"},"profile":{"name":"p3test"},"score":{"exposure":9.6,"level":"UNSAFE"}}]`,
	}
	for f, content := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		steps    string
		wantCode int
		wantErr  string
	}{
		{"all steps passed", `[{"step":"test","command":"bash .ci/test","exit":0}]`, 0, "debian13     systemd 257"},
		{"a step failed", `[{"step":"test","command":"bash .ci/test","exit":1}]`, 1, "FAILED test"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			writeMachine(t, out, "debian13", tt.steps)
			target := filepath.Join(t.TempDir(), "comparison.json")
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"-o", target, out}, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantErr, stderr.String())
			}
			b, err := os.ReadFile(target)
			if err != nil {
				t.Fatal(err)
			}
			var c vagrant.Comparison
			if err := json.Unmarshal(b, &c); err != nil {
				t.Fatal(err)
			}
			if len(c.Machines) != 1 || len(c.Profiles) != 1 || c.Profiles[0].ByMachine["debian13"].Exposure != 9.6 {
				t.Errorf("comparison %s", b)
			}
		})
	}
}

func TestRunNamesDifferences(t *testing.T) {
	out := t.TempDir()
	writeMachine(t, out, "debian12", `[]`)
	writeMachine(t, out, "debian13", `[]`)
	run13 := `[{"schema":1,"profile":{"name":"p3test"},"score":{"exposure":9.4,"level":"UNSAFE"},` +
		`"probes":[{"id":"fs.write-usr","verdict":"enforced"}]}]`
	if err := os.WriteFile(filepath.Join(out, "debian13", "run.json"), []byte(run13), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"p3test: exposure: debian12 9.6, debian13 9.4",
		"p3test: verdict:fs.write-usr: debian12 -, debian13 enforced",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestRunUsageAndNothingToMerge(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"a", "b"}, &stdout, &stderr); code != 2 {
		t.Errorf("two directories: exit %d, want 2", code)
	}
	if code := run(context.Background(), []string{t.TempDir()}, &stdout, &stderr); code != 3 {
		t.Errorf("empty directory: exit %d, want 3", code)
	}
}
