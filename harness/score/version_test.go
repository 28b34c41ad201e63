package score

import (
	"context"
	"testing"
)

func TestParseVersion(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Version
		ok   bool
	}{{"252", V252, true}, {"v257", V257, true}, {"257.13", V257, true}, {"252.39", V252, true}, {"252.39-1~deb12u2", V252, true},
		{"254", 0, false}, {"", 0, false}, {"latest", 0, false}, {"2 52", 0, false}, {"252abc", 0, false}} {
		got, err := ParseVersion(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseVersion(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestNearestVersion(t *testing.T) {
	for found, want := range map[int]Version{0: V257, 100: V257, 252: V252, 255: V252, 257: V257, 260: V257} {
		if got := nearestVersion(found); got != want {
			t.Errorf("nearestVersion(%d) = %v, want %v", found, got, want)
		}
	}
}

// DetectVersion must never fail, whatever is installed.
func TestDetectVersionModelled(t *testing.T) {
	v, _ := DetectVersion(context.Background())
	if _, err := semanticsOf(v); err != nil {
		t.Fatal(err)
	}
}
