package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/bench"
	"github.com/hardenlab/hardenlab/harness/unitpath"
)

// benchUnitFiles lists the stock service unit files of this machine (the
// regular, non-empty ones; templates included), or the files named one a
// line in $HARDENLAB_BENCH_FILES.
func benchUnitFiles(b *testing.B) []string {
	b.Helper()
	if list := os.Getenv("HARDENLAB_BENCH_FILES"); list != "" {
		data, err := os.ReadFile(list)
		if err != nil {
			b.Fatal(err)
		}
		return strings.Fields(string(data))
	}
	matches, _ := filepath.Glob("/usr/lib/systemd/system/*.service")
	var files []string
	for _, m := range matches {
		if info, err := os.Lstat(m); err == nil && info.Mode().IsRegular() && info.Size() > 0 {
			files = append(files, m)
		}
	}
	if len(files) == 0 {
		b.Skip("no stock service units here")
	}
	return files
}

// benchScratchRoot lays the files out as `bench --score` lays out its
// corpus, a root whose unit directory holds them all.
func benchScratchRoot(b *testing.B, files []string) *bench.CorpusRoot {
	b.Helper()
	units, err := bench.FileUnits(files)
	if err != nil {
		b.Fatal(err)
	}
	cr, err := bench.WriteCorpusRoot("/", b.TempDir(), units, 252)
	if err != nil {
		b.Fatal(err)
	}
	return cr
}

// BenchmarkCmdScore is the whole in-process path of `hardenlab score`:
// flags, finding and reading every unit, parsing, scoring and writing
// the output, one op per command (scratch-json: --all over the files laid
// out as one root, as `bench --score` times it); ns/unit is the figure
// the README's Benchmarks table compares with systemd-analyze.
//
//	go test -run '^$' -bench CmdScore ./cmd/hardenlab/
func BenchmarkCmdScore(b *testing.B) {
	files := benchUnitFiles(b)
	all, err := allServices(unitpath.SystemFor("/", 252), stdio{out: io.Discard, err: io.Discard})
	if err != nil {
		b.Fatal(err)
	}
	scratch := benchScratchRoot(b, files)
	for _, bc := range []struct {
		name  string
		units int
		args  []string
	}{
		{"files-json", len(files), append([]string{"--offline", "--json=short", "--systemd-version", "252"}, files...)},
		{"files-text", len(files), append([]string{"--offline", "--systemd-version", "252"}, files...)},
		{"all-json", len(all), []string{"--offline", "--json=short", "--systemd-version", "252", "--all", "--root", "/"}},
		{"all-text", len(all), []string{"--offline", "--systemd-version", "252", "--all", "--root", "/"}},
		{"scratch-json", len(scratch.Files), []string{"--offline", "--json=short", "--systemd-version", "252", "--all", "--root", scratch.Dir}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				code := cmdScore(context.Background(), bc.args, stdio{out: io.Discard, err: io.Discard})
				if code != exitOK && code != exitFindings {
					b.Fatalf("hardenlab score %s: exit %d", strings.Join(bc.args[:4], " "), code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(bc.units), "ns/unit")
		})
	}
}
