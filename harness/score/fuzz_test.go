package score

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// FuzzScore feeds arbitrary unit text through the whole path the CLI and
// the runner use (parse, resolve, score for every version and mode). It
// must never panic, and a score, when there is one, must be consistent.
// The seed corpus is in testdata/fuzz/FuzzScore; more seeds come from the
// fixtures.
//
//	go test -run '^$' -fuzz FuzzScore -parallel 1 -fuzztime 10m ./harness/score/
func FuzzScore(f *testing.F) {
	for _, glob := range []string{"../../fixtures/*.service", "../../fixtures/score/bad/*.service"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		u, err := directive.Parse(bytes.NewReader(data), "fuzz.service")
		if err != nil {
			return
		}
		s, err := directive.Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			return
		}
		for _, v := range Versions() {
			for _, offline := range []bool{true, false} {
				r, err := Score(s, Options{Version: v, Offline: offline, UnitName: "fuzz.service"})
				if err != nil {
					t.Fatalf("systemd %d offline=%v: a resolved unit must score: %v", v, offline, err)
				}
				if r.Tenths < 0 || r.Tenths > 100 || r.Level == "" || len(r.Checks) != 81 {
					t.Fatalf("inconsistent result %+v", r)
				}
				if tenths, ok := Totals(r.Checks); !ok || tenths != r.Tenths {
					t.Fatalf("rows add up to %d, result says %d", tenths, r.Tenths)
				}
			}
		}
	})
}
