package directive

import (
	"strings"
	"testing"
)

// TestLexerMatchesSystemd: each text was fed to systemd-analyze verify and
// security --offline=true of 252 and 257 (which agreed on every case); the
// score row of PrivateNetwork= shows whether that line was read as its own
// assignment or swallowed by a continuation.
func TestLexerMatchesSystemd(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // "LINE Section.Name=Value"
	}{
		{"comment inside a continuation is skipped, the continuation goes on",
			"[Service]\nExecStart=/bin/true \\\n# PrivateNetwork=yes\nPrivateNetwork=yes\n",
			[]string{"4 Service.ExecStart=/bin/true  PrivateNetwork=yes"}},
		{"backslash on the last line, no newline",
			"[Service]\nExecStart=/bin/true\nPrivateNetwork=yes \\",
			[]string{"2 Service.ExecStart=/bin/true", "3 Service.PrivateNetwork=yes"}},
		{"backslash then spaces is no continuation",
			"[Service]\nExecStart=/bin/true \\   \nPrivateNetwork=yes\n",
			[]string{"2 Service.ExecStart=/bin/true \\", "3 Service.PrivateNetwork=yes"}},
		{"escaped backslash is no continuation",
			"[Service]\nExecStart=/bin/true \\\\\nPrivateNetwork=yes\n",
			[]string{"2 Service.ExecStart=/bin/true \\\\", "3 Service.PrivateNetwork=yes"}},
		{"empty line ends a continuation",
			"[Service]\nExecStart=/bin/true \\\n   \nPrivateNetwork=yes\n",
			[]string{"3 Service.ExecStart=/bin/true", "4 Service.PrivateNetwork=yes"}},
		{"indented comments and headers, spaces around =",
			"[Service]\nExecStart=/bin/true\n  ; x=y\n  [Unit]  \nDescription = x\n",
			[]string{"2 Service.ExecStart=/bin/true", "5 Unit.Description=x"}},
		{"CRLF continuation joins", "[Service]\nExecStart=/bin/true \\\r\nPrivateNetwork=yes\r\n",
			[]string{"3 Service.ExecStart=/bin/true  PrivateNetwork=yes"}},
		{"CR ends a line", "[Service]\nExecStart=/bin/true\rPrivateNetwork=yes\rPrivateTmp=yes",
			[]string{"2 Service.ExecStart=/bin/true", "3 Service.PrivateNetwork=yes", "4 Service.PrivateTmp=yes"}},
		{"continued value keeps the next line's indentation",
			"[Service]\nProtectSystem=\\\nbogus\\\n  bogus2\n",
			[]string{"4 Service.ProtectSystem=bogus   bogus2"}},
		{"byte order mark", "\xef\xbb\xbf[Service]\nPrivateTmp=yes\n", []string{"2 Service.PrivateTmp=yes"}},
		{"a 3000-byte line", "[Service]\nExecStart=/bin/true " + strings.Repeat("a", 3000) + "\n",
			[]string{"2 Service.ExecStart=/bin/true " + strings.Repeat("a", 3000)}},
		{"line of LONG_LINE_MAX-1 bytes", "[Service]\n" + strings.Repeat("A", longLineMax-3) + "=1\n",
			[]string{"2 Service." + strings.Repeat("A", longLineMax-3) + "=1"}},
		{"empty section name", "[]\nA=1\n", []string{"2 .A=1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lex, err := lexUnit([]byte(tc.text), "t.service")
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, o := range lex.options {
				got = append(got, strings.Join([]string{itoa(o.Line), " ", o.Section, ".", o.Name, "=", o.Value}, ""))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestLexerSkipsWhatSystemdSkips: systemd warns and ignores these lines
// ("Assignment outside of section", "Missing '='", "Missing key name
// before '='"), and reads .include as a line without "=".
func TestLexerSkipsWhatSystemdSkips(t *testing.T) {
	lex, err := lexUnit([]byte("Foo=bar\n[Service]\nNoEquals\n=novalue\n.include /x.conf\nA=1\n"), "t.service")
	if err != nil {
		t.Fatal(err)
	}
	if len(lex.options) != 1 || lex.options[0].Line != 6 {
		t.Errorf("options %+v", lex.options)
	}
	var lines []int
	for _, n := range lex.skipped {
		lines = append(lines, n.Source.Line)
	}
	if len(lines) != 4 || lines[0] != 1 || lines[1] != 3 || lines[2] != 4 || lines[3] != 5 {
		t.Errorf("skipped lines %v, want 1 3 4 5", lines)
	}
	if _, err := lexUnit([]byte("[Service]\n"+strings.Repeat("A", longLineMax)+"\n"), "t.service"); err == nil {
		t.Error("a line of LONG_LINE_MAX bytes was accepted; systemd refuses it")
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
