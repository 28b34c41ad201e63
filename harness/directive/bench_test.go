package directive

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func BenchmarkParseFileHardened(b *testing.B) {
	for b.Loop() {
		if _, err := ParseFile("../../fixtures/p3test-hardened.service"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkResolveAndProperties(b *testing.B) {
	u, err := ParseFile("../../fixtures/p3test-hardened.service")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		s, err := Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			b.Fatal(err)
		}
		_ = s.Properties()
	}
}

// hostileFile is a unit file near the 10 MiB limit made of short lines
// that stress the merges (environment, IP sets) and the error path.
func hostileFile(bad bool) []byte {
	var buf bytes.Buffer
	buf.WriteString("[Service]\n")
	for i := 0; buf.Len() < maxFileSize-64; i++ {
		switch {
		case bad:
			fmt.Fprintf(&buf, "Bogus%d=x\n", i)
		case i%2 == 0:
			fmt.Fprintf(&buf, "Environment=V%d=%d\n", i, i)
		default:
			fmt.Fprintf(&buf, "IPAddressDeny=10.%d.%d.0/24\n", i>>8&255, i&255)
		}
	}
	return buf.Bytes()
}

// BenchmarkParseHostile shows that a maximal file stays linear: with the
// quadratic merges it used to have, one iteration took minutes.
func BenchmarkParseHostile(b *testing.B) {
	for _, bad := range []bool{false, true} {
		data := hostileFile(bad)
		b.Run(fmt.Sprintf("errors=%v", bad), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				_, err := Parse(bytes.NewReader(data), "hostile.service")
				if bad != (err != nil) {
					b.Fatalf("err = %v", err)
				}
				if bad && !strings.Contains(err.Error(), "more problems") {
					b.Fatalf("error list not capped")
				}
			}
		})
	}
}
