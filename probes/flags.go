package probes

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// ParseFlags reads the flags shared by "run" and the hidden "child"
// sub-command; it returns the remaining positional arguments.
func ParseFlags(cmd string, args []string, stderr io.Writer) (Options, []string, error) {
	var o Options
	var only string
	fs := flag.NewFlagSet("hardenlab-probe "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&only, "only", "", "comma-separated probe ids to run (default: all)")
	fs.StringVar(&o.TCPTarget, "tcp-target", "", "loopback TCP listener HOST:PORT for the reachability probe")
	fs.StringVar(&o.ReadOnlyPath, "ro-path", "", "a path the profile lists in ReadOnlyPaths=")
	fs.StringVar(&o.ReadWritePath, "rw-path", "", "a path the profile lists in ReadWritePaths=")
	fs.StringVar(&o.HiddenPath, "hidden-path", "", "a path the profile lists in InaccessiblePaths=")
	fs.BoolVar(&o.SkipDestructiveCheck, "skip-destructive-check", false, "do not snapshot host state before and after the probes")
	fs.BoolVar(&o.SkipPreflight, "skip-preflight", false, "do not probe the environment (bpf, modules, user namespaces): the harness takes it once, in the control run")
	fs.DurationVar(&o.Timeout, "timeout", DefaultTimeout, "time limit of one probe")
	fs.IntVar(&o.Parallel, "parallel", 1, "probe children run at a time")
	fs.BoolVar(&o.IsolateAll, "isolate-all", false, "run every probe in its own child, also the read-only ones that otherwise run in process")
	fs.StringVar(&o.Scratch, "scratch", "", "scratch dir (set by run for its children)")
	if err := fs.Parse(args); err != nil {
		return Options{}, nil, fmt.Errorf("parsing %s flags: %w", cmd, err)
	}
	if only != "" {
		for _, id := range strings.Split(only, ",") {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if _, ok := Find(id); !ok {
				return Options{}, nil, fmt.Errorf("--only: unknown probe id %q (see \"hardenlab probes\")", id)
			}
			o.Only = append(o.Only, id)
		}
	}
	if o.Parallel < 0 {
		return Options{}, nil, fmt.Errorf("--parallel must not be negative, got %d", o.Parallel)
	}
	if o.Timeout <= 0 {
		return Options{}, nil, fmt.Errorf("--timeout must be positive, got %s", o.Timeout)
	}
	return o, fs.Args(), nil
}

// childArgs renders the options a child needs back into flags.
func (o Options) childArgs() []string {
	var args []string
	add := func(name, v string) {
		if v != "" {
			args = append(args, "--"+name, v)
		}
	}
	add("tcp-target", o.TCPTarget)
	add("ro-path", o.ReadOnlyPath)
	add("rw-path", o.ReadWritePath)
	add("hidden-path", o.HiddenPath)
	add("scratch", o.Scratch)
	return args
}

func (o Options) timeout() time.Duration {
	if o.Timeout <= 0 {
		return DefaultTimeout
	}
	return o.Timeout
}

// ParseSyscallFlags reads the flags of the "syscalls" sub-command.
func ParseSyscallFlags(args []string, stderr io.Writer) (SyscallOptions, error) {
	var o SyscallOptions
	var calls string
	fs := flag.NewFlagSet("hardenlab-probe syscalls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&calls, "calls", "", "comma-separated system call names to make harmlessly (required)")
	fs.DurationVar(&o.Timeout, "call-timeout", DefaultCallTimeout, "time limit of one call")
	fs.IntVar(&o.PerChild, "per-child", 0, "calls one child makes at most (0: as many as it survives)")
	if err := fs.Parse(args); err != nil {
		return SyscallOptions{}, fmt.Errorf("parsing syscalls flags: %w", err)
	}
	if fs.NArg() > 0 {
		return SyscallOptions{}, fmt.Errorf("syscalls: unexpected arguments %q", fs.Args())
	}
	list, err := ParseCalls(calls)
	if err != nil {
		return SyscallOptions{}, err
	}
	if o.Timeout <= 0 {
		return SyscallOptions{}, fmt.Errorf("--call-timeout must be positive, got %s", o.Timeout)
	}
	if o.PerChild < 0 {
		return SyscallOptions{}, fmt.Errorf("--per-child must not be negative, got %d", o.PerChild)
	}
	o.Calls = list
	return o, nil
}
