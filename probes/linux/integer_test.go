package linux

import "testing"

func TestParseIntRange(t *testing.T) {
	for s, want := range map[string]int64{"2147483647": 1<<31 - 1, "-2147483648": -1 << 31, "0x7fffffff": 1<<31 - 1} {
		if got, ok := parseInt(s); !ok || got != want {
			t.Errorf("parseInt(%q) = %d, %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"2147483648", "-2147483649", "0x80000000", "+", "-", " ", "0b", "0o"} {
		if got, ok := parseInt(s); ok {
			t.Errorf("parseInt(%q) = %d, want it refused", s, got)
		}
	}
}
