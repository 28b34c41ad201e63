package vagrant

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireVagrantRuby skips unless Ruby can load Vagrant's library (Debian's
// vagrant package provides both), or fails under HARDENLAB_REQUIRE_VAGRANT=1.
func requireVagrantRuby(t *testing.T) {
	t.Helper()
	err := exec.Command("ruby", "-e", `require "vagrant"`).Run()
	if err == nil {
		return
	}
	if os.Getenv("HARDENLAB_REQUIRE_VAGRANT") == "1" {
		t.Fatalf("ruby cannot load vagrant: %v", err)
	}
	t.Skipf("ruby cannot load vagrant: %v", err)
}

// The after-up trigger copies what the guest's MANIFEST lists to
// out/<machine>/ on the host, refuses paths that leave that directory, and
// fails the command for a failed step only after copying.
func TestTriggerCopiesReports(t *testing.T) {
	requireVagrantRuby(t)
	tests := []struct {
		name     string
		files    map[string]string // guest out/<machine>/ contents; nil: no MANIFEST
		wantExit int
		wantOut  string
		copied   []string
	}{
		{"all steps passed", map[string]string{
			"MANIFEST":     "machine.json\nsteps.json\nrun.json\nsub/e2e-report.json\n",
			"machine.json": `{}`, "run.json": `[]`, "sub/e2e-report.json": `{}`,
			"steps.json": `[{"step":"run","command":"bash .ci/main","exit":0}]`,
		}, 0, "copied to out/debian13/", []string{"machine.json", "steps.json", "run.json", "sub/e2e-report.json"}},
		{"a step failed", map[string]string{
			"MANIFEST": "steps.json\ntest.log\n", "test.log": "FAIL",
			"steps.json": `[{"step":"test","command":"bash .ci/setup && bash .ci/test","exit":1},{"step":"run","command":"bash .ci/main","exit":0}]`,
		}, 3, "step test (bash .ci/setup && bash .ci/test) exited 1, see out/debian13/test.log", []string{"steps.json", "test.log"}},
		{"path leaving the directory", map[string]string{
			"MANIFEST": "../../etc/passwd\n",
		}, 4, "refusing to copy", nil},
		{"not provisioned", nil, 0, "has no reports to copy", nil},
	}
	vagrantfile := filepath.Join(repoRoot(t), "Vagrantfile")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			guest, host := t.TempDir(), t.TempDir()
			for name, content := range tt.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(guest, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(guest, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "ruby", filepath.Join("testdata", "copy_reports.rb"), vagrantfile, guest, "debian13", host)
			out, err := cmd.CombinedOutput()
			exit := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if exit != tt.wantExit || !strings.Contains(string(out), tt.wantOut) {
				t.Errorf("exit %d, output:\n%s\nwant exit %d and %q", exit, out, tt.wantExit, tt.wantOut)
			}
			for _, f := range tt.copied {
				got, err := os.ReadFile(filepath.Join(host, "out", "debian13", f))
				if err != nil || string(got) != tt.files[f] {
					t.Errorf("%s on the host: %q, %v; want %q", f, got, err, tt.files[f])
				}
			}
			if tt.copied == nil {
				if _, err := os.Stat(filepath.Join(host, "out")); err == nil {
					entries, _ := os.ReadDir(filepath.Join(host, "out", "debian13"))
					if len(entries) > 0 {
						t.Errorf("files were copied: %v", entries)
					}
				}
			}
		})
	}
}
