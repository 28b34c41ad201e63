package directive

import (
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes"
)

// capabilityNumber returns the number of a capability name (any case) or
// of a decimal 0..63, as systemd's capability_from_name() does.
func capabilityNumber(word string) (int, bool) {
	if n, ok := smallDecimal(word, 63); ok {
		return n, true
	}
	for i, name := range probes.CapabilityNames() {
		if strings.EqualFold(word, name) {
			return i, true
		}
	}
	return 0, false
}

// namespaceFlags maps systemd's namespace type names (case-sensitive) to
// CLONE_NEW* bits.
var namespaceFlags = [...]struct {
	Name string
	Flag uint64
}{
	{"cgroup", unix.CLONE_NEWCGROUP},
	{"ipc", unix.CLONE_NEWIPC},
	{"net", unix.CLONE_NEWNET},
	{"mnt", unix.CLONE_NEWNS},
	{"pid", unix.CLONE_NEWPID},
	{"user", unix.CLONE_NEWUSER},
	{"uts", unix.CLONE_NEWUTS},
	{"time", unix.CLONE_NEWTIME},
}

// AllowedNamespaces lists, by systemd's names, the namespace types that
// RestrictNamespaces= still allows (time only when named, as in 252..257,
// whose "all" mask leaves it out).
func AllowedNamespaces(s *Settings) []string {
	var out []string
	for _, ns := range namespaceFlags {
		if s.RestrictNamespaces&ns.Flag != 0 {
			out = append(out, ns.Name)
		}
	}
	return out
}

func namespaceFlag(word string) (uint64, bool) {
	for _, ns := range namespaceFlags {
		if ns.Name == word {
			return ns.Flag, true
		}
	}
	return 0, false
}

// addressFamilies lists the AF_* names of glibc's sys/socket.h that systemd
// 252 accepts (matched case-insensitively), with their numbers. Aliases
// share a number; the first spelling of a number is canonical.
var addressFamilies = [...]struct {
	Name   string
	Number int
}{
	{"AF_UNIX", 1}, {"AF_LOCAL", 1}, {"AF_FILE", 1}, {"AF_INET", 2}, {"AF_AX25", 3},
	{"AF_IPX", 4}, {"AF_APPLETALK", 5}, {"AF_NETROM", 6}, {"AF_BRIDGE", 7}, {"AF_ATMPVC", 8},
	{"AF_X25", 9}, {"AF_INET6", 10}, {"AF_ROSE", 11}, {"AF_DECnet", 12}, {"AF_NETBEUI", 13},
	{"AF_SECURITY", 14}, {"AF_KEY", 15}, {"AF_NETLINK", 16}, {"AF_ROUTE", 16}, {"AF_PACKET", 17},
	{"AF_ASH", 18}, {"AF_ECONET", 19}, {"AF_ATMSVC", 20}, {"AF_RDS", 21}, {"AF_SNA", 22},
	{"AF_IRDA", 23}, {"AF_PPPOX", 24}, {"AF_WANPIPE", 25}, {"AF_LLC", 26}, {"AF_IB", 27},
	{"AF_MPLS", 28}, {"AF_CAN", 29}, {"AF_TIPC", 30}, {"AF_BLUETOOTH", 31}, {"AF_IUCV", 32},
	{"AF_RXRPC", 33}, {"AF_ISDN", 34}, {"AF_PHONET", 35}, {"AF_IEEE802154", 36}, {"AF_CAIF", 37},
	{"AF_ALG", 38}, {"AF_NFC", 39}, {"AF_VSOCK", 40}, {"AF_KCM", 41}, {"AF_QIPCRTR", 42},
	{"AF_SMC", 43}, {"AF_XDP", 44}, {"AF_MCTP", 45},
}

// addressFamily returns the canonical name and number of an AF_* name.
func addressFamily(word string) (string, int, bool) {
	for _, af := range addressFamilies {
		if strings.EqualFold(word, af.Name) {
			return canonicalFamily(af.Number), af.Number, true
		}
	}
	return "", 0, false
}

func canonicalFamily(number int) string {
	for _, af := range addressFamilies {
		if af.Number == number {
			return af.Name
		}
	}
	return ""
}

// errnoAliases are the second names glibc defines for an errno value;
// systemd accepts them too.
var errnoAliases = [...]struct {
	Name  string
	Errno unix.Errno
}{
	{"EWOULDBLOCK", unix.EAGAIN},
	{"EDEADLOCK", unix.EDEADLK},
	{"ENOTSUP", unix.EOPNOTSUPP},
}

