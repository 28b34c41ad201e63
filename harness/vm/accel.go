package vm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Accelerator choices. KVM is many times faster, but on some hosts /dev/kvm
// exists and guests still hang right after the kernel is decompressed, so
// "auto" proves KVM works before trusting it.
const (
	AccelAuto = "auto"
	AccelKVM  = "kvm"
	AccelTCG  = "tcg"
)

// kvmSelfTestTimeout bounds the KVM self-test. Under working KVM the kernel
// reaches its "no root" panic in about a second.
const kvmSelfTestTimeout = 8 * time.Second

// kvmSelfTestMarker is printed by any Linux kernel that got far enough to
// run C code in long mode and set up the serial console.
const kvmSelfTestMarker = "Linux version "

func parseAccel(s string) (string, error) {
	switch s {
	case AccelAuto, AccelKVM, AccelTCG:
		return s, nil
	}
	return "", fmt.Errorf("vm config: accelerator %q is not one of %s, %s, %s", s, AccelAuto, AccelKVM, AccelTCG)
}

// kvmProbe is what chooseAccel needs to know about the host; an interface so
// the decision table can be tested without KVM.
type kvmProbe interface {
	deviceUsable() error
	selfTest(ctx context.Context) error
}

// chooseAccel turns the requested accelerator into the one to use, with a
// note saying why (recorded in the outcome's progress).
func chooseAccel(ctx context.Context, requested string, probe kvmProbe) (accel string, why string, err error) {
	switch requested {
	case AccelTCG:
		return AccelTCG, "tcg requested", nil
	case AccelKVM, AccelAuto:
	default:
		_, err := parseAccel(requested)
		return "", "", err
	}
	if err := probe.deviceUsable(); err != nil {
		if requested == AccelKVM {
			return "", "", fmt.Errorf("kvm requested but unusable: %w", err)
		}
		return AccelTCG, "kvm unusable (" + err.Error() + "), using tcg", nil
	}
	if err := probe.selfTest(ctx); err != nil {
		if requested == AccelKVM {
			return "", "", fmt.Errorf("kvm requested but its self-test failed: %w", err)
		}
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return AccelTCG, "kvm self-test failed (" + err.Error() + "), using tcg", nil
	}
	return AccelKVM, "kvm self-test passed", nil
}

// hostKVM probes the real /dev/kvm by booting the image's kernel without a
// root: it either prints its banner and panics (KVM works; -no-reboot makes
// QEMU exit) or hangs, which the timeout catches.
type hostKVM struct {
	qemu    string
	kernel  string
	timeout time.Duration // 0 means kvmSelfTestTimeout
}

func (h hostKVM) deviceUsable() error {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

func (h hostKVM) selfTest(ctx context.Context) error {
	defer lockThread()()
	limit := h.timeout
	if limit == 0 {
		limit = kvmSelfTestTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := groupCommand(ctx, h.qemu, kvmSelfTestArgs(h.kernel)...)
	// QEMU pauses a guest KVM could not run instead of exiting, so the
	// test ends as soon as the output decides it, not at the timeout.
	out := &decidingWriter{decided: cancel}
	cmd.Stdout = out
	cmd.Stderr = out
	err := cmd.Run()
	text := out.String()
	switch {
	case strings.Contains(text, kvmSelfTestMarker):
		return nil
	case strings.Contains(text, kvmInternalError):
		return fmt.Errorf("KVM could not run the guest kernel (%s)", lineWith(text, kvmInternalError))
	case ctx.Err() != nil:
		return fmt.Errorf("guest kernel printed nothing within %s", limit)
	case err != nil:
		return fmt.Errorf("%w: %s", err, tail(text, 3))
	}
	return fmt.Errorf("guest kernel exited without its banner: %s", tail(text, 3))
}

// kvmInternalError is what QEMU prints when KVM cannot execute the guest,
// e.g. an instruction its emulator lacks (a KVM that runs only guest
// kernels built for it, such as PVM, fails the stock kernel this way).
const kvmInternalError = "KVM internal error"

// decidingWriter keeps the self-test's output and calls decided once it
// shows either outcome.
type decidingWriter struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	decided func()
}

func (w *decidingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if s := w.buf.String(); strings.Contains(s, kvmSelfTestMarker) || strings.Contains(s, kvmInternalError) {
		w.decided()
	}
	return len(p), nil
}

func (w *decidingWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// lineWith is the first line of text that contains s, trimmed.
func lineWith(text, s string) string {
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, s) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func kvmSelfTestArgs(kernel string) []string {
	return []string{
		"-accel", AccelKVM, "-cpu", "host", "-m", "256", "-smp", "1", // same CPU model as a real KVM run
		"-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio", "-no-reboot",
		"-kernel", kernel, "-append", "console=ttyS0 panic=-1",
	}
}
