package probes

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// checkUnshared runs in a child that the runner started inside new
// namespaces; reaching it at all means unshare() was allowed. It names the
// namespaces that differ from its parent's, as evidence.
func checkUnshared(ctx context.Context, o Options) Result {
	parent := fmt.Sprintf("/proc/%d/ns/", os.Getppid())
	var differ []string
	for _, t := range append(namespaceTypes(), "pid_for_children") {
		own, err1 := os.Readlink("/proc/self/ns/" + t)
		their, err2 := os.Readlink(parent + t)
		if err1 == nil && err2 == nil && own != their {
			differ = append(differ, t)
		}
	}
	if len(differ) == 0 {
		return allowed("the child started in the new namespace (its namespaces could not be compared with its parent's)")
	}
	return allowed("the child runs in new namespaces: %s", strings.Join(differ, ", "))
}

// checkPrivateIPC compares IPC namespaces only: sharing PID 1's is what
// lets the service see and touch the host's SysV IPC objects, and looking
// at them would need objects the probe is not allowed to create.
func checkPrivateIPC(ctx context.Context, o Options) Result {
	own, err := os.Readlink("/proc/self/ns/ipc")
	if err != nil {
		return errored("reading its own IPC namespace: %v", err)
	}
	init, err := os.Readlink("/proc/1/ns/ipc")
	if err != nil {
		return errored("reading PID 1's IPC namespace (%s is its own): %v", own, err)
	}
	if own != init {
		return blocked(0, "its IPC namespace %s differs from PID 1's %s", own, init)
	}
	return allowed("it shares PID 1's IPC namespace %s", own)
}
