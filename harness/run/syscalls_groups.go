package run

import (
	"fmt"
	"maps"
	"slices"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
)

// ProbeNeeds are the @groups whose calls hardenlab-probe itself needs, with
// the reason: under SystemCallFilter=~@GROUP (with an errno or without) the
// probe binary cannot run, or cannot make its calls, so no call of the
// group can be judged from inside the unit. The e2e suite runs the probe
// under each of them and checks that it indeed fails there; every other
// group of every modelled systemd is judged call by call.
func ProbeNeeds() map[string]string {
	return map[string]string{
		"@default":        "every process needs it: execve, mmap, brk, futex, exit_group... (what an allow-list always keeps)",
		"@known":          "every system call systemd knows, the probe's own included",
		"@system-service": "holds @basic-io, @file-system, @process, @signal... which the probe needs",
		"@basic-io":       "read, write and close: the probe writes its document and its children's pipes with them",
		"@file-system":    "openat, fstat, fcntl: the Go runtime and the probe open /proc/self and their output with them",
		"@process":        "clone makes the Go runtime's threads and the probe's children",
		"@signal":         "rt_sigaction and rt_sigprocmask: the Go runtime installs its signal handlers at start",
		"@io-event":       "epoll and eventfd: the Go runtime's poller waits on the probe's pipes with them",
		"@ipc":            "pipe2: the probe reads each child's answers through a pipe",
	}
}

// probeStopped says, for each group of ProbeNeeds, that the probe cannot
// run under the filter when it denies every call SystemCallFilter=~GROUP
// denies (systemd keeps execve, exit... even then): such a profile's probe
// unit fails, so none of its calls gets a verdict.
func probeStopped(f score.Filter, v score.Version) []string {
	var out []string
	for _, g := range slices.Sorted(maps.Keys(ProbeNeeds())) {
		alone, ok, err := score.ResolveFilter([]directive.FilterLine{{Names: []string{g}}}, v)
		if err != nil || !ok {
			continue
		}
		ms := f.Members(g)
		if len(ms) > 0 && !slices.ContainsFunc(ms, func(m string) bool { return alone.Denies(m) && !f.Denies(m) }) {
			out = append(out, fmt.Sprintf("it denies %s, which hardenlab-probe needs (%s)", g, ProbeNeeds()[g]))
		}
	}
	return out
}
