package directive

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// infinity is systemd's USEC_INFINITY, CGROUP_LIMIT_MAX and RLIM_INFINITY
// on the wire.
const infinity = math.MaxUint64

// timeUnits are parse_time()'s unit words, in microseconds.
var timeUnits = []struct {
	words []string
	usec  float64
}{
	{[]string{"seconds", "second", "sec", "s"}, 1e6},
	{[]string{"minutes", "minute", "min"}, 60e6},
	{[]string{"months", "month", "M"}, 2629800e6},
	{[]string{"msec", "ms"}, 1e3},
	{[]string{"usec", "us", "µs", "μs"}, 1},
	{[]string{"nsec", "ns"}, 1e-3},
	{[]string{"hours", "hour", "hr", "h"}, 3600e6},
	{[]string{"days", "day", "d"}, 86400e6},
	{[]string{"weeks", "week", "w"}, 604800e6},
	{[]string{"years", "year", "y"}, 31557600e6},
	{[]string{"m"}, 60e6},
}

// parseTimeSpan reads a systemd time span ("5s", "1min 30s", "100ms",
// "infinity"; a bare number is in units of def microseconds) into
// microseconds, as parse_time() does.
func parseTimeSpan(s string, def float64) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "infinity" {
		return infinity, nil
	}
	if s == "" {
		return 0, errors.New("empty time span")
	}
	var total float64
	for rest := s; rest != ""; rest = strings.TrimLeft(rest, " \t") {
		n := strings.IndexFunc(rest, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
		if n == 0 {
			return 0, fmt.Errorf("time span %q: expected a number at %q", s, rest)
		}
		if n < 0 {
			n = len(rest)
		}
		num, err := strconv.ParseFloat(rest[:n], 64)
		if err != nil || num < 0 {
			return 0, fmt.Errorf("time span %q: bad number %q", s, rest[:n])
		}
		rest = strings.TrimLeft(rest[n:], " \t")
		unit, mult := "", def
		if rest != "" && !(rest[0] >= '0' && rest[0] <= '9') {
			unit, mult, rest = cutTimeUnit(rest)
			if unit == "" {
				return 0, fmt.Errorf("time span %q: unknown unit at %q (want us, ms, s, min, h, d, w, M, y)", s, rest)
			}
		}
		total += num * mult
	}
	if total >= float64(infinity) {
		return 0, fmt.Errorf("time span %q is too large", s)
	}
	return uint64(total), nil
}

