package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/vm"
)

// Guest paths of what hardenlab copies into the VM.
const (
	guestBin   = "/usr/local/bin/hardenlab"
	guestProbe = "/usr/local/bin/hardenlab-probe"
	guestInput = "/var/lib/hardenlab-input"
)

// vmJob is hardenlab itself run inside a throwaway VM whose PID 1 is
// systemd: the same command in host mode, with the unit files (and any
// other input) copied in and the JSON result copied out.
type vmJob struct {
	release, stateDir string
	rebuild           bool
	probeBin          string
	inputs            []string // host paths of files the command reads
	args              []string // hardenlab arguments; inputs are referred to by guestPath
	resultName        string   // file the command writes in the results dir
	runTimeout        time.Duration
}

// vmRunTimeout bounds the command in the VM: every profile may take its
// whole --timeout (they run one after another with --service unit), and
// the control runs too; never less than the VM package's default.
func vmRunTimeout(profiles int, perProfile time.Duration) time.Duration {
	return max(vm.DefaultRunTimeout, time.Duration(profiles+1)*perProfile)
}

func guestPath(host string) string {
	return filepath.Join(guestInput, filepath.Base(host))
}

// runInVM runs the job and returns the result file's bytes and what the VM
// was.
func runInVM(ctx context.Context, job vmJob, progress *progress, io stdio) ([]byte, *vm.Outcome, int) {
	self, err := os.Executable()
	if err != nil {
		errorf(io, "finding the hardenlab binary to copy into the VM: %v", err)
		return nil, nil, exitError
	}
	files := map[string]string{guestBin: self, guestProbe: job.probeBin}
	seen := map[string]string{}
	for _, in := range job.inputs {
		g := guestPath(in)
		if other, dup := seen[g]; dup && other != in {
			errorf(io, "%s and %s have the same file name; the VM gets them in one directory", other, in)
			return nil, nil, exitUsage
		}
		seen[g] = in
		files[g] = in
	}
	progress.linef("vm: preparing the %s image (built once, then cached) and booting it with QEMU", job.release)
	out, err := vm.Run(ctx, vm.Config{
		StateDir: job.stateDir, Release: job.release, Rebuild: job.rebuild,
		Files:      files,
		Command:    append([]string{guestBin}, job.args...),
		RunTimeout: job.runTimeout,
		Progress:   progressWriter{progress},
	})
	if err != nil {
		errorf(io, "%v", err)
		return nil, out, exitError
	}
	defer os.RemoveAll(out.Results)
	progress.linef("vm: %s accelerator, kernel %s, systemd %s; image %s, boot %.1f s, run %.1f s",
		out.Accel, out.Kernel, out.SystemdVersion, imageNote(out), out.BootDuration.Seconds(), out.RunDuration.Seconds())
	data, err := os.ReadFile(filepath.Join(out.Results, job.resultName))
	if err != nil {
		errorf(io, "the VM run (exit %d) left no %s: %v", out.ExitStatus, job.resultName, err)
		return nil, out, exitError
	}
	return data, out, out.ExitStatus
}

func imageNote(o *vm.Outcome) string {
	if o.ImageBuilt {
		return fmt.Sprintf("built in %.0f s", o.BuildDuration.Seconds())
	}
	return "cached"
}

// progressWriter turns the VM's streamed lines into progress lines.
type progressWriter struct{ p *progress }

func (w progressWriter) Write(b []byte) (int, error) {
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if strings.TrimSpace(l) != "" {
			w.p.linef("%s", l)
		}
	}
	return len(b), nil
}

// vmEnvironment stamps what the outer hardenlab knows about the VM onto
// records made inside it.
func vmEnvironment(recs []report.Record, o *vm.Outcome) {
	for i := range recs {
		e := &recs[i].Environment
		e.Name = "vm:" + o.Image.Release
		e.Accelerator = o.Accel
		e.AcceleratorReason = o.AccelReason
		if e.Kernel == "" {
			e.Kernel = o.Kernel
		}
	}
}

// runRecordsInVM is `hardenlab run --sandbox vm`.
func runRecordsInVM(ctx context.Context, job vmJob, progress *progress, io stdio) ([]report.Record, int) {
	data, out, code := runInVM(ctx, job, progress, io)
	if data == nil {
		return nil, code
	}
	var recs []report.Record
	if err := json.Unmarshal(data, &recs); err != nil {
		errorf(io, "reading the records from the VM: %v", err)
		return nil, exitError
	}
	vmEnvironment(recs, out)
	return recs, code
}
