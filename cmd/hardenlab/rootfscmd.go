package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/hardenlab/hardenlab/harness/rootfs"
)

const rootfsUsage = `Usage: hardenlab rootfs build [--rebuild] [--state-dir DIR] debian:SUITE
       hardenlab rootfs path [--state-dir DIR] debian:SUITE

Builds (with debootstrap, from Debian's mirror) and caches a root file
system with systemd, D-Bus and python3, so that "hardenlab matrix --env
host-root,debian:SUITE" can run the same profiles under another systemd
version side by side: debian:trixie has systemd 257, the host (Debian 12)
252. A cached root is reused; --rebuild makes it again. "path" prints where
the cached root is.

Flags (after the subcommand):
  --rebuild          build: discard the cached root and build it again
  --state-dir DIR    where built roots are cached (default /var/lib/hardenlab)

Examples:
  hardenlab rootfs build debian:trixie
  hardenlab matrix --env host-root,debian:trixie fixtures/p3test-hardened.service
  hardenlab score --offline --root $(hardenlab rootfs path debian:trixie) --all

Exit status: 0 built (or found); 1 path: the root is not built; 2 bad
usage; 3 the build failed.
`

func cmdRootfs(ctx context.Context, args []string, io stdio) int {
	if len(args) == 0 {
		fmt.Fprint(io.err, rootfsUsage)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(io.out, rootfsUsage)
		return exitOK
	}
	sub := args[0]
	fs := flag.NewFlagSet("rootfs "+sub, flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() { fmt.Fprint(io.err, rootfsUsage) }
	rebuild := fs.Bool("rebuild", false, "discard the cached root and build it again")
	stateDir := fs.String("state-dir", rootfs.DefaultStateDir, "where built roots are cached")
	if code, ok := parseFlags(fs, args[1:], io); !ok {
		return code
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return exitUsage
	}
	envs, err := parseEnvs(fs.Arg(0), "")
	if err != nil || envs[0].suite == "" {
		errorf(io, "want debian:SUITE, e.g. debian:trixie")
		return exitUsage
	}
	spec := envs[0].spec()
	switch sub {
	case "build":
		spec.Rebuild = *rebuild
		t := time.Now()
		dir, err := rootfs.Build(ctx, spec, *stateDir)
		if err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		fmt.Fprintf(io.out, "%s\n", dir)
		noticef(io, "%s ready in %.1f s", fs.Arg(0), time.Since(t).Seconds())
		return exitOK
	case "path":
		dir, _, err := rootfs.Lookup(spec, *stateDir)
		if err != nil {
			errorf(io, "%s is not built: %v", fs.Arg(0), err)
			hintf(io, "hardenlab rootfs build %s", fs.Arg(0))
			return exitFindings
		}
		fmt.Fprintln(io.out, dir)
		return exitOK
	}
	errorf(io, "unknown rootfs command %q (want build or path)", sub)
	return exitUsage
}
