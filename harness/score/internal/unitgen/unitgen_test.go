package unitgen

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

func TestDirectivesAreKnown(t *testing.T) {
	seen := map[string]bool{}
	for _, d := range directives() {
		if seen[d.name] {
			t.Errorf("%s listed twice", d.name)
		}
		seen[d.name] = true
		if _, ok := directive.Lookup(d.name); !ok {
			t.Errorf("%s is not a directive the project's parser knows", d.name)
		}
		if d.chance <= 0 || d.chance > 1 || d.value == nil {
			t.Errorf("%s: bad chance or no value generator", d.name)
		}
	}
}

// Generated units must be valid input: systemd accepts them (the parity
// tests check that side), and so must our parser.
func TestUnitsParse(t *testing.T) {
	for i := range 500 {
		text := Unit(3, i)
		if text != Unit(3, i) {
			t.Fatalf("unit %d is not deterministic", i)
		}
		u, err := directive.Parse(strings.NewReader(text), Name(i))
		if err == nil {
			_, err = directive.Resolve(u.Service, u.DefaultDependencies)
		}
		if err != nil {
			t.Fatalf("unit %d: %v\n%s", i, err, text)
		}
	}
}
