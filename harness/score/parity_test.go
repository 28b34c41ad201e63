//go:build parity

// Parity tests: our offline scores against the real systemd-analyze 252
// (the host's) and 257 (a cached Debian trixie root, built on first use):
// generated units here, real units in parity_real_test.go.
// They need root and systemd-analyze:
//
//	go test -tags parity -run Parity -v ./harness/score/
//
// HARDENLAB_PARITY_UNITS sets the number of generated units (default 1000),
// HARDENLAB_PARITY_SEED the generator seed (default 42).
package score

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/rootfs"
	"github.com/hardenlab/hardenlab/harness/score/internal/unitgen"
)

// trixie is the root that provides systemd 257.
var trixie = rootfs.Spec{Suite: "trixie", Packages: []string{"systemd", "dbus", "python3"}}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

type parityUnit struct {
	path     string // written into the scratch directory
	origin   string // where it came from, for failure messages
	text     string
	settings *directive.Settings
}

// generatedCorpus writes the generated units into dir; the real units are
// parity_real_test.go's.
func generatedCorpus(t *testing.T, dir string) []parityUnit {
	t.Helper()
	n := envInt(t, "HARDENLAB_PARITY_UNITS", 1000)
	seed := uint64(envInt(t, "HARDENLAB_PARITY_SEED", 42))
	var units []parityUnit
	add := func(name, origin, text string) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		u, err := directive.ParseFile(path)
		if err == nil {
			var s *directive.Settings
			s, err = directive.Resolve(u.Service, u.DefaultDependencies)
			if err == nil {
				units = append(units, parityUnit{path: path, origin: origin, text: text, settings: s})
				return
			}
		}
		t.Errorf("%s: our parser rejects a unit systemd accepts: %v\n%s", origin, err, text)
	}
	for i := range n {
		add(unitgen.Name(i), fmt.Sprintf("generated unit seed=%d i=%d", seed, i), unitgen.Unit(seed, i))
	}
	t.Logf("corpus: %d generated units", len(units))
	return units
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func requireAnalyze(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("parity tests need root")
	}
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze not installed")
	}
}

func TestParity252(t *testing.T) {
	requireAnalyze(t)
	checkParity(t, V252, "", t.TempDir(), "")
}

// With the example policy (weights, a range, an excluded check, ignored
// junk) on a smaller corpus.
func TestParityPolicy252(t *testing.T) {
	requireAnalyze(t)
	t.Setenv("HARDENLAB_PARITY_UNITS", "300")
	checkParity(t, V252, "", t.TempDir(), filepath.Join("..", "..", "fixtures", "score", "policies", "example.policy"))
}

func TestParity257(t *testing.T) {
	requireAnalyze(t)
	root := trixieRoot(t)
	checkParity(t, V257, root, scratchIn(t, root), "")
}

// trixieRoot is the cached Debian trixie root with systemd 257, built on
// first use.
func trixieRoot(t *testing.T) string {
	t.Helper()
	root, err := rootfs.Build(context.Background(), trixie, os.Getenv("HARDENLAB_STATE_DIR"))
	if err != nil {
		t.Fatalf("building the trixie root: %v", err)
	}
	return root
}

// scratchIn is a directory inside root (where the chrooted
// systemd-analyze can read the units), removed after the test.
func scratchIn(t *testing.T, root string) string {
	t.Helper()
	dir, err := os.MkdirTemp(filepath.Join(root, "tmp"), "hardenlab-parity-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func checkParity(t *testing.T, v Version, root, dir, policyFile string) {
	units := generatedCorpus(t, dir)
	an := Analyzer{Root: root}
	var policy *Policy
	if policyFile != "" {
		var err error
		if policy, err = LoadPolicy(policyFile); err != nil {
			t.Fatal(err)
		}
		an.Policy, err = filepath.Abs(policyFile)
		if err != nil {
			t.Fatal(err)
		}
	}
	const batch = 250
	failures, compared, refused := 0, 0, 0
	for start := 0; start < len(units); start += batch {
		chunk := units[start:min(start+batch, len(units))]
		paths := make([]string, len(chunk))
		for i, u := range chunk {
			paths[i] = u.path
		}
		theirs, err := an.Offline(context.Background(), paths)
		if err != nil {
			// One unit systemd-analyze refuses fails the whole run; find it.
			theirs = make([]AnalyzedUnit, len(chunk))
			for i, u := range chunk {
				one, err := an.Offline(context.Background(), []string{u.path})
				if err != nil {
					if strings.HasPrefix(u.origin, "generated") {
						t.Errorf("systemd-analyze %d refuses %s: %v\n%s", v, u.origin, err, u.text)
					} else {
						t.Logf("systemd-analyze %d refuses %s: %v", v, u.origin, firstLine(err.Error()))
					}
					refused++
					continue
				}
				theirs[i] = one[0]
			}
		}
		for i, u := range chunk {
			if theirs[i].Path == "" {
				continue
			}
			ours, err := Score(u.settings, Options{Version: v, Offline: true, UnitName: filepath.Base(u.path), Policy: policy})
			if err != nil {
				t.Errorf("%s: %v", u.origin, err)
				continue
			}
			compared++
			diffs := Compare(ours.Checks, theirs[i].Checks)
			if ours.Tenths != theirs[i].Tenths {
				diffs = append(diffs, Difference{ID: "(overall)", Field: "exposure", Ours: strconv.Itoa(ours.Tenths), Theirs: strconv.Itoa(theirs[i].Tenths)})
			}
			if len(diffs) == 0 {
				continue
			}
			failures++
			if failures <= 10 {
				var b strings.Builder
				for _, d := range diffs {
					fmt.Fprintf(&b, "  %s\n", d)
				}
				t.Errorf("systemd %d disagrees on %s:\n%s--- unit ---\n%s", v, u.origin, b.String(), u.text)
			}
		}
	}
	t.Logf("systemd %d: %d units compared, %d mismatches, %d refused by systemd-analyze", v, compared, failures, refused)
	if failures > 0 {
		t.Errorf("%d of %d units score differently from systemd-analyze %d", failures, compared, v)
	}
}

// withoutRefusedLines comments out the lines of a stock unit that our
// parser refuses (directives it does not model, specifiers), so that the
// security settings of real units still get compared; both tools then score
// the same text.
func withoutRefusedLines(text string, parse func(text string) error) (string, int) {
	dropped := 0
	for range 10 {
		err := parse(text)
		if err == nil {
			return text, dropped
		}
		lines := strings.Split(text, "\n")
		changed := false
		for _, e := range refusals(err) {
			if i := e.Source.Line - 1; i >= 0 && i < len(lines) && !strings.HasPrefix(lines[i], "#") {
				lines[i] = "# refused by hardenlab: " + lines[i]
				dropped++
				changed = true
			}
		}
		if !changed {
			break
		}
		text = strings.Join(lines, "\n")
	}
	return text, dropped
}

func refusals(err error) []*directive.Error {
	var out []*directive.Error
	var walk func(error)
	walk = func(err error) {
		if e, ok := err.(*directive.Error); ok {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}
