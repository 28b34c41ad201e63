package directive

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary unit files to Parse. It must never panic or
// hang; every refusal must name the file; a success must resolve and
// render properties whose signatures match the table; and the line
// locator must agree with go-systemd's parser whenever go-systemd accepts
// the text (otherwise errors would carry wrong line numbers).
func FuzzParse(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const path = "fuzz.service"
		u, err := Parse(bytes.NewReader(data), path)
		if err != nil {
			if !strings.HasPrefix(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			var de *Error
			if errors.As(err, &de) && de.Source.File != path {
				t.Fatalf("*Error names %q, want %q", de.Source.File, path)
			}
		} else {
			s, err := Resolve(u.Service, u.DefaultDependencies)
			if err != nil {
				t.Fatalf("Parse accepted what Resolve refuses: %v", err)
			}
			for _, p := range s.Properties() {
				spec, ok := lookupProperty(p.Name)
				if base, ex := strings.CutSuffix(p.Name, "Ex"); !ok && ex {
					// Commands with prefixes (sasb) cannot carry.
					spec, ok = lookupProperty(base)
					spec.Signature = ExecExSignature
				}
				if !ok {
					t.Fatalf("property %s is not in the table", p.Name)
				}
				if sig := p.Value.Signature().String(); sig != spec.SignatureOf(p.Name) && sig != spec.Signature {
					t.Fatalf("property %s has signature %s, table says %s", p.Name, sig, spec.Signature)
				}
			}
		}
		// Every option the lexer reports sits on a line of the text, in
		// order, so no error can carry a wrong line number.
		lex, err := lexUnit(data, path)
		if err != nil {
			return
		}
		last, n := 0, 0
		for range physicalLines(string(data)) {
			n++
		}
		for _, o := range lex.options {
			if o.Line < last || o.Line < 1 || o.Line > n {
				t.Fatalf("option %+v on line %d: previous %d, text has %d lines", o, o.Line, last, n)
			}
			last = o.Line
		}
	})
}

func lookupProperty(name string) (Spec, bool) {
	for _, s := range Specs() {
		for _, p := range s.Properties {
			if p == name {
				return s, true
			}
		}
	}
	return Spec{}, false
}

// fuzzSeeds are the committed starting points besides testdata/fuzz.
func fuzzSeeds() []string {
	return []string{
		// systemd's line rules: comments inside continuations, CR and NUL
		// line ends, a backslash at the end of the text, specifiers.
		"[Service]\nExecStart=/bin/echo %n \\\n# c\n  %I\r\nUser=%i\x00Environment=A=%%\nPrivateTmp=yes \\",
		"\xef\xbb\xbf[Unit]\nDescription=Getty on %I\n[Service]\nExecStart=!!-@/sbin/agetty agetty %I ; +/bin/true\nType=oneshot\n",
		"[Unit]\nDescription=x\n[Service]\nExecStart=/usr/bin/python3 -m http.server\nProtectSystem=strict\n[Install]\nWantedBy=multi-user.target\n",
		"[Service]\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE\nCapabilityBoundingSet=~CAP_SYS_ADMIN\nCapabilityBoundingSet=\n",
		"[Service]\nSystemCallFilter=@system-service\nSystemCallFilter=~@privileged ptrace:EPERM\n",
		"[Service]\nExecStart=/bin/sh -c \"echo a; echo b\" ; /bin/true\n",
		"[Service]\nEnvironment=\"A=x y\" B=\\x41\\\n  C=3\n",
		"# comment\n; other\n[Service]\nIPAddressAllow=any localhost 10.0.0.0/8 ::1\n",
		"[Service]\nRestrictAddressFamilies=AF_UNIX\r\nRestrictAddressFamilies=~AF_INET\r\n",
		"[Service]\nNoNewPrivileges=maybe\nUMask=999\nExecStart=+/bin/true\n",
		"junk before [Service]\nA\n",
		"[Service] trailing\n",
		"[Service\nExecStart=/bin/true",
		"[Service]\nExecStart=/bin/echo \\\n",
	}
}

// FuzzParseAssignment feeds arbitrary command-line assignments: refusals
// must be *Error values naming "-p" and the directive, never panics; an
// accepted assignment must resolve and render.
func FuzzParseAssignment(f *testing.F) {
	for _, spec := range Specs() {
		f.Add(spec.Name + "=" + spec.Example)
		f.Add(spec.Name + "=~" + spec.Example)
		f.Add(spec.Name + "=")
	}
	f.Add("ExecStart=-@/bin/sh sh -c \"a\\x41\" \\; ; /bin/true")
	f.Add("IPAddressAllow=::ffff:1.2.3.4/120 foo.localhost")
	f.Fuzz(func(t *testing.T, in string) {
		src := Source{File: "-p"}
		a, err := ParseAssignment(in, src)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.Source != src {
				t.Fatalf("ParseAssignment(%q) = %v, want an *Error from -p", in, err)
			}
			if !strings.HasPrefix(err.Error(), "-p: ") {
				t.Fatalf("message %q does not start with the source", err)
			}
			return
		}
		s, err := Resolve([]Assignment{a}, true)
		if err != nil {
			t.Fatalf("ParseAssignment accepted what Resolve refuses: %v", err)
		}
		_ = s.Properties()
		_ = CheckReadback(s, map[string]interface{}{})
	})
}
