package run

import "testing"

func TestEscapeUnitPart(t *testing.T) {
	for in, want := range map[string]string{
		"p3test-hardened": "p3test-hardened",
		"a b/c":           `a\x20b\x2fc`,
		"-x":              `\x2dx`,
		".hidden":         `\x2ehidden`,
		"ünï":             `\xc3\xbcn\xc3\xaf`,
	} {
		if got := escapeUnitPart(in); got != want {
			t.Errorf("escapeUnitPart(%q) = %q, want %q", in, got, want)
		}
	}
}
