// Command hardenlab tells whether systemd hardening directives really hold:
// it starts a demo service as transient units with each directive set, runs
// probes inside the same sandbox, and records the exposure score next to
// what the kernel actually enforced.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// stdio carries the streams a command writes to, so that commands can be
// tested without touching the process's own.
type stdio struct {
	out io.Writer
	err io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, io stdio) int
}

// commands is the CLI's table; each entry lives in its own file.
func commands() []command {
	return []command{
		{"run", "start units from unit files in a real systemd, probe them, record score and behavior", cmdRun},
		{"matrix", "generate profiles from a unit (ladder, single, leave-one-out) and credit each directive", cmdMatrix},
		{"check", "CI gate: rerun a unit's matrix and fail on regressions against a stored baseline", cmdCheck},
		{"suggest", "find the strongest hardening the service still works under, proven by probes; a drop-in", cmdSuggest},
		{"score", "compute the exposure score of unit files offline, like systemd-analyze security", cmdScore},
		{"sweep", "run, probe and score every service unit of a directory, one row each; sharded for CI", cmdSweep},
		{"merge", "join the documents of a sharded sweep into one", cmdMerge},
		{"probes", "list the probe registry: what each probe attempts and which directive it evidences", cmdProbes},
		{"rootfs", "build and cache a Debian root (another systemd version) for --env debian:SUITE", cmdRootfs},
		{"sandbox", "boot the sandbox hardenlab would use, report what it is and how long it took, tear it down", cmdSandbox},
		{"bench", "time hardenlab's matrix against a naive systemd-run/systemd-analyze shell loop", cmdBench},
		{"gc", "remove units, containers and temp dirs left behind by crashed hardenlab runs", cmdGC},
	}
}

const usageHead = `hardenlab - prove that systemd hardening directives hold

Usage:
  hardenlab COMMAND [flags] [args]

Commands:
`

const usageTail = `
Run "hardenlab COMMAND -h" (or "hardenlab help COMMAND") for a command's
flags, examples and exit status.

Exit status: 0 fine; 1 findings (a regression, a threshold exceeded, a
profile that could not run); 2 bad usage or input, nothing was started;
3 no usable systemd or another setup failure; 130/143 interrupted by
SIGINT/SIGTERM (partial results are written and marked incomplete).

hardenlab needs root and a running systemd. When PID 1 is not systemd it
boots a throwaway one with systemd-nspawn (Debian package systemd-container).
`

// commandNames lists the commands for an error message.
func commandNames() string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return strings.Join(names, ", ")
}

func usage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, usageTail)
}

// exit codes shared by all commands.
const (
	exitOK       = 0
	exitFindings = 1 // the command ran; what it found fails the gate
	exitUsage    = 2 // bad flags or arguments
	exitError    = 3 // the command could not do its job
)

func main() {
	os.Exit(realMain(os.Args[1:], stdio{out: os.Stdout, err: os.Stderr}))
}

func realMain(args []string, io stdio) int {
	if len(args) == 0 {
		usage(io.err)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(io.out)
		return exitOK
	case "help":
		// "hardenlab help run" is "hardenlab run -h", as in git and go.
		if len(args) == 1 {
			usage(io.out)
			return exitOK
		}
		args = []string{args[1], "-h"}
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if s, ok := <-sigs; ok {
			fmt.Fprintf(io.err, "\nhardenlab: %v: stopping units and cleaning up (partial results are kept)\n", s)
			cancel(interrupted{s})
		}
	}()
	for _, c := range commands() {
		if c.name == args[0] {
			code := c.run(ctx, args[1:], io)
			if code == exitOK || code == exitFindings {
				return code
			}
			if errors.Is(ctx.Err(), context.Canceled) {
				return interruptedExit(ctx)
			}
			return code
		}
	}
	errorf(io, "unknown command %q", args[0])
	hintf(io, "the commands are %s; hardenlab --help explains them", commandNames())
	return exitUsage
}

// interrupted is the cancel cause of a run stopped by a signal.
type interrupted struct{ sig os.Signal }

func (i interrupted) Error() string { return "interrupted by " + i.sig.String() }

// interruptedExit maps the signal that cancelled the run to the shell's
// 128+N convention, so callers can tell an interrupt from a failure.
func interruptedExit(ctx context.Context) int {
	var i interrupted
	if errors.As(context.Cause(ctx), &i) {
		if s, ok := i.sig.(syscall.Signal); ok {
			return 128 + int(s)
		}
	}
	return 130
}

func errorf(io stdio, format string, a ...any) {
	fmt.Fprintf(io.err, "hardenlab: error: "+format+"\n", a...)
}

func noticef(io stdio, format string, a ...any) {
	fmt.Fprintf(io.err, "hardenlab: "+format+"\n", a...)
}

func hintf(io stdio, format string, a ...any) {
	fmt.Fprintf(io.err, "hardenlab: hint: "+format+"\n", a...)
}

// parseFlags parses a command's flags. -h prints the command's whole help
// (exit 0); a bad flag is one error line and a pointer to -h, not the
// hundred lines of help that scroll it away.
func parseFlags(fs *flag.FlagSet, args []string, std stdio) (code int, ok bool) {
	help, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = help
	fs.SetOutput(out)
	switch {
	case err == nil:
		return exitOK, true
	case errors.Is(err, flag.ErrHelp):
		help()
		return exitOK, false
	}
	errorf(std, "%v", err)
	hintf(std, "hardenlab %s -h explains the flags, with examples", fs.Name())
	return exitUsage, false
}
