// Package sandbox finds or makes the real systemd that hardenlab drives: the
// host's own when PID 1 is systemd, otherwise a throwaway one booted with
// systemd-nspawn. Either way the caller gets a bus address, a place to put
// the probe binary that units can execute, and a place where systemd writes
// results that the host can read.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Kind names where systemd comes from.
type Kind string

const (
	Auto   Kind = "auto"
	Host   Kind = "host"
	Nspawn Kind = "nspawn"
	// VM is a throwaway QEMU virtual machine; hardenlab runs itself inside
	// it in host mode (see harness/vm), so Start never sees it.
	VM Kind = "vm"
)

// ParseKind validates a --sandbox value.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case Auto, Host, Nspawn, VM:
		return k, nil
	}
	return "", fmt.Errorf("unknown sandbox %q: want auto, host, nspawn or vm", s)
}

// Options say how to get a systemd.
type Options struct {
	Kind  Kind
	RunID string // unique per hardenlab run; names the container and dirs
	// Root is the directory tree nspawn boots; "" or "/" is the host's root.
	Root string
	// Binaries are files (host paths) to expose read-only inside the
	// sandbox under BinDir, keyed by their base name there.
	Binaries map[string]string
	// BootTimeout bounds the container's way to "running".
	BootTimeout time.Duration
	// RootView is what nspawn boots Root as; "" is Volatile. Host mode
	// has no view: the host's own root is what its systemd sees.
	RootView RootView
}

// Environment describes the systemd under test, for the record.
type Environment struct {
	// Name identifies the environment in cross-environment reports, e.g.
	// "host-root" or "debian:trixie".
	Name           string `json:"name"`
	Sandbox        Kind   `json:"sandbox"`
	SystemdVersion string `json:"systemd_version"`
	Virtualization string `json:"virtualization"`
	Kernel         string `json:"kernel"`
	CgroupMode     string `json:"cgroup_mode"`
	ManagerCapBnd  string `json:"manager_capability_bounding_set"`
	Root           string `json:"root"`
	// RootView is how nspawn showed Root to the container (volatile or
	// overlay); empty in host mode.
	RootView   RootView `json:"root_view,omitempty"`
	BootMillis float64  `json:"boot_ms,omitempty"`
	NspawnArgs []string `json:"nspawn_args,omitempty"`
	NspawnEnv  []string `json:"nspawn_env,omitempty"`
	// Accelerator is set for records made in a QEMU VM: kvm or tcg, and why.
	Accelerator       string `json:"accelerator,omitempty"`
	AcceleratorReason string `json:"accelerator_reason,omitempty"`
}

// Sandbox is a running systemd that hardenlab may start units in.
type Sandbox struct {
	Kind Kind
	// BusAddress reaches the manager over D-Bus from the host.
	BusAddress string
	// BinDir is the path, as units see it, where Binaries are.
	BinDir string
	// OutDir is the path, as units see it, of a directory that systemd can
	// write unit output to (StandardOutputFile=) and the host can read.
	OutDir string
	// HostOutDir is OutDir as seen from the host.
	HostOutDir string
	Env        Environment

	leader  int    // container's PID 1 as seen from the host; 0 in host mode
	hostDir string // per-run directory on the host, removed by Close
	// extraDir is a second per-run directory (binaries, when /run is
	// noexec), removed by Close.
	extraDir string
	stop     func(ctx context.Context) error
}

// ErrNoSystemd is returned when no usable systemd can be had.
var ErrNoSystemd = errors.New("no usable systemd")

// Start returns a sandbox for opts.Kind, booting a container if needed.
func Start(ctx context.Context, opts Options) (*Sandbox, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("%w: hardenlab must run as root to start units (try: sudo hardenlab ...)", ErrNoSystemd)
	}
	if opts.RunID == "" {
		return nil, errors.New("starting sandbox: empty run id")
	}
	kind := ResolveKind(opts.Kind, opts.Root)
	switch kind {
	case Host:
		if opts.Root != "" && opts.Root != "/" {
			return nil, fmt.Errorf("sandbox host cannot boot another root (%s): use --sandbox nspawn", opts.Root)
		}
		return startHost(ctx, opts)
	case Nspawn:
		return startNspawn(ctx, opts)
	case VM:
		return nil, errors.New("the vm sandbox runs hardenlab inside a VM; it is not started here")
	}
	return nil, fmt.Errorf("unknown sandbox kind %q", kind)
}

