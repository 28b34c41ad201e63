// Package unitgen writes random hardened service units from a seed, for
// the scorer's parity tests, benchmarks and fuzz seeds. Every directive the
// scorer reads appears with some probability, with values systemd accepts:
// negations, lists, repeated lines that merge or reset, and the odd
// spellings of booleans.
package unitgen

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// generator writes the lines of one directive (none, one or several).
type generator struct {
	name   string
	chance float64 // probability that the directive appears at all
	value  func(r *rand.Rand) string
	maxRep int // it may be repeated up to this many times (merge rules)
}

var trueWords = []string{"yes", "on", "1", "true", "TRUE", "Yes", "y"}
var falseWords = []string{"no", "off", "0", "false", "FALSE", "No", "n"}

func boolean(r *rand.Rand) string {
	if r.IntN(2) == 0 {
		return pick(r, trueWords)
	}
	return pick(r, falseWords)
}

func pick(r *rand.Rand, from []string) string { return from[r.IntN(len(from))] }

// someOf joins 1..max distinct random elements of from.
func someOf(r *rand.Rand, from []string, max int) string {
	n := 1 + r.IntN(max)
	perm := r.Perm(len(from))
	var out []string
	for i := 0; i < n && i < len(perm); i++ {
		out = append(out, from[perm[i]])
	}
	return strings.Join(out, " ")
}

func maybeTilde(r *rand.Rand, s string) string {
	if r.IntN(3) == 0 {
		return "~" + s
	}
	return s
}

// capabilities are every capability name systemd knows, namespaces the
// types of its "all" (time is not among them), both in systemd's table
// order, so that a seed keeps giving the same unit.
var (
	capabilities = linux.CapabilityNames(linux.CapabilityMask(linux.Capabilities()...))
	namespaces   = strings.Fields(linux.NamespacesAll.String())
)

var families = []string{"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK", "AF_PACKET", "AF_BLUETOOTH", "AF_CAN", "AF_ALG", "AF_VSOCK"}

var syscallItems = []string{"@system-service", "@privileged", "@resources", "@mount", "@swap", "@obsolete",
	"@clock", "@cpu-emulation", "@debug", "@module", "@raw-io", "@reboot", "@basic-io", "@file-system",
	"@network-io", "@chown", "@setuid", "@process", "@signal", "@timer", "@io-event", "@ipc", "@keyring",
	"@memlock", "@pkey", "@sync", "@aio", "@known",
	"chown", "mount", "ptrace", "reboot", "swapon", "ioperm", "init_module", "settimeofday", "modify_ldt",
	"setpriority", "read", "write", "execve", "pivot_root", "bpf", "sethostname", "kexec_load",
	"ioprio_set", "perf_event_open", "setuid", "setgid", "acct", "vhangup", "chroot", "umount2", "iopl"}

var errnos = []string{"EPERM", "EACCES", "ENOSYS", "EINVAL"}

var ipPrefixes = []string{"any", "localhost", "link-local", "multicast", "127.0.0.1", "127.0.0.0/8", "::1",
	"::1/128", "10.0.0.0/8", "192.168.1.0/24", "0.0.0.0/0", "::/0", "fe80::/64", "127.0.0.2/32", "8.8.8.8"}

var devices = []string{"/dev/null rw", "/dev/zero r", "/dev/random", "char-rtc r", "block-loop rwm",
	"/dev/urandom rw", "char-pts rw", "/dev/fuse rwm"}

