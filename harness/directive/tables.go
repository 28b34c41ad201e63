package directive

import (
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// AllowedNamespaces lists, by systemd's names, the namespace types that
// RestrictNamespaces= still allows (time only when named, as in 252..257,
// whose "all" mask leaves it out).
func AllowedNamespaces(s *Settings) []string {
	return strings.Fields(linux.Namespace(s.RestrictNamespaces).String())
}

// addressFamily returns the canonical name and number of an AF_* name.
func addressFamily(word string) (string, int, bool) {
	n, ok := linux.ParseAddressFamily(word)
	return linux.AddressFamilyName(n), n, ok
}

// errnoNumber parses the errno of SystemCallErrorNumber=: what
// parse_errno() takes, but not 0, which that directive refuses.
func errnoNumber(word string) (int32, bool) {
	e, ok := linux.ParseErrno(word)
	return int32(e), ok && e > 0
}

// ValidSyscallAction reports whether systemd takes the text after "name:"
// in SystemCallFilter= (seccomp_parse_errno_or_action()): "kill" or an
// errno, 0 included (the call then "succeeds" doing nothing).
func ValidSyscallAction(action string) bool {
	if action == "kill" {
		return true
	}
	_, ok := linux.ParseErrno(action)
	return ok
}

// errnoName is the canonical name of an errno number, or its decimal form.
func errnoName(n int32) string {
	if name := linux.ErrnoName(unix.Errno(n)); name != "" {
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

// syscallGroupsSince are the @groups younger than 252, with the first
// release that defines them; an older PID 1 logs "Unknown system call
// group, ignoring" and starts the unit without it (NewerSyscalls).
func syscallGroupsSince() map[string]int {
	return map[string]int{"@sandbox": 257}
}

func isSyscallGroup(word string) bool {
	_, newer := syscallGroupsSince()[word]
	return newer || slices.Contains(syscallGroups[:], word)
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
