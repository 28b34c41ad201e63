package linux

import (
	"fmt"
	"strings"
)

// Personality is a personality(2) value: a persona in the low byte and
// flags above it (<sys/personality.h>, which x/sys/unix does not carry).
type Personality uint32

// The personas systemd's Personality= can set (the native ABI and, on a
// 64-bit host, its 32-bit one), the flags, and the query.
const (
	PerLinux   Personality = 0x0000
	PerLinux32 Personality = 0x0008
	PerMask    Personality = 0x00ff

	UName26          Personality = 0x0020000
	AddrNoRandomize  Personality = 0x0040000
	FDPICFuncPtrs    Personality = 0x0080000
	MmapPageZero     Personality = 0x0100000
	AddrCompatLayout Personality = 0x0200000
	ReadImpliesExec  Personality = 0x0400000
	AddrLimit32Bit   Personality = 0x0800000
	ShortInode       Personality = 0x1000000
	WholeSeconds     Personality = 0x2000000
	StickyTimeouts   Personality = 0x4000000
	AddrLimit3GB     Personality = 0x8000000

	// PersonalityQuery reads the current personality without changing
	// it; LockPersonality= still allows it.
	PersonalityQuery Personality = 0xffffffff
)

func personalityFlags() [11]struct {
	name string
	flag Personality
} {
	return [...]struct {
		name string
		flag Personality
	}{
		{"UNAME26", UName26}, {"ADDR_NO_RANDOMIZE", AddrNoRandomize}, {"FDPIC_FUNCPTRS", FDPICFuncPtrs},
		{"MMAP_PAGE_ZERO", MmapPageZero}, {"ADDR_COMPAT_LAYOUT", AddrCompatLayout},
		{"READ_IMPLIES_EXEC", ReadImpliesExec}, {"ADDR_LIMIT_32BIT", AddrLimit32Bit},
		{"SHORT_INODE", ShortInode}, {"WHOLE_SECONDS", WholeSeconds}, {"STICKY_TIMEOUTS", StickyTimeouts},
		{"ADDR_LIMIT_3GB", AddrLimit3GB},
	}
}

// String spells the persona and its flags, "PER_LINUX|ADDR_NO_RANDOMIZE";
// a persona or flag without a name is shown in hex.
func (p Personality) String() string {
	var parts []string
	switch persona := p & PerMask; persona {
	case PerLinux:
		parts = append(parts, "PER_LINUX")
	case PerLinux32:
		parts = append(parts, "PER_LINUX32")
	default:
		parts = append(parts, fmt.Sprintf("persona %#x", uint32(persona)))
	}
	rest := p &^ PerMask
	for _, f := range personalityFlags() {
		if rest&f.flag != 0 {
			parts = append(parts, f.name)
			rest &^= f.flag
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", uint32(rest)))
	}
	return strings.Join(parts, "|")
}
