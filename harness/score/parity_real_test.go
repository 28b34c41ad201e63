//go:build parity

package score

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/corpus"
	"github.com/hardenlab/hardenlab/harness/directive"
)

// Real units: every stock service unit of the root that provides the
// systemd under test (the host for 252, the trixie root for 257) and every
// service unit of corpus.ServerPackages() from that release (bookworm for
// 252, trixie for 257), fetched with apt-get download into
// HARDENLAB_DEB_CACHE (default corpus.DefaultCacheDir) and unpacked, never
// installed. Each is scored by hardenlab and by systemd-analyze, every row
// and the total. A unit our parser refuses is listed with the reasons and
// fails the test unless HARDENLAB_PARITY_ALLOW_REFUSED=1; it is then still
// compared with the refused lines commented out (both tools score that
// same text). A unit that scores differently always fails the test.

// realUnit is one corpus unit as written to the scratch directory.
type realUnit struct {
	corpus.Unit
	path     string   // scratch path: dir/GROUP/NAME
	text     string   // as scored: the unit, refused lines commented out if any
	refused  []string // why our parser refuses the unit as written
	ctx      directive.SpecifierContext
	settings *directive.Settings
}

// realCorpus gathers the units for one version: stock units of root and
// the packages' units of suite.
func realCorpus(t *testing.T, root, suite string) []corpus.Unit {
	t.Helper()
	ctx := context.Background()
	stock, skipped, err := corpus.Stock(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range skipped {
		t.Logf("not a unit to score: %s: %s", s.Origin, s.Reason)
	}
	apt := corpus.Apt{Suite: suite, CacheDir: os.Getenv("HARDENLAB_DEB_CACHE")}
	if root != "/" {
		if apt.Sources, err = corpus.SourcesOf(root); err != nil {
			t.Fatal(err)
		}
	}
	pkgs, unknown, err := apt.Units(ctx, corpus.ServerPackages())
	if err != nil {
		t.Fatalf("fetching the %s packages' units: %v", suite, err)
	}
	if len(unknown) > 0 {
		t.Logf("%s has no package %s", suite, strings.Join(unknown, ", "))
	}
	t.Logf("real corpus for %s: %d stock units of %s, %d units of %d packages", suite, len(stock), root,
		len(pkgs), len(corpus.ServerPackages())-len(unknown))
	return append(stock, pkgs...)
}

// prepareReal writes each unit into dir and parses it as the
// systemd-analyze of v in root ("" for the host's) reads it: a template
// with that version's instance, specifiers with root's facts.
func prepareReal(t *testing.T, units []corpus.Unit, dir string, v Version, root string) []realUnit {
	t.Helper()
	var out []realUnit
	for _, u := range units {
		path := filepath.Join(dir, u.Source(), u.Name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		r := realUnit{Unit: u, path: path, text: string(u.Text)}
		r.ctx = specifierContext(t, u.Name, path, v, root)
		s, err := parseUnitText(r.text, path, r.ctx)
		if err != nil {
			for _, e := range refusals(err) {
				r.refused = append(r.refused, fmt.Sprintf("line %d: %s=%s: %s", e.Source.Line, e.Directive, firstLine(displayShort(e.Value)), e.Reason))
			}
			if len(r.refused) == 0 {
				r.refused = []string{firstLine(err.Error())}
			}
			r.text, _ = withoutRefusedLines(r.text, func(text string) error {
				_, err := parseUnitText(text, path, r.ctx)
				return err
			})
			s, _ = parseUnitText(r.text, path, r.ctx)
		}
		r.settings = s
		if err := os.WriteFile(path, []byte(r.text), 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func displayShort(v string) string {
	if len(v) > 60 {
		return v[:60] + "..."
	}
	return v
}

// specifierContext names a unit as systemd-analyze does (a template
// gets the version's offline instance) and sees its file from inside root.
func specifierContext(t *testing.T, name, path string, v Version, root string) directive.SpecifierContext {
	t.Helper()
	n, err := directive.SplitUnitName(name)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if n.Template {
		name = n.WithInstance(directive.OfflineTemplateInstance(int(v))).String()
	}
	inner, host := path, "/"
	if root != "" {
		inner, host = "/"+strings.TrimPrefix(strings.TrimPrefix(path, root), "/"), root
	}
	return directive.SpecifierContext{Unit: name, Fragment: inner, Host: directive.ReadHostFacts(host), Version: int(v)}
}

// parseUnitText parses a unit's text, written at path, as one file.
func parseUnitText(text, path string, ctx directive.SpecifierContext) (*directive.Settings, error) {
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		return nil, err
	}
	u, err := directive.ParseFiles(directive.Files{Fragment: path}, ctx)
	if err != nil {
		return nil, err
	}
	return directive.Resolve(u.Service, u.DefaultDependencies)
}

func TestParityReal252(t *testing.T) {
	requireAnalyze(t)
	checkReal(t, V252, "", "/", "bookworm", t.TempDir())
}

func TestParityReal257(t *testing.T) {
	requireAnalyze(t)
	root := trixieRoot(t)
	checkReal(t, V257, root, root, "trixie", scratchIn(t, root))
}

// checkReal compares every real unit offline. analyzeRoot is "" for the
// host's systemd-analyze; unitsRoot is where the stock units come from.
func checkReal(t *testing.T, v Version, analyzeRoot, unitsRoot, suite, dir string) {
	units := prepareReal(t, realCorpus(t, unitsRoot, suite), dir, v, analyzeRoot)
	byGroup := map[string][]realUnit{}
	for _, u := range units {
		if u.settings != nil {
			byGroup[u.Source()] = append(byGroup[u.Source()], u)
		}
	}
	an := Analyzer{Root: analyzeRoot}
	var mismatched []string
	compared, partial := 0, 0
	for _, group := range sortedKeys(byGroup) {
		chunk := byGroup[group]
		theirs := analyzeEach(t, an, v, chunk)
		for i, u := range chunk {
			if theirs[i].Path == "" {
				continue
			}
			compared++
			if len(u.refused) > 0 {
				partial++
			}
			if diffs := compareOffline(t, u, v, theirs[i]); len(diffs) > 0 {
				mismatched = append(mismatched, u.Origin)
				if len(mismatched) <= 15 {
					t.Errorf("systemd %d disagrees on %s:\n%s--- unit as scored ---\n%s", v, u.Origin, diffText(diffs), u.text)
				}
			}
		}
	}
	reportRefused(t, v, units)
	t.Logf("systemd %d real units: %d in the corpus, %d compared (%d with refused lines commented out), %d mismatches, %d refused by hardenlab",
		v, len(units), compared, partial, len(mismatched), countRefused(units))
	if len(mismatched) > 0 {
		t.Errorf("%d real units score differently from systemd-analyze %d:\n  %s", len(mismatched), v, strings.Join(mismatched, "\n  "))
	}
}

// analyzeEach runs systemd-analyze on the units in one go, or one by one
// when it refuses one of them (logged, left with an empty Path).
func analyzeEach(t *testing.T, an Analyzer, v Version, units []realUnit) []AnalyzedUnit {
	t.Helper()
	paths := make([]string, len(units))
	for i, u := range units {
		paths[i] = u.path
	}
	theirs, err := an.Offline(context.Background(), paths)
	if err == nil {
		return theirs
	}
	theirs = make([]AnalyzedUnit, len(units))
	for i, u := range units {
		one, err := an.Offline(context.Background(), []string{u.path})
		if err != nil {
			t.Logf("systemd-analyze %d refuses %s: %v", v, u.Origin, firstLine(err.Error()))
			continue
		}
		theirs[i] = one[0]
	}
	return theirs
}

func compareOffline(t *testing.T, u realUnit, v Version, theirs AnalyzedUnit) []Difference {
	ours, err := Score(u.settings, Options{Version: v, Offline: true, UnitName: u.ctx.Unit})
	if err != nil {
		return []Difference{{ID: "(score)", Field: "error", Ours: err.Error(), Theirs: "scored"}}
	}
	diffs := Compare(ours.Checks, theirs.Checks)
	if ours.Tenths != theirs.Tenths {
		diffs = append(diffs, Difference{ID: "(overall)", Field: "exposure", Ours: strconv.Itoa(ours.Tenths), Theirs: strconv.Itoa(theirs.Tenths)})
	}
	return diffs
}

func diffText(diffs []Difference) string {
	var b strings.Builder
	for _, d := range diffs {
		fmt.Fprintf(&b, "  %s\n", d)
	}
	return b.String()
}

func countRefused(units []realUnit) int {
	n := 0
	for _, u := range units {
		if len(u.refused) > 0 {
			n++
		}
	}
	return n
}

// reportRefused lists the units our parser refuses, with the reasons, and
// fails unless HARDENLAB_PARITY_ALLOW_REFUSED=1.
func reportRefused(t *testing.T, v Version, units []realUnit) {
	t.Helper()
	var b strings.Builder
	reasons := map[string]int{}
	for _, u := range units {
		if len(u.refused) == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %s\n", u.Origin)
		for _, r := range u.refused {
			fmt.Fprintf(&b, "      %s\n", r)
			_, why, _ := strings.Cut(r, ": ")
			if _, reason, ok := strings.Cut(why, ": "); ok {
				why = reason
			}
			reasons[why]++
		}
	}
	n := countRefused(units)
	if n == 0 {
		return
	}
	var summary strings.Builder
	for _, r := range sortedKeys(reasons) {
		fmt.Fprintf(&summary, "  %4d× %s\n", reasons[r], r)
	}
	msg := fmt.Sprintf("systemd %d: hardenlab's parser refuses %d of %d real units:\n%sreasons:\n%s", v, n, len(units), b.String(), summary.String())
	if os.Getenv("HARDENLAB_PARITY_ALLOW_REFUSED") == "1" {
		t.Log(msg + "(allowed by HARDENLAB_PARITY_ALLOW_REFUSED=1)")
		return
	}
	t.Error(msg + "(set HARDENLAB_PARITY_ALLOW_REFUSED=1 to allow them)")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
