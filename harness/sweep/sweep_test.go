package sweep

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/report"
)

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"": {}, "1/1": {1, 1}, "2/4": {2, 4}} {
		got, err := ParseShard(in)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"0/4", "5/4", "1/0", "2", "a/b", "-1/2", "1/2/3"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

// Every unit lands in exactly one shard, the shards are balanced, and the
// split depends on names only, not on the order the files were listed in.
func TestSelectPartitions(t *testing.T) {
	var paths []string
	for i := 0; i < 23; i++ {
		paths = append(paths, fmt.Sprintf("/d%d/u%02d.service", i%3, 22-i))
	}
	for n := 1; n <= 5; n++ {
		count := map[string]int{}
		for i := 1; i <= n; i++ {
			s := Select(paths, Shard{i, n})
			if len(s) < 23/n || len(s) > 23/n+1 {
				t.Errorf("shard %d/%d has %d units", i, n, len(s))
			}
			for _, p := range s {
				count[p]++
			}
		}
		for _, p := range paths {
			if count[p] != 1 {
				t.Errorf("%d shards: %s in %d of them", n, p, count[p])
			}
		}
	}
	rev := append([]string(nil), paths...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if !reflect.DeepEqual(Select(paths, Shard{2, 3}), Select(rev, Shard{2, 3})) {
		t.Error("the split depends on the listing order")
	}
}

func doc(shard Shard, units ...string) Document {
	d := Document{Schema: report.SchemaVersion, Kind: Kind, Source: "/units", Shard: shard, Units: units}
	for _, u := range units {
		d.Put(Row{Unit: u, State: Ran, Record: &report.Record{Unit: u}})
	}
	return d
}

func TestMergeEqualsTheWhole(t *testing.T) {
	units := []string{"a.service", "b.service", "c.service", "d.service", "e.service"}
	whole := doc(Shard{}, units...)
	var shards []Document
	for i := 1; i <= 2; i++ {
		shards = append(shards, doc(Shard{i, 2}, Select(units, Shard{i, 2})...))
	}
	got, err := Merge([]Document{shards[1], shards[0]})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Rows, whole.Rows) || !reflect.DeepEqual(got.Units, whole.Units) {
		t.Errorf("merged %v, want %v", got.Units, whole.Units)
	}
}

func TestMergeRefuses(t *testing.T) {
	one, two := doc(Shard{1, 2}, "a.service"), doc(Shard{2, 2}, "b.service")
	other := doc(Shard{2, 2}, "b.service")
	other.Source = "/elsewhere"
	partial := doc(Shard{2, 2}, "b.service")
	partial.Units = append(partial.Units, "c.service")
	notSweep := two
	notSweep.Kind = ""
	for name, docs := range map[string][]Document{
		"a shard missing":     {one},
		"a shard twice":       {one, one, two},
		"another source":      {one, other},
		"an incomplete shard": {one, partial},
		"not a sweep":         {one, notSweep},
		"another split":       {one, doc(Shard{2, 3}, "b.service")},
		"no document":         nil,
		"the same unit twice": {one, doc(Shard{2, 2}, "a.service")},
	} {
		if _, err := Merge(docs); err == nil {
			t.Errorf("%s: merged", name)
		}
	}
}

func TestDonePutMissing(t *testing.T) {
	d := doc(Shard{}, "a.service", "b.service", "c.service")
	d.Rows = d.Rows[:1]
	d.Put(Row{Unit: "c.service", State: Refused, Reason: "bad"})
	d.Put(Row{Unit: "b.service", State: Ran, Record: &report.Record{Incomplete: true}})
	if got := []string{d.Rows[0].Unit, d.Rows[1].Unit, d.Rows[2].Unit}; !reflect.DeepEqual(got, d.Units) {
		t.Errorf("rows in order %v, want %v", got, d.Units)
	}
	done := d.Done()
	if !done["a.service"] || done["b.service"] || !done["c.service"] {
		t.Errorf("done %v: an interrupted run is not done, a refusal is", done)
	}
	d.Put(Row{Unit: "b.service", State: Ran, Record: &report.Record{}})
	if len(d.Rows) != 3 || len(d.Missing()) != 0 || !d.Done()["b.service"] {
		t.Errorf("after replacing b: %d rows, missing %v", len(d.Rows), d.Missing())
	}
}

func TestTableOrder(t *testing.T) {
	d := doc(Shard{}, "low.service", "high.service", "refused.service")
	d.Rows[0].Record.Score = report.Score{Exposure: 2.1, Level: "OK"}
	d.Rows[1].Record.Score = report.Score{Exposure: 9.6, Level: "UNSAFE"}
	d.Rows[2] = Row{Unit: "refused.service", State: Refused, Reason: strings.Repeat("x", 500)}
	var b bytes.Buffer
	WriteTable(&b, d)
	out := b.String()
	hi, lo, re := strings.Index(out, "high.service"), strings.Index(out, "low.service"), strings.Index(out, "refused.service")
	if !(hi < lo && lo < re) {
		t.Errorf("want most exposed first, unscored last:\n%s", out)
	}
	if strings.Contains(out, strings.Repeat("x", 200)) {
		t.Error("a long reason is not cut")
	}
}
