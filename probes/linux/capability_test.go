package linux

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCapabilityTable(t *testing.T) {
	if LastCapability != unix.CAP_LAST_CAP {
		t.Errorf("LastCapability = %d, x/sys/unix's CAP_LAST_CAP = %d: the table is behind the kernel headers", LastCapability, unix.CAP_LAST_CAP)
	}
	seen := map[string]bool{}
	for _, c := range Capabilities() {
		name := c.String()
		if !strings.HasPrefix(name, "CAP_") || strings.ToUpper(name) != name || seen[name] {
			t.Errorf("capability %d: bad or repeated name %q", c, name)
		}
		seen[name] = true
		for _, spelling := range []string{name, strings.ToLower(name), strconv.Itoa(int(c))} {
			if got, ok := ParseCapability(spelling); !ok || got != c {
				t.Errorf("ParseCapability(%q) = %d, %v, want %d", spelling, got, ok, c)
			}
		}
	}
	if len(seen) != int(LastCapability)+1 {
		t.Errorf("%d names for %d capabilities", len(seen), LastCapability+1)
	}
}

// TestCapabilitiesAgreeWithSystemd compares the table with what `systemd-analyze
// capability` printed for systemd 252 (257 printed the same).
func TestCapabilitiesAgreeWithSystemd(t *testing.T) {
	b, err := os.ReadFile("testdata/systemd-analyze-capability.txt")
	if err != nil {
		t.Fatal(err)
	}
	var listed []Capability
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n")[1:] {
		f := strings.Fields(line)
		n, err := strconv.Atoi(f[1])
		if len(f) != 2 || err != nil {
			t.Fatalf("bad line %q", line)
		}
		if got := Capability(n).String(); got != strings.ToUpper(f[0]) {
			t.Errorf("capability %d is %s here, %s in systemd", n, got, f[0])
		}
		listed = append(listed, Capability(n))
	}
	if !slices.Equal(listed, Capabilities()) {
		t.Errorf("systemd lists %v, the table has %v", listed, Capabilities())
	}
}

// TestParseCapabilitySpellings: the numeric forms were measured with
// `systemd-analyze security --offline=true` on CapabilityBoundingSet=~VALUE
// (252 and 257 agree).
func TestParseCapabilitySpellings(t *testing.T) {
	for _, c := range []struct {
		word string
		want Capability
		ok   bool
	}{
		{"Cap_Sys_Admin", CapSysAdmin, true}, {"21", CapSysAdmin, true}, {"0x15", CapSysAdmin, true},
		{"025", CapSysAdmin, true}, {"+21", CapSysAdmin, true}, {"63", 63, true},
		{"64", 0, false}, {"-1", 0, false}, {"CAP_FOO", 0, false}, {"", 0, false}, {"SYS_ADMIN", 0, false},
	} {
		got, ok := ParseCapability(c.word)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseCapability(%q) = %d, %v, want %d, %v", c.word, got, ok, c.want, c.ok)
		}
	}
}

func TestCapabilityNamesOfAMask(t *testing.T) {
	got := CapabilityNames(CapabilityMask(CapSysTime, CapSysModule) | 1<<50)
	if want := []string{"CAP_SYS_MODULE", "CAP_SYS_TIME", "cap_50"}; !slices.Equal(got, want) {
		t.Errorf("CapabilityNames = %q, want %q", got, want)
	}
	if CapabilityNames(0) != nil {
		t.Error("the empty set has names")
	}
}
