package directive

import (
	"strings"
	"testing"
)

// Settings reuses what parsing resolved, and resolves again once the
// Service lines change.
func TestUnitSettingsFollowsTheServiceLines(t *testing.T) {
	u, err := Parse(strings.NewReader("[Service]\nExecStart=/bin/true\nPrivateTmp=yes\n"), "x.service")
	if err != nil {
		t.Fatal(err)
	}
	first, err := u.Settings()
	if err != nil || !first.PrivateTmp {
		t.Fatalf("Settings = %+v, %v", first, err)
	}
	if again, _ := u.Settings(); again != first {
		t.Error("a second call resolved the unchanged lines again")
	}
	u.Service = append(u.Service, Assignment{Name: "PrivateTmp", Value: "no", Source: Source{File: "x", Line: 9}})
	changed, err := u.Settings()
	if err != nil || changed.PrivateTmp {
		t.Errorf("after appending PrivateTmp=no: %+v, %v", changed, err)
	}
	u.Service = u.Service[:2]
	u.DefaultDependencies = false
	if s, _ := u.Settings(); s == first || s.DefaultDependencies {
		t.Error("DefaultDependencies=no did not resolve again")
	}
}

// The separator helpers are strings.Trim and friends with wordSeparators.
func TestSeparatorHelpersMatchStrings(t *testing.T) {
	for _, s := range []string{"", " ", "\t\r\n ", " a ", "\ta b\n", "x", "\va\v", " \u00a0x\u00a0 ", "\r\nkey = value \t"} {
		if got, want := trimSeparators(s), strings.Trim(s, wordSeparators); got != want {
			t.Errorf("trimSeparators(%q) = %q, want %q", s, got, want)
		}
		if got, want := trimLeftSeparators(s), strings.TrimLeft(s, wordSeparators); got != want {
			t.Errorf("trimLeftSeparators(%q) = %q, want %q", s, got, want)
		}
		if got, want := trimRightSeparators(s), strings.TrimRight(s, wordSeparators); got != want {
			t.Errorf("trimRightSeparators(%q) = %q, want %q", s, got, want)
		}
	}
	for c := range 256 {
		if isSeparator(byte(c)) != strings.ContainsRune(wordSeparators, rune(c)) {
			t.Errorf("isSeparator(%#x) disagrees with wordSeparators", c)
		}
	}
}

// Words without escapes or quotes are split as strings.FieldsFunc splits
// them at the separators, whichever the flags.
func TestNextWordPlainWords(t *testing.T) {
	alphabet := []string{"a", "b", " ", "\t", "\n", "\r", "é", "%", "=", "'"}
	for n := range 20000 {
		var sb strings.Builder
		for k, x := 0, n; k < 7; k, x = k+1, x/len(alphabet) {
			sb.WriteString(alphabet[(x+k*n)%len(alphabet)])
		}
		s := sb.String()
		for _, flags := range []splitFlags{0, cunescape} { // "'" is plain without unquote
			var got []string
			for rest := s; ; {
				w, r, ok, err := nextWord(rest, flags)
				if err != nil {
					t.Fatalf("%q: %v", s, err)
				}
				if !ok {
					break
				}
				got, rest = append(got, w), r
			}
			want := strings.FieldsFunc(s, func(r rune) bool { return r < 128 && isSeparator(byte(r)) })
			if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
				t.Fatalf("%q (flags %d): got %q, want %q", s, flags, got, want)
			}
		}
	}
}
