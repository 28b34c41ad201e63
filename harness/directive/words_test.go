package directive

import (
	"reflect"
	"testing"
)

// TestSplitWords follows systemd's extract_first_word() semantics for the
// flag combinations the parsers use.
func TestSplitWords(t *testing.T) {
	tests := []struct {
		in    string
		flags splitFlags
		want  []string
		bad   bool
	}{
		{"  a  b\tc\n", 0, []string{"a", "b", "c"}, false},
		{`"a b" c`, 0, []string{`"a`, `b"`, "c"}, false}, // quotes are literal without unquote
		{`"a b" c`, unquote, []string{"a b", "c"}, false},
		{`a"b c"d 'e "f'`, unquote, []string{"ab cd", `e "f`}, false},
		{`a\ b`, 0, []string{"a b"}, false},
		{`a\x41`, 0, []string{"ax41"}, false},
		{`a\x41 \101 \u00e9 \n\t\\`, unquote | cunescape, []string{"aA", "A", "é", "\n\t\\"}, false},
		{`"a\"b"`, unquote | cunescape, []string{`a"b`}, false},
		{`"unbalanced`, unquote, nil, true},
		{`trailing\`, 0, nil, true},
		{`\q`, cunescape, nil, true},
		{`\x0`, cunescape, nil, true},
		{`\x00`, cunescape, nil, true},
		{`\uD800`, cunescape, nil, true},
		{"", 0, nil, false},
		{"   ", unquote, nil, false},
		{`""`, unquote, []string{""}, false},
	}
	for _, tc := range tests {
		got, err := splitWords(tc.in, tc.flags)
		if (err != nil) != tc.bad {
			t.Errorf("splitWords(%q, %d) error %v, want error %v", tc.in, tc.flags, err, tc.bad)
			continue
		}
		if !tc.bad && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitWords(%q, %d) = %q, want %q", tc.in, tc.flags, got, tc.want)
		}
	}
}
