package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/rootfs"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
	"github.com/hardenlab/hardenlab/harness/vm"
)

const gcUsage = `Usage: hardenlab gc [--dry-run] [--state-dir DIR]

Removes what crashed hardenlab runs left behind: their containers, their
run directories under /run/hardenlab, (when the host runs systemd) their
hardenlab-<run>-* units, the temp directories of VM runs
(hardenlab-vm-*) and partial VM image builds under the state dir. A run
counts as dead when the process that owns it is gone; units, containers
and directories of live runs are never touched, and nothing that is not
hardenlab's is ever touched.

Every hardenlab run also does this at start-up.

Examples:
  hardenlab gc --dry-run
  hardenlab gc

Exit status: 0 cleaned (or nothing to clean); 2 bad usage; 3 something
could not be removed (named on stderr).

Flags:
`

func cmdGC(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("gc", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() { fmt.Fprint(io.err, gcUsage); fs.PrintDefaults() }
	dry := fs.Bool("dry-run", false, "only list what would be removed")
	stateDir := fs.String("state-dir", rootfs.DefaultStateDir, "where VM images are cached (partial builds are looked for there)")
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	n, err := collectGarbageAt(ctx, gcRoots{stateDir: *stateDir}, *dry, func(format string, a ...any) {
		fmt.Fprintf(io.out, format+"\n", a...)
	})
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	if n == 0 {
		fmt.Fprintln(io.out, "nothing to clean")
	}
	return exitOK
}

// collectGarbage cleans dead runs and says what it did. Runs call it at
// start-up with the default places.
func collectGarbage(ctx context.Context, dry bool, say func(string, ...any)) (int, error) {
	return collectGarbageAt(ctx, gcRoots{stateDir: rootfs.DefaultStateDir}, dry, say)
}

// gcRoots are where VM runs and image builds leave directories; "" means
// the default (os.TempDir for tempDir).
type gcRoots struct {
	tempDir, stateDir string
}

func collectGarbageAt(ctx context.Context, roots gcRoots, dry bool, say func(string, ...any)) (int, error) {
	n, runErr := collectRuns(ctx, dry, say)
	m, vmErr := collectVMDirs(roots, dry, say)
	return n + m, errors.Join(runErr, vmErr)
}

// collectVMDirs removes the temp and build directories of dead VM runs;
// their QEMU and debootstrap died with them (parent-death signal).
func collectVMDirs(roots gcRoots, dry bool, say func(string, ...any)) (int, error) {
	debris, err := vm.FindDebris(roots.tempDir, roots.stateDir)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, d := range debris {
		verb := "removing"
		if dry {
			verb = "would remove"
		}
		say("%s dead VM run's directory %s (pid %d)", verb, d.Dir, d.Owner.PID)
		if !dry {
			errs = append(errs, d.Clean())
		}
	}
	return len(debris), errors.Join(errs...)
}

// collectRuns cleans dead runs' containers, units and run directories.
func collectRuns(ctx context.Context, dry bool, say func(string, ...any)) (int, error) {
	debris, err := sandbox.FindDebris()
	if err != nil {
		return 0, err
	}
	debris = append(debris, sandbox.OrphanContainers()...)
	var sd *systemd.Client
	if sandbox.HostHasSystemd() && len(debris) > 0 {
		if c, err := systemd.Dial(ctx, "unix:path=/run/dbus/system_bus_socket"); err == nil {
			sd = c
			defer c.Close()
		}
	}
	var errs []string
	for _, d := range debris {
		verb := "removing"
		if dry {
			verb = "would remove"
		}
		say("%s dead run %s (dir %s, container pid %d)", verb, d.RunID, d.Dir, d.NspawnPID)
		if dry {
			continue
		}
		if sd != nil {
			units, err := sd.OwnUnits(ctx, systemd.UnitPrefix+d.RunID+"-")
			if err == nil {
				for _, u := range units {
					say("  stopping %s", u.Name)
					if err := sd.Stop(ctx, u.Name); err != nil {
						errs = append(errs, err.Error())
					}
				}
			}
		}
		if err := d.Clean(ctx); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return len(debris), fmt.Errorf("cleaning up: %s", strings.Join(errs, "; "))
	}
	return len(debris), nil
}
