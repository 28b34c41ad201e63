package vm

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// consoleTailLines is how much of the serial console an error about a hung
// or failed guest quotes.
const consoleTailLines = 25

// Run ensures the image, boots a throwaway guest from it, runs cfg.Command
// inside with systemd as PID 1, and returns what happened. The guest's disk
// is a qcow2 overlay in a private temp dir; the QEMU process, the overlay and
// the temp dir are gone when Run returns, whether it succeeded, failed, timed
// out or ctx was cancelled. A non-zero exit status of the command is not an
// error: it is reported in Outcome.ExitStatus.
func Run(ctx context.Context, cfg Config) (*Outcome, error) {
	return run(ctx, cfg.withDefaults(), runEnv{})
}

// runEnv holds what tests replace: tool paths (fakes), where temp dirs go,
// and the KVM probe.
type runEnv struct {
	tools   toolPaths
	tempDir string // "" means os.TempDir()
	kvm     kvmProbe
}

func run(ctx context.Context, cfg Config, env runEnv) (out *Outcome, err error) {
	if err := cfg.validateRun(); err != nil {
		return nil, err
	}
	if err := env.tools.check(runTools()); err != nil {
		return nil, err
	}
	progress := &lockedWriter{w: cfg.Progress}

	buildStart := time.Now()
	imageDir, built, err := ensureImage(ctx, cfg, env.tools, progress)
	if err != nil {
		return nil, err
	}
	manifest, err := readManifest(imageDir)
	if err != nil {
		return nil, err
	}
	out = &Outcome{ImageDir: imageDir, ImageBuilt: built, Image: manifest}
	if built {
		out.BuildDuration = time.Since(buildStart)
	}

	kernel := filepath.Join(imageDir, imageKernel)
	probe := env.kvm
	if probe == nil {
		probe = hostKVM{qemu: env.tools.path(toolQemu), kernel: kernel}
	}
	accel, why, err := chooseAccel(ctx, cfg.Accel, probe)
	if err != nil {
		return nil, err
	}
	out.Accel, out.AccelReason = accel, why
	fmt.Fprintf(progress, "vm| accelerator %s: %s\n", accel, why)

	tmp, err := mkdirOwned(env.tempDir, runDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("creating VM run dir: %w", err)
	}
	defer func() {
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			err = fmt.Errorf("removing VM run dir: %w", rmErr)
		}
	}()

	overlay := filepath.Join(tmp, "root.qcow2")
	if _, err := runQuiet(ctx, "creating the VM disk overlay", env.tools.path(toolQemuImg),
		overlayArgs(filepath.Join(imageDir, imageDisk), overlay)...); err != nil {
		return nil, err
	}
	stage := filepath.Join(tmp, "work")
	payload, err := stageWorkDisk(stage, cfg.Files, cfg.Command, accel)
	if err != nil {
		return nil, err
	}
	workDisk := filepath.Join(tmp, "work.img")
	if _, err := runQuiet(ctx, "making the VM work disk", env.tools.path(toolMkfs),
		workDiskMkfsArgs(stage, workDisk, workDiskSize(payload))...); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(stage); err != nil {
		return nil, fmt.Errorf("removing the VM work disk staging dir: %w", err)
	}

	spec := qemuSpec{
		accel: accel, memoryMiB: cfg.Memory, cpus: cfg.CPUs,
		kernel: kernel, initrd: filepath.Join(imageDir, imageInitrd), cmdline: kernelCmdline(),
		rootOverlay: overlay, workDisk: workDisk, progressSock: filepath.Join(tmp, "progress.sock"),
	}
	if err := boot(ctx, cfg, env, spec, progress, out); err != nil {
		return nil, err
	}

	debugfs := env.tools.path(toolDebugfs)
	envText, err := debugfsCat(ctx, debugfs, workDisk, "/"+workEnvFile)
	if err != nil {
		return nil, fmt.Errorf("the guest did not record its environment (it may have failed before the runner started): %w", err)
	}
	genv, err := parseGuestEnv(envText)
	if err != nil {
		return nil, err
	}
	out.Kernel, out.SystemdVersion, out.Virt = genv.kernel, genv.systemdVersion, genv.virt
	if out.Kernel != manifest.Kernel {
		return nil, fmt.Errorf("guest runs kernel %s, but the image was built with %s", out.Kernel, manifest.Kernel)
	}
	statusText, err := debugfsCat(ctx, debugfs, workDisk, "/"+workStatusFile)
	if err != nil {
		return nil, fmt.Errorf("the guest command did not finish (no exit status recorded): %w", err)
	}
	if out.ExitStatus, err = parseExitStatus(statusText); err != nil {
		return nil, err
	}

	dump := filepath.Join(tmp, "dump")
	if err := os.Mkdir(dump, 0o700); err != nil {
		return nil, fmt.Errorf("creating VM results dump dir: %w", err)
	}
	if err := debugfsRdump(ctx, debugfs, workDisk, "/"+workResultsDir, dump); err != nil {
		return nil, err
	}
	results, err := mkdirOwned(env.tempDir, resultsDirPrefix)
	if err != nil {
		return nil, fmt.Errorf("creating VM results dir: %w", err)
	}
	// rename(2) replaces the empty directory MkdirTemp just made (os.Rename
	// refuses any existing directory), so the results land under a fresh,
	// unpredictable name without a second copy.
	if err := syscall.Rename(filepath.Join(dump, workResultsDir), results); err != nil {
		_ = os.RemoveAll(results)
		return nil, fmt.Errorf("moving VM results into place: %w", err)
	}
	out.Results = results
	return out, nil
}

