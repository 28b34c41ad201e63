package probes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Environment is what the preflight found: the facts that make a directive
// unenforceable here, so that a not-enforced or inconclusive verdict comes
// with its reason.
type Environment struct {
	Kernel         string `json:"kernel"`
	Arch           string `json:"arch"`
	CgroupMode     string `json:"cgroup_mode"` // unified, hybrid, legacy, unknown
	IPFiltering    Fact   `json:"ip_filtering"`
	Modules        Fact   `json:"modules"`
	UserNamespaces Fact   `json:"user_namespaces"`
	Seccomp        Fact   `json:"seccomp"`
}

// Fact is one preflight finding.
type Fact struct {
	Available bool   `json:"available"`
	Detail    string `json:"detail"`
}

// preflightChecks are the preflight's system calls; like probes they run in
// a disposable child, since the profile's own filter may kill the caller.
func preflightChecks() []Probe {
	return []Probe{
		{ID: "preflight.bpf", Attempts: "bpf() with an invalid command", check: checkBPFSyscall},
		{ID: "preflight.init-module", Attempts: "init_module() of a garbage image", check: checkInitModule},
		{ID: "preflight.userns", Attempts: "unshare(CLONE_NEWUSER) in a child", Unshare: unix.CLONE_NEWUSER, check: checkUnshared},
	}
}

// bpfInvalidCommand is no bpf() command; the kernel answers EINVAL after
// its permission checks, so the call proves that bpf() is reachable.
const bpfInvalidCommand = 0x7fffffff

func checkBPFSyscall(ctx context.Context, o Options) Result {
	_, _, e := unix.Syscall(unix.SYS_BPF, bpfInvalidCommand, 0, 0)
	if e == unix.EINVAL {
		return allowed("bpf() reachable (EINVAL for an invalid command)")
	}
	return attempt(e, "bpf(invalid command)")
}

// Preflight explains, from inside the sandbox, what this environment lets
// systemd enforce at all. Run under the control profile it describes the
// environment; under a hardened profile the profile's own filters may hide
// e.g. bpf(), so the harness should take the environment from the control.
func Preflight(ctx context.Context, o Options) Environment {
	var env Environment
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		env.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	env.Arch = runtime.GOARCH
	env.CgroupMode = cgroupMode()
	run := func(id string) Result {
		p, ok := findPreflight(id)
		if !ok {
			return errored("no preflight check %q", id)
		}
		return runProbe(ctx, p, o)
	}

	bpf := run("preflight.bpf")
	switch {
	case env.CgroupMode == "legacy" || env.CgroupMode == "unknown":
		env.IPFiltering = Fact{false, "no cgroup v2 hierarchy (" + env.CgroupMode + "): systemd cannot attach IP filters, IPAddressDeny=/IPAddressAllow= are accepted and not enforced"}
	case bpf.Outcome != Allowed:
		env.IPFiltering = Fact{false, "bpf() is not reachable here (" + bpf.Detail + "): IPAddressDeny= likely not enforced (systemd logs 'Proceeding WITHOUT firewalling')"}
	default:
		env.IPFiltering = Fact{true, "cgroup " + env.CgroupMode + " and bpf() reachable: cgroup-BPF IP filters can work (IPAddressAllow= alone still allows everything)"}
	}

	if _, err := os.Stat("/proc/modules"); errors.Is(err, fs.ErrNotExist) {
		env.Modules = Fact{false, "kernel built without module support (/proc/modules absent): init_module answers ENOSYS; ProtectKernelModules= is seen only through its EPERM filter, capability and /usr/lib/modules"}
	} else {
		mod := run("preflight.init-module")
		env.Modules = Fact{true, "kernel supports modules; init_module of garbage: " + mod.Detail}
		if v := readTrim("/proc/sys/kernel/modules_disabled"); v == "1" {
			env.Modules.Detail += "; modules_disabled=1: loading is refused for everyone"
		}
	}

	userns := run("preflight.userns")
	max := readTrim("/proc/sys/user/max_user_namespaces")
	env.UserNamespaces = Fact{userns.Outcome == Allowed, fmt.Sprintf("unshare(CLONE_NEWUSER): %s %s; max_user_namespaces=%s", userns.Outcome, userns.Errno, max)}

	if _, err := statusField("/proc/self/status", "Seccomp"); err != nil {
		env.Seccomp = Fact{false, "no Seccomp field in /proc/self/status: kernel without seccomp; SystemCallFilter= and every filter-based directive do nothing"}
	} else {
		actions := readTrim("/proc/sys/kernel/seccomp/actions_avail")
		env.Seccomp = Fact{true, "seccomp filters available; actions: " + actions}
	}
	return env
}

// cgroupMode tells the cgroup layout like systemd does: cgroup2 at
// /sys/fs/cgroup is unified, cgroup2 below a tmpfs there is hybrid.
func cgroupMode() string {
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		return "unknown"
	}
	if st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "unified"
	}
	if err := unix.Statfs("/sys/fs/cgroup/unified", &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
		return "hybrid"
	}
	return "legacy"
}

func readTrim(name string) string {
	b, err := os.ReadFile(name)
	if err != nil {
		return "unreadable"
	}
	return strings.TrimSpace(string(b))
}
