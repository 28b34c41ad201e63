package linux

import (
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestAddressFamilyTable(t *testing.T) {
	seen := map[string]bool{}
	canonical := map[int]string{}
	for _, af := range addressFamilies() {
		upper := strings.ToUpper(af.name)
		if seen[upper] || !strings.HasPrefix(af.name, "AF_") || af.family <= unix.AF_UNSPEC || af.family >= unix.AF_MAX {
			t.Errorf("bad or repeated entry %+v", af)
		}
		seen[upper] = true
		if _, ok := canonical[af.family]; !ok {
			canonical[af.family] = af.name
		}
		n, ok := ParseAddressFamily(strings.ToLower(af.name))
		if !ok || n != af.family || AddressFamilyName(n) != canonical[af.family] {
			t.Errorf("%s: parsed %d %v, named %q", af.name, n, ok, AddressFamilyName(n))
		}
	}
	for f := unix.AF_UNSPEC + 1; f < unix.AF_MAX; f++ {
		if AddressFamilyName(f) == "" {
			t.Errorf("family %d has no name", f)
		}
	}
	for alias, want := range map[string]string{"AF_LOCAL": "AF_UNIX", "AF_FILE": "AF_UNIX", "AF_ROUTE": "AF_NETLINK"} {
		if n, _ := ParseAddressFamily(alias); AddressFamilyName(n) != want {
			t.Errorf("%s names %s, want %s", alias, AddressFamilyName(n), want)
		}
	}
}

// TestParseAddressFamilySpellings: measured with systemd-analyze verify on
// RestrictAddressFamilies=VALUE (252 and 257 agree).
func TestParseAddressFamilySpellings(t *testing.T) {
	for word, want := range map[string]int{"af_inet": unix.AF_INET, "Af_Unix": unix.AF_UNIX, "AF_decnet": unix.AF_DECnet, "AF_MCTP": unix.AF_MCTP} {
		if n, ok := ParseAddressFamily(word); !ok || n != want {
			t.Errorf("ParseAddressFamily(%q) = %d, %v, want %d", word, n, ok, want)
		}
	}
	for _, bad := range []string{"AF_UNSPEC", "AF_MAX", "AF_FOO", "INET", "", "2"} {
		if _, ok := ParseAddressFamily(bad); ok {
			t.Errorf("ParseAddressFamily(%q) succeeded", bad)
		}
	}
}
