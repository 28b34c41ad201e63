package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/hardenlab/hardenlab/harness/sandbox"
)

const sandboxUsage = `Usage: hardenlab sandbox [--sandbox auto|host|nspawn] [--root DIR] [--json]

Boots the systemd hardenlab would use, reports what it is (systemd version,
virtualization, kernel, cgroup mode, how the container was started and how
long it took to reach "running"), and tears it down again.

Use it to check a machine before a long run, or to see the exact
systemd-nspawn command line hardenlab uses.

Examples:
  hardenlab sandbox
  hardenlab sandbox --root $(hardenlab rootfs path debian:trixie) --json

Exit status: 0 booted and torn down; 2 bad usage; 3 no usable systemd
(the reason is on stderr).
`

func cmdSandbox(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.Usage = func() { fmt.Fprint(io.err, sandboxUsage) }
	kindFlag := fs.String("sandbox", "auto", "where systemd comes from: auto, host or nspawn")
	root := fs.String("root", "", "directory tree to boot with nspawn (default: the host's root)")
	asJSON := fs.Bool("json", false, "print the environment as JSON")
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	if fs.NArg() != 0 {
		errorf(io, "sandbox takes no arguments")
		return exitUsage
	}
	kind, err := sandbox.ParseKind(*kindFlag)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	sb, err := sandbox.Start(ctx, sandbox.Options{Kind: kind, RunID: newRunID(), Root: *root})
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	env := sb.Env
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := sb.Close(cctx); err != nil {
		errorf(io, "tearing down the sandbox: %v", err)
		return exitError
	}
	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(env); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		return exitOK
	}
	fmt.Fprintf(io.out, "sandbox         %s\n", env.Sandbox)
	fmt.Fprintf(io.out, "systemd         %s\n", env.SystemdVersion)
	fmt.Fprintf(io.out, "virtualization  %s\n", env.Virtualization)
	fmt.Fprintf(io.out, "kernel          %s\n", env.Kernel)
	fmt.Fprintf(io.out, "cgroup mode     %s\n", env.CgroupMode)
	fmt.Fprintf(io.out, "manager CapBnd  %s\n", env.ManagerCapBnd)
	if env.BootMillis > 0 {
		fmt.Fprintf(io.out, "boot to running %.0f ms\n", env.BootMillis)
	}
	if len(env.NspawnArgs) > 0 {
		fmt.Fprintf(io.out, "started with    %v %v\n", env.NspawnEnv, env.NspawnArgs)
	}
	return exitOK
}
