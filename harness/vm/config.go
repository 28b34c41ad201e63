// Package vm boots a throwaway QEMU virtual machine from a cached Debian
// image, with systemd as PID 1 on the guest's own kernel, runs one command in
// it and brings back what the command wrote. It is the sandbox in which no
// verdict needs to be inconclusive: nothing of the host's kernel or container
// setup forbids anything in the control run.
//
// The image (EnsureImage) is built once per release and recipe: debootstrap
// minbase plus systemd, udev, dbus and python3, the Debian cloud kernel and
// its initrd and the fixtures' packaged services (guestServices) installed
// in a chroot, a small boot configuration (no firstboot,
// no getty, a runner unit enabled for multi-user.target), packed with
// mkfs.ext4 -d into a sparse raw disk. The build's own mounts (/proc, /sys in the root)
// live in a private mount namespace; nothing is mounted in the host's.
//
// A run (Run) boots that disk read-only behind a qcow2 overlay, plus a small
// ext4 work disk that carries Files and a generated runner script in and the
// results and exit status out. QEMU runs in its own process group (so a
// terminal's Ctrl-C reaches only us, and we kill all of it), with the serial
// console on its stdout and the command's output on a virtio-serial port; the
// runner's ready line ends the boot deadline and starts the run deadline.
package vm

import (
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Defaults used when a Config field is left at its zero value.
const (
	DefaultStateDir    = "/var/lib/hardenlab"
	DefaultRelease     = "trixie"
	DefaultMemoryMiB   = 2048
	DefaultCPUs        = 2
	DefaultBootTimeout = 10 * time.Minute // TCG boots in ~35 s on an idle 2-core machine, 3.5 min at load 20
	DefaultRunTimeout  = 20 * time.Minute // the command itself; the whole tutorial matrix fits comfortably
)

// GuestResultsDir is where the command writes what should come back to the
// host; it is backed by the per-run work disk.
const GuestResultsDir = "/var/lib/hardenlab-results"

// Config says which image to use and what to run in it.
type Config struct {
	StateDir string // cache root; the image lives under StateDir/vm/<release>-<inputs hash>/
	Release  string // Debian suite or codename
	Rebuild  bool   // build the image again even when a cached one matches
	Accel    string // "auto", "kvm" or "tcg"; see Accel* constants
	Memory   int    // guest memory in MiB
	CPUs     int

	// Files maps a guest path to a host path. Each file is copied, with its
	// mode, into the guest's root before Command runs; the cached image is
	// never changed.
	Files map[string]string

	// Command runs as root in the booted guest, with systemd as PID 1, after
	// multi-user.target, in /, with GuestAccelEnv and GuestResultsEnv set.
	// Its stdout and stderr stream to Progress.
	Command []string

	BootTimeout time.Duration // from starting QEMU to the guest runner starting
	RunTimeout  time.Duration // from the runner starting to the guest powering off

	// Progress receives live, prefixed lines: "vm console| " from the serial
	// console, "vm| " from the command. Nil discards them.
	Progress io.Writer
}

// Outcome is what a run found out.
type Outcome struct {
	Accel          string // accelerator actually used: "kvm" or "tcg"
	AccelReason    string // why, e.g. "kvm self-test failed (...), using tcg"
	Kernel         string // guest `uname -r`
	SystemdVersion string // guest systemd version, e.g. "257"
	Virt           string // guest `systemd-detect-virt`
	ImageDir       string // the cached image that was booted
	ImageBuilt     bool   // whether this run had to build the image
	Image          Manifest

	BuildDuration time.Duration // 0 when the cached image was reused
	BootDuration  time.Duration // QEMU start to the guest runner starting
	RunDuration   time.Duration // runner start to QEMU exiting after poweroff

	ExitStatus int // Command's exit status in the guest

	// Results is a host temp dir holding what the command wrote to
	// GuestResultsDir. The caller removes it.
	Results string
}

// withDefaults fills zero fields; it does not validate.
func (c Config) withDefaults() Config {
	if c.StateDir == "" {
		c.StateDir = DefaultStateDir
	}
	if c.Release == "" {
		c.Release = DefaultRelease
	}
	if c.Accel == "" {
		c.Accel = AccelAuto
	}
	if c.Memory == 0 {
		c.Memory = DefaultMemoryMiB
	}
	if c.CPUs == 0 {
		c.CPUs = DefaultCPUs
	}
	if c.BootTimeout == 0 {
		c.BootTimeout = DefaultBootTimeout
	}
	if c.RunTimeout == 0 {
		c.RunTimeout = DefaultRunTimeout
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	return c
}

// validateImage checks what EnsureImage needs.
func (c Config) validateImage() error {
	if !path.IsAbs(c.StateDir) {
		return fmt.Errorf("vm config: state dir %q must be an absolute path", c.StateDir)
	}
	if c.Release == "" || strings.ContainsAny(c.Release, "/ \t\n") || strings.HasPrefix(c.Release, "-") {
		return fmt.Errorf("vm config: %q is not a Debian release name", c.Release)
	}
	return nil
}

// validateRun checks everything Run needs on top of the image.
func (c Config) validateRun() error {
	if err := c.validateImage(); err != nil {
		return err
	}
	if _, err := parseAccel(c.Accel); err != nil {
		return err
	}
	if c.Memory < 256 {
		return fmt.Errorf("vm config: memory %d MiB is too small for a systemd guest (>= 256)", c.Memory)
	}
	if c.CPUs < 1 {
		return fmt.Errorf("vm config: cpus must be >= 1, got %d", c.CPUs)
	}
	if c.BootTimeout < 0 || c.RunTimeout < 0 {
		return errors.New("vm config: timeouts must not be negative")
	}
	if len(c.Command) == 0 || c.Command[0] == "" {
		return errors.New("vm config: command is empty")
	}
	for guest, host := range c.Files {
		if err := validateGuestPath(guest); err != nil {
			return fmt.Errorf("vm config: file %q -> %q: %w", guest, host, err)
		}
		if host == "" {
			return fmt.Errorf("vm config: file %q has no host path", guest)
		}
	}
	return nil
}

// validateGuestPath refuses paths that would overwrite the runner's own
// plumbing or escape the staging tree.
func validateGuestPath(p string) error {
	if !path.IsAbs(p) {
		return errors.New("guest path must be absolute")
	}
	if path.Clean(p) != p || p == "/" {
		return errors.New("guest path must be clean and name a file")
	}
	for _, reserved := range []string{guestWorkMount, GuestResultsDir, "/proc", "/sys", "/dev"} {
		if p == reserved || strings.HasPrefix(p, reserved+"/") {
			return fmt.Errorf("guest path is under %s, which the runner owns", reserved)
		}
	}
	return nil
}