// ResolveKind is the sandbox Auto (or no kind) stands for with this root:
// the host's own systemd when PID 1 is one and the root is the host's,
// else an nspawn container.
func ResolveKind(kind Kind, root string) Kind {
	if kind != "" && kind != Auto {
		return kind
	}
	if HostHasSystemd() && (root == "" || root == "/") {
		return Host
	}
	return Nspawn
}

// HostHasSystemd says whether PID 1 of this machine is a running systemd.
func HostHasSystemd() bool {
	// sd_booted()'s test: systemd creates this directory at boot.
	fi, err := os.Stat("/run/systemd/system")
	if err != nil || !fi.IsDir() {
		return false
	}
	comm, err := os.ReadFile("/proc/1/comm")
	return err == nil && strings.TrimSpace(string(comm)) == "systemd"
}

// HostPath maps a path as units see it to the same file seen from the host.
func (s *Sandbox) HostPath(p string) string {
	if s.leader == 0 {
		return p
	}
	return filepath.Join(fmt.Sprintf("/proc/%d/root", s.leader), p)
}

// ProcPath is the host path of /proc/<pid> for a PID as systemd in the
// sandbox reports it.
func (s *Sandbox) ProcPath(pid uint32) string {
	return s.HostPath(fmt.Sprintf("/proc/%d", pid))
}

// Leader is the host PID of the container's init, 0 in host mode.
func (s *Sandbox) Leader() int { return s.leader }

// Close tears the sandbox down and removes its directories. It is safe to
// call more than once.
func (s *Sandbox) Close(ctx context.Context) error {
	var errs []error
	if s.stop != nil {
		errs = append(errs, s.stop(ctx))
		s.stop = nil
	}
	if s.hostDir != "" {
		if err := unmountOverlay(s.hostDir); err != nil {
			// Never remove a tree that may still show the root.
			return errors.Join(append(errs, err)...)
		}
		if err := os.RemoveAll(s.hostDir); err != nil {
			errs = append(errs, fmt.Errorf("removing %s: %w", s.hostDir, err))
		}
		s.hostDir = ""
	}
	if s.extraDir != "" {
		if err := os.RemoveAll(s.extraDir); err != nil {
			errs = append(errs, fmt.Errorf("removing %s: %w", s.extraDir, err))
		}
		s.extraDir = ""
	}
	return errors.Join(errs...)
}

// makeRunDir creates the per-run host directory: 0755 so that a unit's
// non-root user can traverse to the binaries, with out/ 0700 because only
// systemd (root) writes there. Existing paths are never reused, so a
// planted symlink cannot redirect us.
func makeRunDir(base, runID string, binaries map[string]string) (dir string, err error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", fmt.Errorf("creating %s: %w", base, err)
	}
	dir = filepath.Join(base, runID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating run directory: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	// Mkdir honours the umask; the modes matter, so set them explicitly.
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	for _, sub := range []struct {
		name string
		mode os.FileMode
	}{{"bin", 0o755}, {"out", 0o700}} {
		p := filepath.Join(dir, sub.name)
		if err := os.Mkdir(p, sub.mode); err != nil {
			return "", fmt.Errorf("creating %s: %w", p, err)
		}
		if err := os.Chmod(p, sub.mode); err != nil {
			return "", err
		}
	}
	for name, src := range binaries {
		if err := copyExecutable(src, filepath.Join(dir, "bin", name)); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func copyExecutable(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading binary %s: %w", src, err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		return fmt.Errorf("creating %s: %w", dst, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	if err := f.Chmod(0o755); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