// maxErrno is the largest errno number systemd accepts (errno_is_valid).
const maxErrno = 4095

// errnoByName is built once from x/sys/unix's errno names, so that the
// table follows the kernel headers rather than a hand-made list.
var errnoByName = sync.OnceValue(func() map[string]unix.Errno {
	m := make(map[string]unix.Errno, 160)
	for e := unix.Errno(1); e <= maxErrno; e++ {
		if name := unix.ErrnoName(e); name != "" {
			m[name] = e
		}
	}
	for _, alias := range errnoAliases {
		m[alias.Name] = alias.Errno
	}
	return m
})

// errnoNumber parses an errno name (any case) or a number 1..4095.
func errnoNumber(word string) (int32, bool) {
	if n, ok := smallDecimal(word, maxErrno); ok && n > 0 {
		return int32(n), true
	}
	e, ok := errnoByName()[strings.ToUpper(word)]
	return int32(e), ok
}

// errnoName is the canonical name of an errno number, or its decimal form.
func errnoName(n int32) string {
	if name := unix.ErrnoName(unix.Errno(n)); name != "" {
		return name
	}
	return strconv.Itoa(int(n))
}

// seccompErrnoKill is what systemd stores for SystemCallErrorNumber=kill
// (and reports over D-Bus): INT_MAX-1.
const seccompErrnoKill int32 = 1<<31 - 2

// syscallArchitectures are the SystemCallArchitectures= words of systemd
// 252 (seccomp_arch_to_string).
var syscallArchitectures = [...]string{
	"native", "x86", "x86-64", "x32", "arm", "arm64", "mips", "mips64", "mips64-n32",
	"mips-le", "mips64-le", "mips64-le-n32", "parisc", "parisc64", "ppc", "ppc64",
	"ppc64-le", "riscv64", "s390", "s390x",
}

// syscallGroups are the @groups systemd 252 defines
// (`systemd-analyze syscall-filter`).
var syscallGroups = [...]string{
	"@default", "@aio", "@basic-io", "@chown", "@clock", "@cpu-emulation", "@debug",
	"@file-system", "@io-event", "@ipc", "@keyring", "@memlock", "@module", "@mount",
	"@network-io", "@obsolete", "@pkey", "@privileged", "@process", "@raw-io", "@reboot",
	"@resources", "@setuid", "@signal", "@swap", "@sync", "@system-service", "@timer", "@known",
}

//go:generate go run ../score/internal/gensyscalls -directive -root /var/lib/hardenlab/rootfs/trixie-7b1fd969c801 -out syscalls_known.go

// syscallsOnly257Since is the systemd release hardenlab ties the names of
// syscallsOnly257 to. The real dependency is libseccomp's version, not
// systemd's: PID 1 keeps a name in a filter when the libseccomp it runs
// with resolves it, and the lists were generated from the libseccomp each
// modelled release ships with in Debian (2.5.4 beside 252 in bookworm,
// 2.6.0 beside 257 in trixie). A 252 linked against libseccomp 2.6 would
// keep these names and a 257 with 2.5 would ignore them; hardenlab
// approximates the libseccomp by the systemd release it was generated
// from, because the release is what it knows of the systemd under test.
const syscallsOnly257Since = 257

// knownSyscalls is the set of names every modelled release keeps
// (knownSyscallNames), onlyNewerSyscalls those only 257 keeps
// (syscallsOnly257). SystemCallFilter= accepts both: which one a given
// systemd keeps is checked where its version is known (NewerSyscalls).
var (
	knownSyscalls     = sync.OnceValue(func() map[string]bool { return wordSet(knownSyscallNames) })
	onlyNewerSyscalls = sync.OnceValue(func() map[string]bool { return wordSet(syscallsOnly257) })
)

func wordSet(s string) map[string]bool {
	names := strings.Fields(s)
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func isSyscallGroup(word string) bool {
	for _, g := range syscallGroups {
		if g == word {
			return true
		}
	}
	return false
}

func isArchitecture(word string) bool {
	for _, a := range syscallArchitectures {
		if a == word {
			return true
		}
	}
	return false
}

// smallDecimal parses a plain decimal 0..max (no sign, no spaces).
func smallDecimal(s string, max int) (int, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	n := 0
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= max
}