// boot runs QEMU to completion: until the guest powers off, a deadline
// passes, or ctx ends. On every path QEMU has exited when boot returns.
func boot(ctx context.Context, cfg Config, env runEnv, spec qemuSpec, progress io.Writer, out *Outcome) error {
	// Every return below waits for QEMU to exit first, so the thread that
	// started it outlives it.
	defer lockThread()()
	ln, err := net.Listen("unix", spec.progressSock)
	if err != nil {
		return fmt.Errorf("listening for the VM progress port: %w", err)
	}
	defer ln.Close()

	qctx, kill := context.WithCancel(ctx)
	defer kill()
	cmd := groupCommand(qctx, env.tools.path(toolQemu), qemuArgs(spec)...)
	console := newTailBuffer(consoleTailLines)
	var stderr bytes.Buffer
	cmd.Stdin = nil
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("starting QEMU: %w", err)
	}
	cmd.Stderr = &stderr

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting QEMU: %w", err)
	}
	consoleDone := make(chan struct{})
	go func() {
		defer close(consoleDone)
		copyLines(stdout, "vm console| ", progress, console)
	}()
	ready := make(chan struct{})
	progressDone := make(chan struct{})
	go func() {
		defer close(progressDone)
		acceptProgress(qctx, ln, progress, ready)
	}()
	exited := make(chan error, 1)
	go func() {
		// Wait closes stdout, so the console is drained first. The progress
		// connection reaches EOF by itself once QEMU is gone; closing the
		// listener ends an Accept that never got a connection.
		<-consoleDone
		err := cmd.Wait()
		_ = ln.Close()
		<-progressDone
		exited <- err
	}()

	hung := func(phase string, limit time.Duration) error {
		kill()
		<-exited
		return fmt.Errorf("guest hung: %s within %s; QEMU killed. Last console lines:\n%s", phase, limit, console.String())
	}
	stop := func(cause error) error {
		kill()
		<-exited
		return fmt.Errorf("VM run stopped: %w", cause)
	}
	exitErr := func(err error) error {
		if err != nil {
			return fmt.Errorf("QEMU failed: %w: %s\nLast console lines:\n%s", err, strings.TrimSpace(stderr.String()), console.String())
		}
		return nil
	}

	bootTimer := time.NewTimer(cfg.BootTimeout)
	defer bootTimer.Stop()
	select {
	case <-ready:
		out.BootDuration = time.Since(start)
	case err := <-exited:
		out.BootDuration = time.Since(start)
		if err := exitErr(err); err != nil {
			return err
		}
		return fmt.Errorf("guest powered off before the runner started. Last console lines:\n%s", console.String())
	case <-bootTimer.C:
		return hung("the runner did not start", cfg.BootTimeout)
	case <-ctx.Done():
		return stop(ctx.Err())
	}

	runStart := time.Now()
	runTimer := time.NewTimer(cfg.RunTimeout)
	defer runTimer.Stop()
	select {
	case err := <-exited:
		out.RunDuration = time.Since(runStart)
		return exitErr(err)
	case <-runTimer.C:
		return hung("the command did not finish and power off", cfg.RunTimeout)
	case <-ctx.Done():
		return stop(ctx.Err())
	}
}

// acceptProgress takes QEMU's connection to the progress socket, copies the
// runner's lines to progress, and closes ready at the ready line.
func acceptProgress(ctx context.Context, ln net.Listener, progress io.Writer, ready chan<- struct{}) {
	stopAccept := context.AfterFunc(ctx, func() { _ = ln.Close() })
	defer stopAccept()
	conn, err := ln.Accept()
	if err != nil {
		return // QEMU never connected; its exit or the deadline reports why
	}
	defer conn.Close()
	stopRead := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stopRead()
	r := bufio.NewReader(conn)
	signalled := false
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			trimmed := strings.TrimRight(line, "\r\n")
			if !signalled && trimmed == readyLine {
				signalled = true
				close(ready)
			} else {
				fmt.Fprintf(progress, "vm| %s\n", trimmed)
			}
		}
		if err != nil {
			return
		}
	}
}

// copyLines copies r to w line by line with a prefix, also keeping the tail.
func copyLines(r io.Reader, prefix string, w io.Writer, keep *tailBuffer) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line != "" {
			trimmed := stripANSI(strings.TrimRight(line, "\r\n"))
			keep.add(trimmed)
			fmt.Fprintf(w, "%s%s\n", prefix, trimmed)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				keep.add("(console read error: " + err.Error() + ")")
			}
			return
		}
	}
}

// lockedWriter serializes writes from the console and progress copiers so
// lines never interleave mid-line.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// tailBuffer keeps the last n lines written to it.
type tailBuffer struct {
	mu    sync.Mutex
	n     int
	lines []string
}

func newTailBuffer(n int) *tailBuffer { return &tailBuffer{n: n} }

func (t *tailBuffer) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > t.n {
		t.lines = t.lines[len(t.lines)-t.n:]
	}
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// stripANSI drops terminal escape sequences (systemd colors its console
// status lines), so progress and error messages stay plain text.
func stripANSI(s string) string {
	if !strings.Contains(s, "\x1b") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 0x1b {
			b.WriteByte(s[i])
			continue
		}
		// CSI: ESC [ parameters... final byte in 0x40..0x7e.
		if i+1 < len(s) && s[i+1] == '[' {
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		i++ // two-byte escape
	}
	return b.String()
}