func cutTimeUnit(s string) (unit string, usec float64, rest string) {
	for _, u := range timeUnits {
		for _, w := range u.words {
			if after, ok := strings.CutPrefix(s, w); ok && (after == "" || !isLetter(after[0])) {
				return w, u.usec, after
			}
		}
	}
	return "", 0, s
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// parseSize reads "512", "64K", "1.5G" in base 1024 (parse_size()).
func parseSize(s string) (uint64, error) {
	n, err := parseSizeBase(s, 1024)
	if errors.Is(err, errNotSize) {
		return 0, fmt.Errorf("%q is not a size (a number with an optional K, M, G, T, P or E suffix, base 1024)", s)
	}
	return n, err
}

var errNotSize = errors.New("not a size")

// parseSizeBase is parse_size() with its base: 1024 for memory, 1000 for
// IO bandwidth.
func parseSizeBase(s string, base float64) (uint64, error) {
	suffixes := "BKMGTPE"
	num, mult := s, 1.0
	if n := len(s); n > 0 {
		if i := strings.IndexByte(suffixes, s[n-1]); i >= 0 {
			num, mult = s[:n-1], math.Pow(base, float64(i))
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || strings.ContainsAny(num, "eEx+-") || num == "" {
		return 0, errNotSize
	}
	if v*mult >= float64(infinity) {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return uint64(v * mult), nil
}

// parsePercent reads "50%" (or "5.5%") into permyriad, as parse_permyriad().
func parsePercent(s string) (uint32, bool, error) {
	num, ok := strings.CutSuffix(s, "%")
	if !ok {
		return 0, false, nil
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || v > 100 || strings.ContainsAny(num, "eEx+-") {
		return 0, true, fmt.Errorf("%q is not a percentage from 0%% to 100%%", s)
	}
	return uint32(math.Round(v * 100)), true, nil
}

// scaleFromPermyriad is UINT32_SCALE_FROM_PERMYRIAD: 100% is 2^32-1.
func scaleFromPermyriad(p uint32) uint32 {
	return uint32((uint64(p)*math.MaxUint32 + 5000) / 10000)
}

// parseSignal reads a signal name ("SIGTERM", "TERM", "RTMIN+3") or number
// as signal_from_string() does.
func parseSignal(s string) (int32, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 || n > 64 {
			return 0, fmt.Errorf("signal number %d out of range 1..64", n)
		}
		return int32(n), nil
	}
	name := strings.TrimPrefix(s, "SIG")
	if off, ok := strings.CutPrefix(name, "RTMIN+"); ok {
		if n, err := strconv.Atoi(off); err == nil && n >= 0 && 34+n <= 64 {
			return int32(34 + n), nil
		}
	}
	if off, ok := strings.CutPrefix(name, "RTMAX-"); ok {
		if n, err := strconv.Atoi(off); err == nil && n >= 0 && 64-n >= 34 {
			return int32(64 - n), nil
		}
	}
	switch name {
	case "RTMIN":
		return 34, nil
	case "RTMAX":
		return 64, nil
	}
	if n := unix.SignalNum("SIG" + name); n != 0 {
		return int32(n), nil
	}
	return 0, fmt.Errorf("unknown signal %q", s)
}

// exitStatusNames are the names exit_status_from_string() takes beside
// numbers (the LSB, BSD sysexits and systemd ranges of exit-status.c).
var exitStatusNames = map[string]int32{
	"SUCCESS": 0, "FAILURE": 1, "INVALIDARGUMENT": 2, "NOTIMPLEMENTED": 3, "NOPERMISSION": 4, "NOTINSTALLED": 5,
	"NOTCONFIGURED": 6, "NOTRUNNING": 7,
	"USAGE": 64, "DATAERR": 65, "NOINPUT": 66, "NOUSER": 67, "NOHOST": 68, "UNAVAILABLE": 69, "SOFTWARE": 70,
	"OSERR": 71, "OSFILE": 72, "CANTCREAT": 73, "IOERR": 74, "TEMPFAIL": 75, "PROTOCOL": 76, "NOPERM": 77, "CONFIG": 78,
	"CHDIR": 200, "NICE": 201, "FDS": 202, "EXEC": 203, "MEMORY": 204, "LIMITS": 205, "OOM_ADJUST": 206,
	"SIGNAL_MASK": 207, "STDIN": 208, "STDOUT": 209, "CHROOT": 210, "IOPRIO": 211, "TIMERSLACK": 212,
	"SECUREBITS": 213, "SETSCHEDULER": 214, "CPUAFFINITY": 215, "GROUP": 216, "USER": 217, "CAPABILITIES": 218,
	"CGROUP": 219, "SETSID": 220, "CONFIRM": 221, "STDERR": 222, "PAM": 224, "NETWORK": 225, "NAMESPACE": 226,
	"NO_NEW_PRIVILEGES": 227, "SECCOMP": 228, "SELINUX_CONTEXT": 229, "PERSONALITY": 230, "APPARMOR": 231,
	"ADDRESS_FAMILIES": 232, "RUNTIME_DIRECTORY": 233, "CHOWN": 235, "SMACK_PROCESS_LABEL": 236, "KEYRING": 237,
	"STATE_DIRECTORY": 238, "CACHE_DIRECTORY": 239, "LOGS_DIRECTORY": 240, "CONFIGURATION_DIRECTORY": 241,
	"NUMA_POLICY": 242, "CREDENTIALS": 243, "BPF": 245,
}

// parseExitStatus reads an exit status (0..255 or a name); ok is false
// when the word is not one, so that it may be a signal.
func parseExitStatus(s string) (int32, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return int32(n), n >= 0 && n <= 255
	}
	n, ok := exitStatusNames[s]
	return n, ok
}

// parseInt reads a decimal integer within [min, max].
func parseInt(s string, min, max int64) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%q is not an integer from %d to %d", s, min, max)
	}
	return n, nil
}

// parseMode reads an octal file mode 0..07777.
func parseMode(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 8, 32)
	if err != nil || n > 0o7777 {
		return 0, fmt.Errorf("%q is not an octal mode 0000..7777", s)
	}
	return uint32(n), nil
}
