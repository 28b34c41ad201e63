package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

const gcUsage = `Usage: hardenlab gc [--dry-run]

Removes what crashed hardenlab runs left behind: their containers, their
run directories under /run/hardenlab, and (when the host runs systemd)
their hardenlab-<run>-* units. A run counts as dead when the process that
owns it is gone; units and containers of live runs are never touched, and
nothing that is not hardenlab's is ever touched.

Every hardenlab run also does this at start-up.
`

func cmdGC(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("gc", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() { fmt.Fprint(io.err, gcUsage); fs.PrintDefaults() }
	dry := fs.Bool("dry-run", false, "only list what would be removed")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		return exitUsage
	}
	n, err := collectGarbage(ctx, *dry, func(format string, a ...any) {
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

// collectGarbage cleans dead runs and says what it did.
func collectGarbage(ctx context.Context, dry bool, say func(string, ...any)) (int, error) {
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
