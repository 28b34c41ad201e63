package linux

import (
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Capability is a capability number (linux/capability.h).
type Capability uint

// The capabilities systemd 252 and 257 know by name (`systemd-analyze
// capability` lists the same 41 in both).
const (
	CapChown             Capability = unix.CAP_CHOWN
	CapDacOverride       Capability = unix.CAP_DAC_OVERRIDE
	CapDacReadSearch     Capability = unix.CAP_DAC_READ_SEARCH
	CapFowner            Capability = unix.CAP_FOWNER
	CapFsetid            Capability = unix.CAP_FSETID
	CapKill              Capability = unix.CAP_KILL
	CapSetgid            Capability = unix.CAP_SETGID
	CapSetuid            Capability = unix.CAP_SETUID
	CapSetpcap           Capability = unix.CAP_SETPCAP
	CapLinuxImmutable    Capability = unix.CAP_LINUX_IMMUTABLE
	CapNetBindService    Capability = unix.CAP_NET_BIND_SERVICE
	CapNetBroadcast      Capability = unix.CAP_NET_BROADCAST
	CapNetAdmin          Capability = unix.CAP_NET_ADMIN
	CapNetRaw            Capability = unix.CAP_NET_RAW
	CapIpcLock           Capability = unix.CAP_IPC_LOCK
	CapIpcOwner          Capability = unix.CAP_IPC_OWNER
	CapSysModule         Capability = unix.CAP_SYS_MODULE
	CapSysRawio          Capability = unix.CAP_SYS_RAWIO
	CapSysChroot         Capability = unix.CAP_SYS_CHROOT
	CapSysPtrace         Capability = unix.CAP_SYS_PTRACE
	CapSysPacct          Capability = unix.CAP_SYS_PACCT
	CapSysAdmin          Capability = unix.CAP_SYS_ADMIN
	CapSysBoot           Capability = unix.CAP_SYS_BOOT
	CapSysNice           Capability = unix.CAP_SYS_NICE
	CapSysResource       Capability = unix.CAP_SYS_RESOURCE
	CapSysTime           Capability = unix.CAP_SYS_TIME
	CapSysTtyConfig      Capability = unix.CAP_SYS_TTY_CONFIG
	CapMknod             Capability = unix.CAP_MKNOD
	CapLease             Capability = unix.CAP_LEASE
	CapAuditWrite        Capability = unix.CAP_AUDIT_WRITE
	CapAuditControl      Capability = unix.CAP_AUDIT_CONTROL
	CapSetfcap           Capability = unix.CAP_SETFCAP
	CapMacOverride       Capability = unix.CAP_MAC_OVERRIDE
	CapMacAdmin          Capability = unix.CAP_MAC_ADMIN
	CapSyslog            Capability = unix.CAP_SYSLOG
	CapWakeAlarm         Capability = unix.CAP_WAKE_ALARM
	CapBlockSuspend      Capability = unix.CAP_BLOCK_SUSPEND
	CapAuditRead         Capability = unix.CAP_AUDIT_READ
	CapPerfmon           Capability = unix.CAP_PERFMON
	CapBpf               Capability = unix.CAP_BPF
	CapCheckpointRestore Capability = unix.CAP_CHECKPOINT_RESTORE
)

// LastCapability is the highest capability with a name: CAP_LAST_CAP of
// the headers systemd 252 and 257 were built with. Bits above it have no
// name but are still capabilities: systemd takes them as numbers up to 63,
// and a newer kernel may grant them.
const LastCapability = CapCheckpointRestore

// maxCapability is the largest number capability_from_name() takes.
const maxCapability = 63

// capabilityNames is indexed by number: a number given twice does not
// compile, a gap is an empty string (which the tests refuse).
func capabilityNames() [LastCapability + 1]string {
	return [...]string{
		CapChown: "CAP_CHOWN", CapDacOverride: "CAP_DAC_OVERRIDE", CapDacReadSearch: "CAP_DAC_READ_SEARCH",
		CapFowner: "CAP_FOWNER", CapFsetid: "CAP_FSETID", CapKill: "CAP_KILL", CapSetgid: "CAP_SETGID",
		CapSetuid: "CAP_SETUID", CapSetpcap: "CAP_SETPCAP", CapLinuxImmutable: "CAP_LINUX_IMMUTABLE",
		CapNetBindService: "CAP_NET_BIND_SERVICE", CapNetBroadcast: "CAP_NET_BROADCAST", CapNetAdmin: "CAP_NET_ADMIN",
		CapNetRaw: "CAP_NET_RAW", CapIpcLock: "CAP_IPC_LOCK", CapIpcOwner: "CAP_IPC_OWNER",
		CapSysModule: "CAP_SYS_MODULE", CapSysRawio: "CAP_SYS_RAWIO", CapSysChroot: "CAP_SYS_CHROOT",
		CapSysPtrace: "CAP_SYS_PTRACE", CapSysPacct: "CAP_SYS_PACCT", CapSysAdmin: "CAP_SYS_ADMIN",
		CapSysBoot: "CAP_SYS_BOOT", CapSysNice: "CAP_SYS_NICE", CapSysResource: "CAP_SYS_RESOURCE",
		CapSysTime: "CAP_SYS_TIME", CapSysTtyConfig: "CAP_SYS_TTY_CONFIG", CapMknod: "CAP_MKNOD",
		CapLease: "CAP_LEASE", CapAuditWrite: "CAP_AUDIT_WRITE", CapAuditControl: "CAP_AUDIT_CONTROL",
		CapSetfcap: "CAP_SETFCAP", CapMacOverride: "CAP_MAC_OVERRIDE", CapMacAdmin: "CAP_MAC_ADMIN",
		CapSyslog: "CAP_SYSLOG", CapWakeAlarm: "CAP_WAKE_ALARM", CapBlockSuspend: "CAP_BLOCK_SUSPEND",
		CapAuditRead: "CAP_AUDIT_READ", CapPerfmon: "CAP_PERFMON", CapBpf: "CAP_BPF",
		CapCheckpointRestore: "CAP_CHECKPOINT_RESTORE",
	}
}

// String is the capability's name, upper case as the kernel headers spell
// it, or "cap_N" for a number without one.
func (c Capability) String() string {
	if c <= LastCapability {
		return capabilityNames()[c]
	}
	return "cap_" + strconv.Itoa(int(c))
}

// Mask is the capability's bit in a capability set.
func (c Capability) Mask() uint64 { return 1 << c }

// CapabilityMask is the set of the given capabilities.
func CapabilityMask(caps ...Capability) uint64 {
	var m uint64
	for _, c := range caps {
		m |= c.Mask()
	}
	return m
}

// Capabilities lists every named capability, by number.
func Capabilities() []Capability {
	out := make([]Capability, 0, LastCapability+1)
	for c := CapChown; c <= LastCapability; c++ {
		out = append(out, c)
	}
	return out
}

// CapabilityNames names the capabilities of a set, by number.
func CapabilityNames(mask uint64) []string {
	var out []string
	for c := Capability(0); c <= maxCapability; c++ {
		if mask&c.Mask() != 0 {
			out = append(out, c.String())
		}
	}
	return out
}

// ParseCapability reads one capability as systemd's capability_from_name()
// does: a name in any case, or a number 0..63 in systemd's integer syntax
// (so "025" is 21, octal, and "0x15" is 21 too).
func ParseCapability(word string) (Capability, bool) {
	if n, ok := parseInt(word); ok {
		if n < 0 || n > maxCapability {
			return 0, false
		}
		return Capability(n), true
	}
	names := capabilityNames()
	for c, name := range names {
		if strings.EqualFold(word, name) {
			return Capability(c), true
		}
	}
	return 0, false
}
