// Package sweep is the document of `hardenlab sweep`: one row per service
// unit of a set, each scored, run once with its declared directives and
// probed. It also owns what makes a sweep fit a CI job matrix: a stable
// order, deterministic shards, resuming an interrupted sweep and merging
// the shards' documents back into one.
package sweep

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/hardenlab/hardenlab/harness/report"
)

// Kind, the row states and the document types are report's (the schema
// is one package's); these are their short names here.
const (
	Kind    = report.SweepKind
	Ran     = report.SweepRan
	Refused = report.SweepRefused
	Skipped = report.SweepSkipped
	Failed  = report.SweepFailed
)

type (
	Document = report.Sweep
	Row      = report.SweepRow
	Shard    = report.Shard
)

// ParseShard reads "I/N".
func ParseShard(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || index < 1 || index > count {
		return Shard{}, fmt.Errorf("--shard %q: want I/N with 1 <= I <= N, e.g. 2/4", s)
	}
	return Shard{Index: index, Count: count}, nil
}

// Select returns the paths of the shard, in sweep order (by unit name):
// every Count-th unit starting at Index, so that shards stay balanced
// and each unit lands in exactly one of them whatever the machine.
func Select(paths []string, s Shard) []string {
	sorted := append([]string(nil), paths...)
	sort.SliceStable(sorted, func(i, j int) bool { return filepath.Base(sorted[i]) < filepath.Base(sorted[j]) })
	if s.Count <= 1 {
		return sorted
	}
	var out []string
	for i, p := range sorted {
		if i%s.Count == s.Index-1 {
			out = append(out, p)
		}
	}
	return out
}

// Done lists the units a document already has a final row for; a resumed
// sweep runs the others. A row cut short by an interrupt is not final.
func Done(d Document) map[string]bool {
	done := map[string]bool{}
	for _, r := range d.Rows {
		if r.Record != nil && r.Record.Incomplete {
			continue
		}
		done[r.Unit] = true
	}
	return done
}

// Put adds or replaces a unit's row, keeping the rows in sweep order.
func Put(d *Document, r Row) {
	for i := range d.Rows {
		if d.Rows[i].Unit == r.Unit {
			d.Rows[i] = r
			return
		}
	}
	d.Rows = append(d.Rows, r)
	order := map[string]int{}
	for i, u := range d.Units {
		order[u] = i
	}
	sort.SliceStable(d.Rows, func(i, j int) bool { return order[d.Rows[i].Unit] < order[d.Rows[j].Unit] })
}

// Missing lists the units of the document without a row.
func Missing(d Document) []string {
	have := map[string]bool{}
	for _, r := range d.Rows {
		have[r.Unit] = true
	}
	var out []string
	for _, u := range d.Units {
		if !have[u] {
			out = append(out, u)
		}
	}
	return out
}

// Merge joins the documents of a sharded sweep into the document of the
// whole sweep: all shards of one source and count, each once, complete.
func Merge(docs []Document) (Document, error) {
	if len(docs) == 0 {
		return Document{}, errors.New("merge: no documents")
	}
	first := docs[0]
	out := Document{Schema: first.Schema, Kind: Kind, RunID: first.RunID, Source: first.Source}
	seen := map[int]bool{}
	for i, d := range docs {
		if err := mergeable(first, d, seen); err != nil {
			return Document{}, fmt.Errorf("merge: document %d: %w", i+1, err)
		}
		out.Units = append(out.Units, d.Units...)
		out.Rows = append(out.Rows, d.Rows...)
		out.WallMillis = max(out.WallMillis, d.WallMillis)
	}
	if n := first.Shard.Count; n > 1 && len(seen) != n {
		return Document{}, fmt.Errorf("merge: %d of %d shards given", len(seen), n)
	}
	sort.Strings(out.Units)
	sort.SliceStable(out.Rows, func(i, j int) bool { return out.Rows[i].Unit < out.Rows[j].Unit })
	for i := 1; i < len(out.Units); i++ {
		if out.Units[i] == out.Units[i-1] {
			return Document{}, fmt.Errorf("merge: unit %s is in two shards", out.Units[i])
		}
	}
	return out, nil
}

func mergeable(first, d Document, seen map[int]bool) error {
	switch {
	case d.Kind != Kind:
		return fmt.Errorf("not a sweep document (kind %q)", d.Kind)
	case d.Schema != first.Schema:
		return fmt.Errorf("schema %d, the first document has %d", d.Schema, first.Schema)
	case d.Source != first.Source:
		return fmt.Errorf("sweep of %s, the first document swept %s", d.Source, first.Source)
	case d.Shard.Count != first.Shard.Count:
		return fmt.Errorf("shard %s of another split than %s", d.Shard, first.Shard)
	case d.Incomplete || len(Missing(d)) > 0:
		return fmt.Errorf("shard %s is incomplete (%d units without a row): finish it with --resume", d.Shard, len(Missing(d)))
	case seen[d.Shard.Index]:
		return fmt.Errorf("shard %s given twice", d.Shard)
	}
	seen[d.Shard.Index] = true
	return nil
}
