package bench

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestScoreResultRecord(t *testing.T) {
	var r ScoreResult
	tenths := func(n int) *int { return &n }
	r.record("a", scoredJSON{Tenths: tenths(96)}, 96, nil)
	r.record("b", scoredJSON{Tenths: tenths(49)}, 51, nil)
	r.record("c", scoredJSON{Error: "c:3: Foo=bar: unknown\nmore"}, 70, nil)
	r.record("d", scoredJSON{Tenths: tenths(10)}, 0, errors.New("refused"))
	if r.Compared != 1 || len(r.Mismatches) != 1 || len(r.Refused) != 1 || len(r.AnalyzeRefused) != 1 {
		t.Fatalf("got %+v", r)
	}
	if r.Mismatches[0] != "b: hardenlab 49, systemd-analyze 51 (tenths)" || r.Refused[0] != "c: c:3: Foo=bar: unknown" {
		t.Errorf("texts: %q %q", r.Mismatches, r.Refused)
	}
}

func TestAptOfReadsTheRelease(t *testing.T) {
	root := t.TempDir()
	if _, err := aptOf(root, ""); err == nil {
		t.Error("a root without os-release: no error")
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "etc/apt"), 0o755))
	must(os.WriteFile(filepath.Join(root, "etc/os-release"), []byte("ID=debian\nVERSION_CODENAME=\"trixie\"\n"), 0o644))
	must(os.WriteFile(filepath.Join(root, "etc/apt/sources.list"), []byte("deb http://deb.debian.org/debian trixie main\n"), 0o644))
	apt, err := aptOf(root, "/c")
	if err != nil || apt.Suite != "trixie" || apt.Sources == "" || apt.CacheDir != "/c" {
		t.Errorf("aptOf = %+v, %v", apt, err)
	}
}

func TestScoreResultRecordAll(t *testing.T) {
	var r ScoreResult
	tenths := func(n int) *int { return &n }
	corpus := map[string]scoredJSON{
		"a.service": {Path: "a.service", Tenths: tenths(96)},
		"b.service": {Path: "b.service", Tenths: tenths(49)},
		"c.service": {Path: "c.service", Error: "c.service: no [Service] settings\nmore"},
		"d.service": {Path: "d.service", Tenths: tenths(10)},
		"x.service": {Path: "x.service", Tenths: tenths(10)},
	}
	r.recordAll("/s/a.service", corpus, 96, nil)
	r.recordAll("/s/b.service", corpus, 51, nil)
	r.recordAll("/s/c.service", corpus, 70, nil)
	r.recordAll("/s/d.service", corpus, 0, errors.New("refused"))
	r.recordAll("/s/e.service", corpus, 20, nil) // not listed: recordUnlisted says so
	r.recordUnlisted([]string{"/s/a.service", "/s/b.service", "/s/c.service", "/s/d.service", "/s/e.service"}, corpus)
	want := []string{"--all b.service: hardenlab 49, systemd-analyze 51 (tenths)", "--all e.service: not listed", "--all x.service: listed, but no such file"}
	if r.CorpusCompared != 1 || !slices.Equal(r.Mismatches, want) {
		t.Errorf("compared %d, mismatches %q, want 1 and %q", r.CorpusCompared, r.Mismatches, want)
	}
	if !slices.Equal(r.Refused, []string{"--all c.service: c.service: no [Service] settings"}) || len(r.AnalyzeRefused) != 0 {
		t.Errorf("refused %q, analyze refused %q", r.Refused, r.AnalyzeRefused)
	}
}
