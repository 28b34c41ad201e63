package vm

import "testing"

func TestStripANSI(t *testing.T) {
	tests := map[string]string{
		"plain": "plain",
		"[\x1b[0;32m  OK  \x1b[0m] Reached target": "[  OK  ] Reached target",
		"\x1b[0;1;39mdbus.service\x1b[0m":          "dbus.service",
		"cut\x1b[":                                 "cut",
		"\x1b7saved":                               "saved",
	}
	for in, want := range tests {
		if got := stripANSI(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
