package score

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// outcome is what one assessor says about a unit: a badness between 0 and
// the check's range, or not applicable; desc, when set, replaces the
// check's fixed good/bad text.
type outcome struct {
	badness uint64
	na      bool
	desc    string
}

// check is one row of systemd-analyze security.
type check struct {
	name      string // as systemd-analyze prints it, e.g. "PrivateDevices="
	jsonField string // its stable id, the policy file's key
	weight    uint64
	rng       uint64 // the built-in range: the largest badness the assessor returns
	ddOnly    bool   // not applicable under DefaultDependencies=no
	good      string
	bad       string
	na        string
	fix       string // the assignment that brings the row to badness 0
	// reads names the directives whose value the row reads (after
	// Effective's implications); nil means the one its name starts with.
	reads  []string
	assess func(f *facts) outcome
}

// directives are the security directives the row is about: the link from
// a score row to the descriptors, which the descriptor tests check
// against the probe registry.
func (c check) directives() []string {
	if c.reads != nil {
		return c.reads
	}
	name, _, _ := strings.Cut(c.name, "=")
	return []string{name}
}

const (
	descBootPhase = "Service runs in special boot phase, option is not appropriate"
	descExcluded  = "Option excluded by policy, skipping"
)

// checkTable is checks(), built once: scoring a unit only reads it, and
// building it (every row's texts) cost as much as the scoring itself.
var checkTable = sync.OnceValue(checks)

