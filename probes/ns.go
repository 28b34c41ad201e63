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
