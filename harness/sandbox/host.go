package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

func startHost(ctx context.Context, opts Options) (_ *Sandbox, err error) {
	var sb *Sandbox
	if !HostHasSystemd() {
		return nil, fmt.Errorf("%w: PID 1 of this machine is not systemd; use --sandbox nspawn (or auto)", ErrNoSystemd)
	}
	runDir, err := makeRunDir(runBase, opts.RunID, nil)
	if err != nil {
		return nil, fmt.Errorf("preparing run directories: %w", err)
	}
	sb = &Sandbox{
		Kind:       Host,
		BinDir:     filepath.Join(runDir, "bin"),
		OutDir:     filepath.Join(runDir, "out"),
		HostOutDir: filepath.Join(runDir, "out"),
		hostDir:    runDir,
	}
	defer func() {
		if err != nil && sb != nil {
			_ = sb.Close(context.Background())
		}
	}()
	// Debian's initramfs mounts /run noexec, and so do hardened hosts: the
	// probe binary then goes where it can be executed.
	binDir := sb.BinDir
	if noexec(runBase) {
		binDir = filepath.Join(execBase, opts.RunID, "bin")
		if err := os.MkdirAll(binDir, 0o755); err != nil {
			return nil, fmt.Errorf("preparing the binary directory: %w", err)
		}
		for _, d := range []string{execBase, filepath.Dir(binDir), binDir} {
			if err := os.Chmod(d, 0o755); err != nil {
				return nil, err
			}
		}
		sb.extraDir = filepath.Dir(binDir)
		if noexec(binDir) {
			return nil, fmt.Errorf("%w: both %s and %s are mounted noexec; the probe binary cannot run from either", ErrNoSystemd, runBase, execBase)
		}
		sb.BinDir = binDir
	}
	for name, src := range opts.Binaries {
		if err := copyExecutable(src, filepath.Join(binDir, name)); err != nil {
			return nil, err
		}
	}
	if err := writeOwner(runDir, opts.RunID, 0, sb.extraDir); err != nil {
		return nil, err
	}
	sb.BusAddress = "unix:path=/run/dbus/system_bus_socket"
	if _, err := os.Stat("/run/dbus/system_bus_socket"); err != nil {
		sb.BusAddress = "unix:path=/run/systemd/private"
	}
	if err := sb.describe(ctx, "/"); err != nil {
		return nil, err
	}
	return sb, nil
}

// execBase holds probe binaries when /run is mounted noexec.
const execBase = "/var/lib/hardenlab/run"

func noexec(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Flags&unix.ST_NOEXEC != 0
}
