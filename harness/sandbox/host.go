package sandbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

func startHost(ctx context.Context, opts Options) (_ *Sandbox, err error) {
	var sb *Sandbox
	if !HostHasSystemd() {
		return nil, fmt.Errorf("%w: PID 1 of this machine is not systemd; use --sandbox nspawn (or auto)", ErrNoSystemd)
	}
	runDir, err := makeRunDir(runBase, opts.RunID, opts.Binaries)
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
	if err := writeOwner(runDir, opts.RunID, 0); err != nil {
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
