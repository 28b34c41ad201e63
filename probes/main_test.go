package probes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary stand in for hardenlab-probe: the runner
// re-executes it with "child ID ..." exactly as it re-executes the real
// binary, so the tests exercise real child processes.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && (os.Args[1] == seccompWrap || os.Args[1] == seccompRun) {
		run := wrapMain
		if os.Args[1] == seccompRun {
			run = runMain
		}
		if err := run(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if len(os.Args) == 3 && os.Args[1] == SyscallChildCommand {
		if err := RunSyscallChild(strings.Split(os.Args[2], ","), os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	if len(os.Args) > 2 && os.Args[1] == "child" {
		o, _, err := ParseFlags("child", os.Args[3:], os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		r, err := RunChild(context.Background(), os.Args[2], o)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}
