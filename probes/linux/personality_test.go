package linux

import (
	"math/bits"
	"testing"
)

func TestPersonalityTable(t *testing.T) {
	var all Personality
	seen := map[string]bool{}
	for _, f := range personalityFlags() {
		if bits.OnesCount32(uint32(f.flag)) != 1 || f.flag&PerMask != 0 || all&f.flag != 0 || seen[f.name] {
			t.Errorf("bad or repeated flag %+v", f)
		}
		all |= f.flag
		seen[f.name] = true
	}
	if PerLinux32&^PerMask != 0 || PerLinux&^PerMask != 0 {
		t.Error("a persona has bits outside PER_MASK")
	}
}

func TestPersonalityString(t *testing.T) {
	for p, want := range map[Personality]string{
		PerLinux:                             "PER_LINUX",
		PerLinux | AddrNoRandomize:           "PER_LINUX|ADDR_NO_RANDOMIZE",
		PerLinux32 | AddrLimit3GB:            "PER_LINUX32|ADDR_LIMIT_3GB",
		0x0006 | StickyTimeouts | 0x10000000: "persona 0x6|STICKY_TIMEOUTS|0x10000000",
	} {
		if got := p.String(); got != want {
			t.Errorf("%#x: %q, want %q", uint32(p), got, want)
		}
	}
}