func directives() []generator {
	b := func(name string, chance float64) generator {
		return generator{name: name, chance: chance, value: boolean, maxRep: 2}
	}
	oneOf := func(name string, chance float64, values ...string) generator {
		return generator{name: name, chance: chance, value: func(r *rand.Rand) string { return pick(r, values) }, maxRep: 2}
	}
	return []generator{
		oneOf("User", 0.3, "nobody", "root", "0", "foo", "1000", "www-data", ""),
		b("DynamicUser", 0.25),
		{name: "SupplementaryGroups", chance: 0.15, maxRep: 2, value: func(r *rand.Rand) string {
			return pick(r, []string{"", "adm", "adm wheel", "video"})
		}},
		b("PrivateDevices", 0.4),
		b("PrivateMounts", 0.3),
		b("PrivateNetwork", 0.3),
		b("PrivateTmp", 0.4),
		b("PrivateUsers", 0.3),
		b("ProtectControlGroups", 0.4),
		b("ProtectKernelModules", 0.4),
		b("ProtectKernelTunables", 0.4),
		b("ProtectKernelLogs", 0.4),
		b("ProtectClock", 0.4),
		oneOf("ProtectHome", 0.4, "yes", "no", "read-only", "tmpfs", "true", "off"),
		b("ProtectHostname", 0.4),
		oneOf("ProtectSystem", 0.4, "yes", "no", "full", "strict", "on", "false"),
		oneOf("RootDirectory", 0.08, "/srv/root", "/", ""),
		oneOf("RootImage", 0.05, "/srv/image.raw", ""),
		b("LockPersonality", 0.4),
		b("MemoryDenyWriteExecute", 0.4),
		b("NoNewPrivileges", 0.4),
		{name: "CapabilityBoundingSet", chance: 0.5, maxRep: 3, value: func(r *rand.Rand) string {
			if r.IntN(8) == 0 {
				return ""
			}
			return maybeTilde(r, someOf(r, capabilities, 6))
		}},
		{name: "AmbientCapabilities", chance: 0.15, maxRep: 2, value: func(r *rand.Rand) string {
			if r.IntN(4) == 0 {
				return ""
			}
			return maybeTilde(r, someOf(r, capabilities, 2))
		}},
		oneOf("UMask", 0.4, "0000", "0002", "0007", "0022", "0027", "0037", "0070", "0077", "077", "0177"),
		oneOf("KeyringMode", 0.2, "private", "shared", "inherit"),
		oneOf("ProtectProc", 0.3, "default", "noaccess", "invisible", "ptraceable"),
		oneOf("ProcSubset", 0.3, "all", "pid"),
		oneOf("NotifyAccess", 0.15, "none", "main", "exec", "all"),
		oneOf("Type", 0.3, "simple", "exec", "notify", "forking", "oneshot", "idle"),
		b("RemoveIPC", 0.3),
		b("Delegate", 0.1),
		b("RestrictRealtime", 0.4),
		b("RestrictSUIDSGID", 0.4),
		{name: "RestrictNamespaces", chance: 0.5, maxRep: 3, value: func(r *rand.Rand) string {
			switch r.IntN(6) {
			case 0:
				return boolean(r)
			case 1:
				return ""
			}
			return maybeTilde(r, someOf(r, namespaces, 4))
		}},
		{name: "RestrictAddressFamilies", chance: 0.5, maxRep: 3, value: func(r *rand.Rand) string {
			switch r.IntN(8) {
			case 0:
				return "none"
			case 1:
				return ""
			}
			return maybeTilde(r, someOf(r, families, 4))
		}},
		{name: "SystemCallArchitectures", chance: 0.4, maxRep: 2, value: func(r *rand.Rand) string {
			return pick(r, []string{"native", "native", "x86-64", "native x86", "x86", "", "native x32"})
		}},
		{name: "SystemCallFilter", chance: 0.55, maxRep: 4, value: func(r *rand.Rand) string {
			if r.IntN(10) == 0 {
				return ""
			}
			items := strings.Fields(someOf(r, syscallItems, 4))
			tilde := r.IntN(2) == 0
			if tilde && r.IntN(3) == 0 {
				items[0] += ":" + pick(r, errnos)
			}
			s := strings.Join(items, " ")
			if tilde {
				return "~" + s
			}
			return s
		}},
		oneOf("SystemCallErrorNumber", 0.15, "EPERM", "EACCES"),
		{name: "IPAddressDeny", chance: 0.35, maxRep: 2, value: func(r *rand.Rand) string { return someOf(r, ipPrefixes, 2) }},
		{name: "IPAddressAllow", chance: 0.35, maxRep: 2, value: func(r *rand.Rand) string { return someOf(r, ipPrefixes, 2) }},
		oneOf("DevicePolicy", 0.3, "auto", "closed", "strict"),
		{name: "DeviceAllow", chance: 0.25, maxRep: 3, value: func(r *rand.Rand) string { return pick(r, devices) }},
	}
}

// Unit returns the text of random unit number i of the corpus for seed.
// The same (seed, i) always gives the same unit.
func Unit(seed uint64, i int) string {
	r := rand.New(rand.NewPCG(seed, uint64(i)))
	var b strings.Builder
	b.WriteString("[Unit]\n")
	fmt.Fprintf(&b, "Description=hardenlab generated unit %d/%d\n", seed, i)
	if r.IntN(10) == 0 {
		fmt.Fprintf(&b, "DefaultDependencies=%s\n", boolean(r))
	}
	b.WriteString("\n[Service]\nExecStart=/usr/bin/python3 -m http.server\n")
	for _, d := range directives() {
		if r.Float64() >= d.chance {
			continue
		}
		n := 1
		if d.maxRep > 1 && r.IntN(4) == 0 {
			n += r.IntN(d.maxRep)
		}
		for range n {
			fmt.Fprintf(&b, "%s=%s\n", d.name, d.value(r))
		}
	}
	return b.String()
}

// Name is the unit file name for unit number i.
func Name(i int) string { return fmt.Sprintf("hlgen-%05d.service", i) }
