package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/bench"
)

func TestWriteScoreBenchLeadsWithTheCorpus(t *testing.T) {
	r := &bench.ScoreResult{Root: "/", SystemdVersion: "252", Units: 3, Compared: 3, CorpusCompared: 2, CorpusUnits: 3,
		CorpusCommand: "hardenlab score --all --root SCRATCH", CorpusSpeedUp: 70, CorpusSpeedUpMin: 66, CorpusSpeedUpMax: 75, SpeedUp: 90,
		Runs:       []bench.ScoreRun{{CorpusPerMs: 0.1, CorpusSpeedUp: 70, Load: "2.00 -> 2.10"}},
		Mismatches: []string{"--all b.service: hardenlab 49, systemd-analyze 51 (tenths)"}}
	cr := &bench.CorpusRoot{Dir: "/tmp/s/root", Instances: 1, Shared: 2, Renamed: []string{"x 1: /lib/systemd/system/a.service as a-2.service"}}
	var out bytes.Buffer
	writeScoreBench(&out, r, cr)
	got := out.String()
	for _, want := range []string{
		"hardenlab --all: hardenlab score --all --root SCRATCH (3 units)",
		"SCRATCH=/tmp/s/root, every file in /usr/lib/systemd/system (1 templates as their offline instance, 2 units left out as the same name and text as another, 1 renamed, 0 empty left out)",
		"speed-up per unit, whole process, score --all over the corpus: 70.0x median (66.0x to 75.0x over the runs)",
		"exact: --all over the corpus scores 2 of 3 units as systemd-analyze scores their files, the files as arguments 3 of 3; 1 differ",
		"differ:\n  --all b.service: hardenlab 49, systemd-analyze 51 (tenths)",
		"renamed in the corpus root:\n  x 1: /lib/systemd/system/a.service as a-2.service",
		"2.00 -> 2.10",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "score --all over the corpus") > strings.Index(got, "the files as arguments") {
		t.Errorf("the corpus --all ratio must come first:\n%s", got)
	}
}
