package linux

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestErrnoTable(t *testing.T) {
	seen := map[string]bool{}
	var last unix.Errno
	for _, e := range errnoNames() {
		if seen[e.name] || !strings.HasPrefix(e.name, "E") || e.errno <= 0 || e.errno < last {
			t.Errorf("bad, repeated or unsorted entry %+v", e)
		}
		seen[e.name], last = true, e.errno
		if got, ok := ParseErrno(strings.ToLower(e.name)); !ok || got != e.errno {
			t.Errorf("ParseErrno(%q) = %d, %v, want %d", strings.ToLower(e.name), got, ok, e.errno)
		}
	}
	for _, alias := range []struct {
		name, canonical string
	}{{"EWOULDBLOCK", "EAGAIN"}, {"EDEADLOCK", "EDEADLK"}, {"ENOTSUP", "EOPNOTSUPP"}} {
		if e, ok := ParseErrno(alias.name); !ok || ErrnoName(e) != alias.canonical {
			t.Errorf("%s is %d, named %q, want %s", alias.name, e, ErrnoName(e), alias.canonical)
		}
	}
}

// TestErrnoNamesAgreeWithUnix: x/sys/unix names the same numbers, but for
// the spellings systemd's list (glibc's) does not have.
func TestErrnoNamesAgreeWithUnix(t *testing.T) {
	differ := map[unix.Errno]string{95: "EOPNOTSUPP", 117: "EUCLEAN", 134: ""}
	for e := unix.Errno(1); e <= MaxErrno; e++ {
		want := unix.ErrnoName(e)
		if d, ok := differ[e]; ok {
			want = d
		}
		if got := ErrnoName(e); got != want {
			t.Errorf("errno %d: ErrnoName = %q, want %q", e, got, want)
		}
	}
}

// TestParseErrnoSpellings holds what systemd-analyze verify answered for
// SystemCallFilter=~uname:VALUE under 252 (bookworm) and 257 (trixie); the
// only difference found is noted.
func TestParseErrnoSpellings(t *testing.T) {
	valid := map[string]unix.Errno{
		"EPERM": 1, "eperm": 1, "eWouldBlock": 11, "ECANCELED": 125, "EUCLEAN": 117, "EOPNOTSUPP": 95,
		"ENOTSUP": 95, "EHWPOISON": 133, "ERFKILL": 132, "0": 0, "-0": 0, "+0": 0, "00": 0, "0x0": 0,
		"1": 1, "+5": 5, "05": 5, "133": 133, "134": 134, "4095": 4095, "0x10": 16, "0X10": 16,
		"0xfff": 4095, "0xFFF": 4095, "07777": 4095, "0777": 511, "+017": 15, "0b101": 5, "0B101": 5,
		"0o17": 15, "0O17": 15, "+0x5": 5, "0b 1": 1, " 0x10": 16, "00000000000000000001": 1,
	}
	for word, want := range valid {
		if got, ok := ParseErrno(word); !ok || got != want {
			t.Errorf("ParseErrno(%q) = %d, %v, want %d", word, got, ok, want)
		}
	}
	invalid := []string{
		"", "4096", "0x1000", "7777", "-5", "-1", "08", "09", "0x", "0b", "0o8", "4095.0", "1e3", "1_0",
		"+ 5", "5 ", "0x-5", "-0x5", "0b-1", "2147483648", "99999999999", "KILL", "kill",
		"ECANCELLED", "EREFUSED", "ENOTSUPP", "EFSCORRUPTED", "EFTYPE", "EFOO",
		// 257 accepts this one: trixie's glibc strtol() reads 0b after a sign.
		"+0b1",
	}
	for _, word := range invalid {
		if got, ok := ParseErrno(word); ok {
			t.Errorf("ParseErrno(%q) = %d, want it refused", word, got)
		}
	}
}
