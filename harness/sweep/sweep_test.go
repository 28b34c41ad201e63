package sweep

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/hardenlab/hardenlab/harness/report"
)

func TestParseShard(t *testing.T) {
	for in, want := range map[string]Shard{"": {}, "1/1": {Index: 1, Count: 1}, "2/4": {Index: 2, Count: 4}} {
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
			s := Select(paths, Shard{Index: i, Count: n})
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
	if !reflect.DeepEqual(Select(paths, Shard{Index: 2, Count: 3}), Select(rev, Shard{Index: 2, Count: 3})) {
		t.Error("the split depends on the listing order")
	}
}

func doc(shard Shard, units ...string) Document {
	d := Document{Schema: report.SchemaVersion, Kind: Kind, Source: "/units", Shard: shard, Units: units}
	for _, u := range units {
		Put(&d, Row{Unit: u, State: Ran, Record: &report.Record{Unit: u}})
	}
	return d
}

func TestMergeEqualsTheWhole(t *testing.T) {
	units := []string{"a.service", "b.service", "c.service", "d.service", "e.service"}
	whole := doc(Shard{}, units...)
	var shards []Document
	for i := 1; i <= 2; i++ {
		shards = append(shards, doc(Shard{Index: i, Count: 2}, Select(units, Shard{Index: i, Count: 2})...))
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
	one, two := doc(Shard{Index: 1, Count: 2}, "a.service"), doc(Shard{Index: 2, Count: 2}, "b.service")
	other := doc(Shard{Index: 2, Count: 2}, "b.service")
	other.Source = "/elsewhere"
	partial := doc(Shard{Index: 2, Count: 2}, "b.service")
	partial.Units = append(partial.Units, "c.service")
	notSweep := two
	notSweep.Kind = ""
	for name, docs := range map[string][]Document{
		"a shard missing":     {one},
		"a shard twice":       {one, one, two},
		"another source":      {one, other},
		"an incomplete shard": {one, partial},
		"not a sweep":         {one, notSweep},
		"another split":       {one, doc(Shard{Index: 2, Count: 3}, "b.service")},
		"no document":         nil,
		"the same unit twice": {one, doc(Shard{Index: 2, Count: 2}, "a.service")},
	} {
		if _, err := Merge(docs); err == nil {
			t.Errorf("%s: merged", name)
		}
	}
}

func TestDonePutMissing(t *testing.T) {
	d := doc(Shard{}, "a.service", "b.service", "c.service")
	d.Rows = d.Rows[:1]
	Put(&d, Row{Unit: "c.service", State: Refused, Reason: "bad"})
	Put(&d, Row{Unit: "b.service", State: Ran, Record: &report.Record{Incomplete: true}})
	if got := []string{d.Rows[0].Unit, d.Rows[1].Unit, d.Rows[2].Unit}; !reflect.DeepEqual(got, d.Units) {
		t.Errorf("rows in order %v, want %v", got, d.Units)
	}
	done := Done(d)
	if !done["a.service"] || done["b.service"] || !done["c.service"] {
		t.Errorf("done %v: an interrupted run is not done, a refusal is", done)
	}
	Put(&d, Row{Unit: "b.service", State: Ran, Record: &report.Record{}})
	if len(d.Rows) != 3 || len(Missing(d)) != 0 || !Done(d)["b.service"] {
		t.Errorf("after replacing b: %d rows, missing %v", len(d.Rows), Missing(d))
	}
}
