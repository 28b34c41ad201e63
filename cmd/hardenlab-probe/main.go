// Command hardenlab-probe runs hardenlab's probes inside a unit's sandbox
// and prints one JSON document; see package probes for the contract.
// Build it static: CGO_ENABLED=0 go build -o bin/hardenlab-probe ./cmd/hardenlab-probe
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/hardenlab/hardenlab/probes"
)

const usage = `usage: hardenlab-probe run [--only id1,id2] [--tcp-target 127.0.0.1:PORT]
                           [--ro-path P] [--rw-path P] [--hidden-path P]
                           [--skip-destructive-check] [--skip-preflight]
                           [--timeout 5s] [--parallel 1] [--isolate-all]
       hardenlab-probe syscalls --calls name1,name2,... [--call-timeout 2s] [--per-child 0]
       hardenlab-probe check (--http 127.0.0.1:PORT [--path /] | --tcp 127.0.0.1:PORT [--send S] [--expect E]) [--timeout 2s]
       hardenlab-probe list
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := realMain(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func realMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "run":
		o, rest, err := probes.ParseFlags("run", args[1:], stderr)
		if err == nil && len(rest) > 0 {
			err = fmt.Errorf("run: unexpected arguments %q", rest)
		}
		if err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n%s", err, usage)
			return 2
		}
		doc, err := probes.Run(ctx, o)
		if err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n", err)
			return 1
		}
		return emit(stdout, stderr, doc)
	case "child":
		// Hidden: one probe in a disposable process (see probes.RunChild).
		if len(args) < 2 {
			fmt.Fprint(stderr, "hardenlab-probe child: missing probe id\n")
			return 2
		}
		o, _, err := probes.ParseFlags("child", args[2:], stderr)
		if err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n", err)
			return 2
		}
		r, err := probes.RunChild(ctx, args[1], o)
		if err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n", err)
			return 2
		}
		return emit(stdout, stderr, r)
	case "syscalls":
		o, err := probes.ParseSyscallFlags(args[1:], stderr)
		if err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n%s", err, usage)
			return 2
		}
		doc, err := probes.RunSyscalls(ctx, o)
		if err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n", err)
			return 1
		}
		return emit(stdout, stderr, doc)
	case probes.SyscallChildCommand:
		// Hidden: a batch of calls in a disposable process (see probes.RunSyscallChild).
		if len(args) != 2 {
			fmt.Fprintf(stderr, "hardenlab-probe %s: want one comma-separated list of calls\n", args[0])
			return 2
		}
		if err := probes.RunSyscallChild(strings.Split(args[1], ","), stdout); err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n", err)
			return 2
		}
		return 0
	case "check":
		spec, err := probes.ParseCheckFlags(args[1:], stderr)
		if err != nil {
			fmt.Fprintf(stderr, "hardenlab-probe: %v\n%s", err, usage)
			return 2
		}
		return emit(stdout, stderr, probes.RunCheck(ctx, spec))
	case "list":
		return emit(stdout, stderr, probes.Listing())
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "hardenlab-probe: unknown command %q\n%s", args[0], usage)
	return 2
}

func emit(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "hardenlab-probe: writing the result: %v\n", err)
		return 1
	}
	return 0
}