// checks is the scorer's table: every row systemd-analyze security 252 and
// 257 print, in their table order (which breaks ties when sorting).
func checks() []check {
	rows := []check{
		{name: "User=/DynamicUser=", jsonField: "UserOrDynamicUser", weight: 2000, rng: 10, reads: []string{"User", "DynamicUser"},
			bad: "Service runs as root user", fix: "DynamicUser=yes", assess: assessUser},
		{name: "SupplementaryGroups=", jsonField: "SupplementaryGroups", weight: 200, rng: 1, reads: []string{"SupplementaryGroups", "User", "DynamicUser"},
			good: "Service has no supplementary groups", bad: "Service runs with supplementary groups",
			na: "Service runs as root, option does not matter", fix: "SupplementaryGroups=",
			assess: func(f *facts) outcome {
				if runsPrivileged(f) {
					return outcome{na: true}
				}
				return badIf(len(f.supplementaryGroups) > 0)
			}},
		boolRow("PrivateDevices", 1000, "Service has no access to hardware devices", "Service potentially has access to hardware devices",
			func(f *facts) bool { return f.privateDevices }),
		boolRow("PrivateMounts", 1000, "Service cannot install system mounts", "Service may install system mounts",
			func(f *facts) bool { return f.privateMounts }),
		boolRow("PrivateNetwork", 2500, "Service has no access to the host's network", "Service has access to the host's network",
			func(f *facts) bool { return f.privateNetwork }),
		ddOnly(boolRow("PrivateTmp", 1000, "Service has no access to other software's temporary files", "Service has access to other software's temporary files",
			func(f *facts) bool { return f.privateTmp })),
		boolRow("PrivateUsers", 1000, "Service does not have access to other users", "Service has access to other users",
			func(f *facts) bool { return f.privateUsers }),
		boolRow("ProtectControlGroups", 1000, "Service cannot modify the control group file system", "Service may modify the control group file system",
			func(f *facts) bool { return f.protectControlGroups }),
		boolRow("ProtectKernelModules", 1000, "Service cannot load or read kernel modules", "Service may load or read kernel modules",
			func(f *facts) bool { return f.protectKernelModules }),
		boolRow("ProtectKernelTunables", 1000, "Service cannot alter kernel tunables (/proc/sys, …)", "Service may alter kernel tunables",
			func(f *facts) bool { return f.protectKernelTunables }),
		boolRow("ProtectKernelLogs", 1000, "Service cannot read from or write to the kernel log ring buffer", "Service may read from or write to the kernel log ring buffer",
			func(f *facts) bool { return f.protectKernelLogs }),
		boolRow("ProtectClock", 1000, "Service cannot write to the hardware clock or system clock", "Service may write to the hardware clock or system clock",
			func(f *facts) bool { return f.protectClock }),
		{name: "ProtectHome=", jsonField: "ProtectHome", weight: 1000, rng: 10, ddOnly: true, fix: "ProtectHome=yes",
			assess: func(f *facts) outcome {
				return graded(f.protectHome, []grade{
					{"yes", 0, "Service has no access to home directories"},
					{"tmpfs", 1, "Service has access to fake empty home directories"},
					{"read-only", 5, "Service has read-only access to home directories"},
				}, grade{"no", 10, "Service has full access to home directories"})
			}},
		boolRow("ProtectHostname", 50, "Service cannot change system host/domainname", "Service may change system host/domainname",
			func(f *facts) bool { return f.protectHostname }),
		{name: "ProtectSystem=", jsonField: "ProtectSystem", weight: 1000, rng: 10, ddOnly: true, fix: "ProtectSystem=strict",
			assess: func(f *facts) outcome {
				return graded(f.protectSystem, []grade{
					{"strict", 0, "Service has strict read-only access to the OS file hierarchy"},
					{"full", 3, "Service has very limited write access to the OS file hierarchy"},
					{"yes", 5, "Service has limited write access to the OS file hierarchy"},
				}, grade{"no", 10, "Service has full access to the OS file hierarchy"})
			}},
		{name: "RootDirectory=/RootImage=", jsonField: "RootDirectoryOrRootImage", weight: 200, rng: 1, ddOnly: true, reads: []string{"RootDirectory", "RootImage"},
			good: "Service has its own root directory/image", bad: "Service runs within the host's root directory",
			fix: "RootDirectory=/path/to/root",
			assess: func(f *facts) outcome {
				return badIf(emptyOrRoot(f.rootDirectory) && emptyOrRoot(f.rootImage))
			}},
		boolRow("LockPersonality", 100, "Service cannot change ABI personality", "Service may change ABI personality",
			func(f *facts) bool { return f.lockPersonality }),
		boolRow("MemoryDenyWriteExecute", 100, "Service cannot create writable executable memory mappings", "Service may create writable executable memory mappings",
			func(f *facts) bool { return f.memoryDenyWriteExecute }),
		boolRow("NoNewPrivileges", 1000, "Service processes cannot acquire new privileges", "Service processes may acquire new privileges",
			func(f *facts) bool { return f.noNewPrivileges }),
		capRow("CAP_SYS_ADMIN", "CAP_SYS_ADMIN", 1500, "Service has no administrator privileges", "Service has administrator privileges", linux.CapSysAdmin),
		capRow("CAP_SET(UID|GID|PCAP)", "CAP_SET_UID_GID_PCAP", 1500, "Service cannot change UID/GID identities/capabilities", "Service may change UID/GID identities/capabilities", linux.CapSetuid, linux.CapSetgid, linux.CapSetpcap),
		capRow("CAP_SYS_PTRACE", "CAP_SYS_PTRACE", 1500, "Service has no ptrace() debugging abilities", "Service has ptrace() debugging abilities", linux.CapSysPtrace),
		capRow("CAP_SYS_TIME", "CAP_SYS_TIME", 1000, "Service processes cannot change the system clock", "Service processes may change the system clock", linux.CapSysTime),
		capRow("CAP_NET_ADMIN", "CAP_NET_ADMIN", 1000, "Service has no network configuration privileges", "Service has network configuration privileges", linux.CapNetAdmin),
		capRow("CAP_SYS_RAWIO", "CAP_SYS_RAWIO", 1000, "Service has no raw I/O access", "Service has raw I/O access", linux.CapSysRawio),
		capRow("CAP_SYS_MODULE", "CAP_SYS_MODULE", 1000, "Service cannot load kernel modules", "Service may load kernel modules", linux.CapSysModule),
		capRow("CAP_AUDIT_*", "CAP_AUDIT", 500, "Service has no audit subsystem access", "Service has audit subsystem access", linux.CapAuditControl, linux.CapAuditRead, linux.CapAuditWrite),
		capRow("CAP_SYSLOG", "CAP_SYSLOG", 500, "Service has no access to kernel logging", "Service has access to kernel logging", linux.CapSyslog),
		capRow("CAP_SYS_(NICE|RESOURCE)", "CAP_SYS_NICE_RESOURCE", 500, "Service has no privileges to change resource use parameters", "Service has privileges to change resource use parameters", linux.CapSysNice, linux.CapSysResource),
		capRow("CAP_MKNOD", "CAP_MKNOD", 500, "Service cannot create device nodes", "Service may create device nodes", linux.CapMknod),
		capRow("CAP_(CHOWN|FSETID|SETFCAP)", "CAP_CHOWN_FSETID_SETFCAP", 1000, "Service cannot change file ownership/access mode/capabilities", "Service may change file ownership/access mode/capabilities unrestricted", linux.CapChown, linux.CapFsetid, linux.CapSetfcap),
		capRow("CAP_(DAC_*|FOWNER|IPC_OWNER)", "CAP_DAC_FOWNER_IPC_OWNER", 1000, "Service cannot override UNIX file/IPC permission checks", "Service may override UNIX file/IPC permission checks", linux.CapDacOverride, linux.CapDacReadSearch, linux.CapFowner, linux.CapIpcOwner),
		capRow("CAP_KILL", "CAP_KILL", 500, "Service cannot send UNIX signals to arbitrary processes", "Service may send UNIX signals to arbitrary processes", linux.CapKill),
		// The json_field's trailing ")" is upstream's typo; policy files must use it.
		capRow("CAP_NET_(BIND_SERVICE|BROADCAST|RAW)", "CAP_NET_BIND_SERVICE_BROADCAST_RAW)", 500, "Service has no elevated networking privileges", "Service has elevated networking privileges", linux.CapNetBindService, linux.CapNetBroadcast, linux.CapNetRaw),
		capRow("CAP_SYS_BOOT", "CAP_SYS_BOOT", 100, "Service cannot issue reboot()", "Service may issue reboot()", linux.CapSysBoot),
		capRow("CAP_MAC_*", "CAP_MAC", 100, "Service cannot adjust SMACK MAC", "Service may adjust SMACK MAC", linux.CapMacAdmin, linux.CapMacOverride),
		capRow("CAP_LINUX_IMMUTABLE", "CAP_LINUX_IMMUTABLE", 75, "Service cannot mark files immutable", "Service may mark files immutable", linux.CapLinuxImmutable),
		capRow("CAP_IPC_LOCK", "CAP_IPC_LOCK", 50, "Service cannot lock memory into RAM", "Service may lock memory into RAM", linux.CapIpcLock),
		capRow("CAP_SYS_CHROOT", "CAP_SYS_CHROOT", 50, "Service cannot issue chroot()", "Service may issue chroot()", linux.CapSysChroot),
		capRow("CAP_BLOCK_SUSPEND", "CAP_BLOCK_SUSPEND", 25, "Service cannot establish wake locks", "Service may establish wake locks", linux.CapBlockSuspend),
		capRow("CAP_WAKE_ALARM", "CAP_WAKE_ALARM", 25, "Service cannot program timers that wake up the system", "Service may program timers that wake up the system", linux.CapWakeAlarm),
		capRow("CAP_LEASE", "CAP_LEASE", 25, "Service cannot create file leases", "Service may create file leases", linux.CapLease),
		capRow("CAP_SYS_TTY_CONFIG", "CAP_SYS_TTY_CONFIG", 25, "Service cannot issue vhangup()", "Service may issue vhangup()", linux.CapSysTtyConfig),
		capRow("CAP_SYS_PACCT", "CAP_SYS_PACCT", 25, "Service cannot use acct()", "Service may use acct()", linux.CapSysPacct),
		capRow("CAP_BPF", "CAP_BPF", 25, "Service may not load BPF programs", "Service may load BPF programs", linux.CapBpf),
		{name: "UMask=", jsonField: "UMask", weight: 100, rng: 10, fix: "UMask=0077", assess: assessUMask},
		{name: "KeyringMode=", jsonField: "KeyringMode", weight: 1000, rng: 1, fix: "KeyringMode=private",
			good: "Service doesn't share key material with other services", bad: "Service shares key material with other service",
			assess: func(f *facts) outcome { return badIf(f.keyringMode != "private") }},
		{name: "ProtectProc=", jsonField: "ProtectProc", weight: 1000, rng: 3, fix: "ProtectProc=invisible",
			good: "Service has restricted access to process tree (/proc hidepid=)", bad: "Service has full access to process tree (/proc hidepid=)",
			assess: func(f *facts) outcome {
				switch f.protectProc {
				case "noaccess":
					return outcome{badness: 1}
				case "invisible", "ptraceable":
					return outcome{badness: 0}
				}
				return outcome{badness: 3}
			}},
		{name: "ProcSubset=", jsonField: "ProcSubset", weight: 10, rng: 1, fix: "ProcSubset=pid",
			good: "Service has no access to non-process /proc files (/proc subset=)", bad: "Service has full access to non-process /proc files (/proc subset=)",
			assess: func(f *facts) outcome { return badIf(f.procSubset != "pid") }},
		{name: "NotifyAccess=", jsonField: "NotifyAccess", weight: 1000, rng: 1, fix: "NotifyAccess=main",
			good: "Service child processes cannot alter service state", bad: "Service child processes may alter service state",
			assess: func(f *facts) outcome { return badIf(f.notifyAccess == "all") }},
		{name: "RemoveIPC=", jsonField: "RemoveIPC", weight: 100, rng: 1, fix: "RemoveIPC=yes", reads: []string{"RemoveIPC", "User", "DynamicUser"},
			good: "Service user cannot leave SysV IPC objects around", bad: "Service user may leave SysV IPC objects around",
			na: "Service runs as root, option does not apply",
			assess: func(f *facts) outcome {
				if runsPrivileged(f) {
					return outcome{na: true}
				}
				return badIf(!f.removeIPC)
			}},
		{name: "Delegate=", jsonField: "Delegate", weight: 100, rng: 1, fix: "Delegate=no",
			good: "Service does not maintain its own delegated control group subtree", bad: "Service maintains its own delegated control group subtree",
			assess: func(f *facts) outcome { return badIf(f.delegate) }},
		boolRow("RestrictRealtime", 500, "Service realtime scheduling access is restricted", "Service may acquire realtime scheduling",
			func(f *facts) bool { return f.restrictRealtime }),
		boolRow("RestrictSUIDSGID", 1000, "SUID/SGID file creation by service is restricted", "Service may create SUID/SGID files",
			func(f *facts) bool { return f.restrictSUIDSGID }),
		nsRow(linux.NamespaceUser, "user", 1500),
		nsRow(linux.NamespaceMnt, "file system", 500),
		nsRow(linux.NamespaceIPC, "IPC", 500),
		nsRow(linux.NamespacePID, "process", 500),
		nsRow(linux.NamespaceCgroup, "cgroup", 500),
		nsRow(linux.NamespaceNet, "network", 500),
		nsRow(linux.NamespaceUTS, "hostname", 100),
		afRow("AF_(INET|INET6)", "AF_INET_INET6", "Internet", "RestrictAddressFamilies=~AF_INET AF_INET6", 1500, func(f *facts) bool { return f.afINET }),
		afRow("AF_UNIX", "AF_UNIX", "local", "RestrictAddressFamilies=~AF_UNIX", 25, func(f *facts) bool { return f.afUNIX }),
		afRow("AF_NETLINK", "AF_NETLINK", "netlink", "RestrictAddressFamilies=~AF_NETLINK", 200, func(f *facts) bool { return f.afNETLINK }),
		afRow("AF_PACKET", "AF_PACKET", "packet", "RestrictAddressFamilies=~AF_PACKET", 1000, func(f *facts) bool { return f.afPACKET }),
		afRow("…", "OTHER", "exotic", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", 1250, func(f *facts) bool { return f.afOTHER }),
		{name: "SystemCallArchitectures=", jsonField: "SystemCallArchitectures", weight: 1000, rng: 10, fix: "SystemCallArchitectures=native",
			assess: func(f *facts) outcome {
				archs := slices.Compact(slices.Sorted(slices.Values(f.archs)))
				switch {
				case len(archs) == 0:
					return outcome{badness: 10, desc: "Service may execute system calls with all ABIs"}
				case len(archs) == 1 && archs[0] == "native":
					return outcome{badness: 0, desc: "Service may execute system calls only with native ABI"}
				}
				return outcome{badness: 8, desc: "Service may execute system calls with multiple ABIs"}
			}},
		sysRow("swap", 1000),
		sysRow("obsolete", 250),
		sysRow("clock", 1000),
		sysRow("cpu-emulation", 250),
		sysRow("debug", 1000),
		sysRow("mount", 1000),
		sysRow("module", 1000),
		sysRow("raw-io", 1000),
		sysRow("reboot", 1000),
		sysRow("privileged", 700),
		sysRow("resources", 700),
		{name: "IPAddressDeny=", jsonField: "IPAddressDeny", weight: 1000, rng: 10, fix: "IPAddressDeny=any", reads: []string{"IPAddressDeny", "IPAddressAllow"}, assess: assessIPAddress},
		{name: "DeviceAllow=", jsonField: "DeviceAllow", weight: 1000, rng: 10, fix: "DevicePolicy=closed", reads: []string{"DeviceAllow", "DevicePolicy"}, assess: assessDeviceAllow},
		{name: "AmbientCapabilities=", jsonField: "AmbientCapabilities", weight: 500, rng: 1, fix: "AmbientCapabilities=",
			good: "Service process does not receive ambient capabilities", bad: "Service process receives ambient capabilities",
			assess: func(f *facts) outcome { return badIf(f.ambientCapabilities != 0) }},
	}
	return rows
}

func badIf(bad bool) outcome {
	if bad {
		return outcome{badness: 1}
	}
	return outcome{}
}

func boolRow(directive string, weight uint64, good, bad string, on func(*facts) bool) check {
	return check{name: directive + "=", jsonField: directive, weight: weight, rng: 1, good: good, bad: bad,
		fix: directive + "=yes", assess: func(f *facts) outcome { return badIf(!on(f)) }}
}

func ddOnly(c check) check {
	c.ddOnly = true
	return c
}

func capRow(shown, field string, weight uint64, good, bad string, caps ...linux.Capability) check {
	mask := linux.CapabilityMask(caps...)
	return check{name: "CapabilityBoundingSet=~" + shown, jsonField: "CapabilityBoundingSet_" + field,
		weight: weight, rng: 1, good: good, bad: bad, fix: "CapabilityBoundingSet=~" + capNames(caps),
		assess: func(f *facts) outcome { return badIf(f.capabilityBoundingSet&mask != 0) }}
}

// nsRow: the row is named after systemd's name of the namespace type.
func nsRow(flag linux.Namespace, what string, weight uint64) check {
	ns := flag.String()
	return check{name: "RestrictNamespaces=~" + ns, jsonField: "RestrictNamespaces_" + ns, weight: weight, rng: 1,
		good: "Service cannot create " + what + " namespaces", bad: "Service may create " + what + " namespaces",
		fix:    "RestrictNamespaces=~" + ns,
		assess: func(f *facts) outcome { return badIf(f.restrictNamespaces&uint64(flag) != 0) }}
}

func afRow(shown, field, what, fix string, weight uint64, restricted func(*facts) bool) check {
	return check{name: "RestrictAddressFamilies=~" + shown, jsonField: "RestrictAddressFamilies_" + field,
		weight: weight, rng: 1, good: "Service cannot allocate " + what + " sockets", bad: "Service may allocate " + what + " sockets",
		fix: fix, assess: func(f *facts) outcome { return badIf(!restricted(f)) }}
}

// sysRow's assess needs the version's group table, which facts carry.
func sysRow(group string, weight uint64) check {
	g := "@" + group
	return check{name: "SystemCallFilter=~" + g, jsonField: "SystemCallFilter_" + strings.ReplaceAll(group, "-", "_"),
		weight: weight, rng: 10, fix: "SystemCallFilter=~" + g,
		assess: func(f *facts) outcome { return assessSyscallGroup(f, g) }}
}

type grade struct {
	value   string
	badness uint64
	desc    string
}

func graded(v string, grades []grade, otherwise grade) outcome {
	for _, g := range grades {
		if g.value == v {
			return outcome{badness: g.badness, desc: g.desc}
		}
	}
	return outcome{badness: otherwise.badness, desc: otherwise.desc}
}

func emptyOrRoot(p string) bool {
	return p == "" || strings.Trim(p, "/") == ""
}

// runsPrivileged mirrors the analyzer: root by name or number, or no User=
// without DynamicUser=.
func runsPrivileged(f *facts) bool {
	if f.user == "0" || f.user == "root" {
		return true
	}
	if f.dynamicUser {
		return false
	}
	return f.user == ""
}

func assessUser(f *facts) outcome {
	switch {
	case f.user == "nobody":
		return outcome{badness: 9, desc: "Service runs under as 'nobody' user, which should not be used for services"}
	case f.dynamicUser && f.user != "0" && f.user != "root":
		return outcome{badness: 0, desc: "Service runs under a transient non-root user identity"}
	case f.user != "" && f.user != "0" && f.user != "root":
		return outcome{badness: 0, desc: "Service runs under a static non-root user identity"}
	}
	return outcome{badness: 10}
}

func assessUMask(f *facts) outcome {
	for _, g := range []struct {
		bit     uint32
		badness uint64
		desc    string
	}{
		{0o002, 10, "Files created by service are world-writable by default"},
		{0o004, 5, "Files created by service are world-readable by default"},
		{0o020, 2, "Files created by service are group-writable by default"},
		{0o040, 1, "Files created by service are group-readable by default"},
	} {
		if f.umask&g.bit == 0 {
			return outcome{badness: g.badness, desc: g.desc}
		}
	}
	return outcome{desc: "Files created by service are accessible only by service's own user by default"}
}

func assessIPAddress(f *facts) outcome {
	switch {
	case !f.ipDenyAll:
		return outcome{badness: 10, desc: "Service does not define an IP address allow list"}
	case f.ipAllowOther:
		return outcome{badness: 5, desc: "Service defines IP address allow list with non-localhost entries"}
	case f.ipAllowLocalhost:
		return outcome{badness: 2, desc: "Service defines IP address allow list with only localhost entries"}
	}
	return outcome{desc: "Service blocks all IP address ranges"}
}

func assessDeviceAllow(f *facts) outcome {
	if f.devicePolicy != "strict" && f.devicePolicy != "closed" {
		return outcome{badness: 10, desc: "Service has no device ACL"}
	}
	if len(f.deviceAllow) == 0 {
		return outcome{desc: "Service has a minimal device ACL"}
	}
	// PID 1 prepends each rule, so the analyzer lists them newest first.
	listed := slices.Clone(f.deviceAllow)
	slices.Reverse(listed)
	return outcome{badness: 5, desc: "Service has a device ACL with some special devices: " + strings.Join(listed, " ")}
}

func assessSyscallGroup(f *facts, group string) outcome {
	if !f.syscallAllowList && f.syscalls.empty() {
		return outcome{badness: 10, desc: "Service does not filter system calls"}
	}
	offender, bad := firstOffender(f, group)
	switch {
	case f.syscallAllowList && bad:
		return outcome{badness: 9, desc: fmt.Sprintf("System call allow list defined for service, and %s is included (e.g. %s is allowed)", group, offender)}
	case f.syscallAllowList:
		return outcome{desc: fmt.Sprintf("System call allow list defined for service, and %s is not included", group)}
	case bad:
		return outcome{badness: 10, desc: fmt.Sprintf("System call deny list defined for service, and %s is not included (e.g. %s is allowed)", group, offender)}
	}
	return outcome{desc: fmt.Sprintf("System call deny list defined for service, and %s is included", group)}
}

// firstOffender walks the group in definition order: in an allow-list a
// member that is listed is bad, in a deny-list a member that is not.
func firstOffender(f *facts, group string) (string, bool) {
	for _, m := range f.syscallTable.groups[group] {
		if strings.HasPrefix(m, "@") {
			if o, bad := firstOffender(f, m); bad {
				return o, true
			}
			continue
		}
		if f.syscallTable.nonNative[m] {
			continue
		}
		if f.syscalls.has(f.syscallTable, m) == f.syscallAllowList {
			return m, true
		}
	}
	return "", false
}

// capNames spells capabilities for the fix suggestions.
func capNames(caps []linux.Capability) string {
	var out []string
	for _, c := range caps {
		out = append(out, c.String())
	}
	return strings.Join(out, " ")
}
