package linux

import (
	"strconv"
	"strings"
)

// parseInt reads an int the way systemd's safe_atoi() does: leading
// whitespace, systemd's own 0b/0o prefixes (seen only before any sign), then
// strtol() with base 0: whitespace again, a sign, 0x for hex, a leading 0
// for octal, decimal otherwise. The whole text must be a number that fits a C int.
//
// glibc 2.38 and later also take a 0b prefix after a sign ("+0b1"), so
// systemd 257 on Debian trixie accepts a spelling that 252 on bookworm
// refuses; this follows 252.
func parseInt(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\r")
	base := 0
	if len(s) >= 2 && s[0] == '0' {
		switch s[1] {
		case 'b', 'B':
			base, s = 2, s[2:]
		case 'o', 'O':
			base, s = 8, s[2:]
		}
	}
	s = strings.TrimLeft(s, " \t\n\v\f\r") // strtol() skips isspace() itself
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg, s = s[0] == '-', s[1:]
	}
	if base == 0 {
		switch {
		case len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isHexDigit(s[2]):
			base, s = 16, s[2:]
		case strings.HasPrefix(s, "0"):
			base = 8
		default:
			base = 10
		}
	}
	// An explicit base keeps ParseUint from taking Go's own prefixes and
	// underscores, which strtol() does not know.
	n, err := strconv.ParseUint(s, base, 32)
	if err != nil || n > 1<<31 || !neg && n == 1<<31 {
		return 0, false
	}
	if neg {
		return -int64(n), true
	}
	return int64(n), true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
