package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
)

// The sample is a real `hardenlab matrix --mode all` of
// fixtures/p3test-hardened.service (see harness/report/testdata/README.md).
// Like every `all` matrix it has no separate full profile: the ladder's
// last step is the unit as written.
const sample = "../report/testdata/matrix-p3test-hardened.json"

func loadSample(t testing.TB) report.Matrix {
	t.Helper()
	m, err := Load(sample)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func clone(t testing.TB, m report.Matrix) report.Matrix {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var c report.Matrix
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func recordOf(t testing.TB, m *report.Matrix, kind, directive string) *report.Record {
	t.Helper()
	for i := range m.Records {
		r := &m.Records[i]
		if r.Profile.Kind == kind && r.Profile.Directive == directive {
			return r
		}
	}
	t.Fatalf("sample has no %s profile %q", kind, directive)
	return nil
}

// fullOf is the profile that stands for the unit as written.
func fullOf(t testing.TB, m *report.Matrix) *report.Record {
	t.Helper()
	var last *report.Record
	for i := range m.Records {
		r := &m.Records[i]
		if r.Profile.Kind == profile.Full {
			return r
		}
		if r.Profile.Kind == profile.Ladder && (last == nil || r.Profile.Step > last.Profile.Step) {
			last = r
		}
	}
	if last == nil || last.Profile.Step != len(m.Directives) {
		t.Fatal("sample has neither a full profile nor a complete ladder")
	}
	return last
}

func probeOf(t testing.TB, r *report.Record, id string) *report.ProbeResult {
	t.Helper()
	for i := range r.Probes {
		if r.Probes[i].ID == id {
			return &r.Probes[i]
		}
	}
	t.Fatalf("%s has no probe %s", r.Profile.Name, id)
	return nil
}

func exposureOf(t testing.TB, r *report.Record, id string) int {
	t.Helper()
	for i, e := range r.Behavior.Exposures {
		if e.ID == id {
			return i
		}
	}
	t.Fatalf("%s did not check %s", r.Profile.Name, id)
	return -1
}

func float(v float64) *float64 { return &v }

func TestSampleIsFitForTheseTests(t *testing.T) {
	m := loadSample(t)
	full := fullOf(t, &m)
	if probeOf(t, full, "fs.protect-home").Verdict != "enforced" || !full.Behavior.Started {
		t.Fatal("the sample's full profile must enforce ProtectHome and start")
	}
	if full.Behavior.Exposures[exposureOf(t, full, "root-home-marker")].Exposed {
		t.Fatal("the sample's full profile must hide /root")
	}
}

func TestCompareSameRunPasses(t *testing.T) {
	m := loadSample(t)
	full := fullOf(t, &m)
	if regs := Compare(m, clone(t, m), float(full.Score.Exposure)); len(regs) != 0 {
		t.Errorf("a run against itself at its own score regressed: %+v", regs)
	}
}

// TestCompareKinds makes each kind of regression happen to a copy of the
// real matrix and checks that exactly it is reported.
func TestCompareKinds(t *testing.T) {
	base := loadSample(t)
	fullExposure := fullOf(t, &base).Score.Exposure
	full := fullOf(t, &base).Profile.Name
	cases := []struct {
		name      string
		threshold *float64
		change    func(t *testing.T, m *report.Matrix)
		want      []Regression // Kind, Profile, Directive, Probe, Was, Now are compared
		wantAlso  int          // how many further profiles the first regression names
	}{
		{
			name: "full exposure rose",
			change: func(t *testing.T, m *report.Matrix) {
				fullOf(t, m).Score.Exposure += 0.2
			},
			want: []Regression{{Kind: ExposureRose, Profile: full, Was: "4.9 OK", Now: "5.1 OK"}},
		},
		{
			name:      "over the threshold",
			threshold: float(fullExposure - 0.1),
			change:    func(*testing.T, *report.Matrix) {},
			want:      []Regression{{Kind: OverThreshold, Profile: full, Was: "at most 4.8", Now: "4.9 OK"}},
		},
		{
			name: "a single profile's exposure rose",
			change: func(t *testing.T, m *report.Matrix) {
				r := recordOf(t, m, profile.Single, "PrivateTmp")
				r.Score.Exposure, r.Score.Level = 9.6, "UNSAFE"
			},
			want: []Regression{{Kind: ExposureRose, Profile: "single-PrivateTmp", Directive: "PrivateTmp", Was: "9.2 UNSAFE", Now: "9.6 UNSAFE"}},
		},
		{
			name: "verdict lost in every profile that has it",
			change: func(t *testing.T, m *report.Matrix) {
				for i := range m.Records {
					for j := range m.Records[i].Probes {
						if p := &m.Records[i].Probes[j]; p.ID == "fs.protect-home" {
							p.Verdict = "not-enforced"
						}
					}
				}
			},
			want: []Regression{{Kind: VerdictLost, Profile: full, Directive: "ProtectHome", Probe: "fs.protect-home", Was: "enforced", Now: "not-enforced"}},
			// Besides the full unit (the last ladder step): the single
			// profile, ladder steps 2 to 15 and 15 leave-one-out profiles
			// carry ProtectHome.
			wantAlso: 1 + 14 + 15,
		},
		{
			name: "service broke",
			change: func(t *testing.T, m *report.Matrix) {
				r := recordOf(t, m, profile.Single, "ProtectSystem")
				r.Behavior.Started, r.Behavior.Error = false, "exited with status 226/NAMESPACE"
				for i := range r.Probes {
					r.Probes[i].Verdict = "broke-service"
				}
			},
			want: []Regression{{Kind: ServiceBroke, Profile: "single-ProtectSystem", Directive: "ProtectSystem", Was: "started and answered HTTP", Now: "did not start"}},
		},
		{
			name: "HTTP exposure grew",
			change: func(t *testing.T, m *report.Matrix) {
				r := fullOf(t, m)
				r.Behavior.Exposures[exposureOf(t, r, "tmp-marker")].Exposed = true
			},
			want: []Regression{{Kind: ExposureGrew, Profile: full, Was: "etc-shadow, dev-listing", Now: "etc-shadow, dev-listing, tmp-marker"}},
		},
		{
			name: "score unknown",
			change: func(t *testing.T, m *report.Matrix) {
				r := recordOf(t, m, profile.Control, "")
				r.Score = report.Score{Error: "systemd-analyze security: exit status 1"}
			},
			want: []Regression{{Kind: ScoreUnknown, Profile: "control", Was: "9.6 UNSAFE", Now: "unknown"}},
		},
		{
			name: "profile missing",
			change: func(t *testing.T, m *report.Matrix) {
				var keep []report.Record
				for _, r := range m.Records {
					if r.Profile.Name != "without-LockPersonality" {
						keep = append(keep, r)
					}
				}
				m.Records = keep
			},
			want: []Regression{{Kind: ProfileMissing, Profile: "without-LockPersonality", Directive: "LockPersonality", Was: "ran", Now: "did not run"}},
		},
		{
			name: "improvements are not regressions",
			change: func(t *testing.T, m *report.Matrix) {
				r := fullOf(t, m)
				r.Score.Exposure = 3.0
				r.Behavior.Exposures[exposureOf(t, r, "etc-shadow")].Exposed = false
				probeOf(t, recordOf(t, m, profile.Single, "IPAddressAllow"), "net.connect-target").Verdict = "enforced"
				recordOf(t, m, profile.Ladder, "PrivateTmp").Score.Exposure = 9.0
			},
		},
		{
			name: "another run id and environment name change nothing",
			change: func(t *testing.T, m *report.Matrix) {
				m.RunID = "0123abcd"
				for i := range m.Records {
					r := &m.Records[i]
					r.Environment.Name = "ci-runner"
					for j := range r.Behavior.Exposures {
						r.Behavior.Exposures[j].Path = strings.ReplaceAll(r.Behavior.Exposures[j].Path, r.RunID, "0123abcd")
					}
					for j := range r.Behavior.ExposedPaths {
						r.Behavior.ExposedPaths[j] = strings.ReplaceAll(r.Behavior.ExposedPaths[j], r.RunID, "0123abcd")
					}
					r.RunID = "0123abcd"
				}
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cur := clone(t, base)
			c.change(t, &cur)
			got := Compare(base, cur, c.threshold)
			if len(got) != len(c.want) {
				t.Fatalf("got %d regressions, want %d:\n%s", len(got), len(c.want), diffText(got))
			}
			for i, w := range c.want {
				g := got[i]
				if g.Kind != w.Kind || g.Profile != w.Profile || g.Directive != w.Directive || g.Probe != w.Probe || g.Was != w.Was || g.Now != w.Now {
					t.Errorf("regression %d:\n got %+v\nwant %+v", i, g, w)
				}
				if g.Message == "" {
					t.Errorf("regression %d has no message", i)
				}
			}
			if len(got) > 0 && len(got[0].Also) != c.wantAlso {
				t.Errorf("also in %d profiles, want %d: %v", len(got[0].Also), c.wantAlso, got[0].Also)
			}
		})
	}
}

func diffText(regs []Regression) string {
	var b bytes.Buffer
	WriteDiff(&b, regs)
	return b.String()
}

// TestCompareDirectiveRemoved is the gate's headline case: the unit lost
// ProtectHome=. The matrix of such a unit has no single, ladder or
// leave-one-out profile for it, and every profile that had it now scores
// 0.2 higher, hands out /root and /home and runs no fs.protect-home probe.
func TestCompareDirectiveRemoved(t *testing.T) {
	base := loadSample(t)
	cur := clone(t, base)
	const gone = "ProtectHome"
	var dirs []string
	for _, d := range cur.Directives {
		if d != gone {
			dirs = append(dirs, d)
		}
	}
	cur.Directives = dirs
	var recs []report.Record
	hadIt := 0
	for _, r := range cur.Records {
		if r.Profile.Directive == gone && r.Profile.Kind != profile.Ladder || r.Profile.Kind == profile.Ladder && r.Profile.Step == 2 {
			continue // single-ProtectHome, without-ProtectHome, ladder step 2
		}
		var probes []report.ProbeResult
		for _, p := range r.Probes {
			if p.ID != "fs.protect-home" {
				probes = append(probes, p)
			}
		}
		if len(probes) != len(r.Probes) {
			hadIt++
			r.Probes = probes
			r.Score.Exposure += 0.2
			if r.Score.Exposure >= 5 && r.Score.Level == "OK" {
				r.Score.Level = "MEDIUM"
			}
			for i, e := range r.Behavior.Exposures {
				if e.ID == "root-home-marker" || e.ID == "user-home-marker" {
					r.Behavior.Exposures[i].Exposed = true
				}
			}
		}
		recs = append(recs, r)
	}
	cur.Records = recs
	if hadIt != 14+1+14 {
		t.Fatalf("%d profiles had ProtectHome besides its own: the sample changed", hadIt)
	}

	got := Compare(base, cur, nil)
	text := diffText(got)
	t.Log("\n" + text)
	kinds := map[Kind]Regression{}
	for _, r := range got {
		if _, dup := kinds[r.Kind]; dup {
			t.Errorf("%s reported twice:\n%s", r.Kind, text)
		}
		kinds[r.Kind] = r
	}
	full := fullOf(t, &base).Profile.Name
	if r := kinds[DirectiveRemoved]; r.Directive != gone {
		t.Errorf("removal not named: %+v", r)
	}
	if r := kinds[VerdictLost]; r.Directive != gone || r.Probe != "fs.protect-home" || r.Was != "enforced" || r.Now != "not run" || r.Profile != full || len(r.Also) != 28 {
		t.Errorf("lost verdict: %+v", r)
	}
	if r := kinds[ExposureRose]; r.Profile != full || r.Was != "4.9 OK" || r.Now != "5.1 MEDIUM" || len(r.Also) != 28 {
		t.Errorf("score change: %+v", r)
	}
	if r := kinds[ExposureGrew]; r.Profile != full || !strings.Contains(r.Message, "root-home-marker, user-home-marker") {
		t.Errorf("exposure: %+v", r)
	}
	if _, ok := kinds[ProfileMissing]; ok {
		t.Errorf("the removed directive's profiles are reported missing one by one:\n%s", text)
	}
	if len(got) != 4 {
		t.Errorf("want 4 regressions, got %d", len(got))
	}
	for _, want := range []string{"ProtectHome", "fs.protect-home", "- enforced", "+ not run", "- 4.9 OK", "+ 5.1 MEDIUM", "(+0.2)"} {
		if !strings.Contains(text, want) {
			t.Errorf("diff does not say %q", want)
		}
	}
	if !strings.Contains(text, "VERDICT LOST: ProtectHome= × fs.protect-home in the full unit (profile "+full+")") {
		t.Errorf("the diff does not say the full unit lost the verdict")
	}
	if !strings.HasPrefix(text, "4 regressions against the baseline") {
		t.Errorf("diff header: %s", text)
	}
}

func TestCompareExposedPathsWithoutIDs(t *testing.T) {
	// Records from before exposures carried ids only list paths, with the
	// run id in marker names.
	rec := func(run string, paths ...string) report.Record {
		return report.Record{RunID: run, Profile: report.Profile{Name: "p"}, Score: report.Score{Exposure: 5, Level: "MEDIUM"},
			Behavior: report.Behavior{Started: true, ExposedPaths: paths}}
	}
	m := func(r report.Record) report.Matrix { return report.Matrix{Schema: 1, Records: []report.Record{r}} }
	base := m(rec("aaaa1111", "/etc/shadow", "/root/hardenlab-marker-aaaa1111"))
	if regs := Compare(base, m(rec("bbbb2222", "/etc/shadow", "/root/hardenlab-marker-bbbb2222")), nil); len(regs) != 0 {
		t.Errorf("the run id in a marker path counted as new exposure:\n%s", diffText(regs))
	}
	regs := Compare(base, m(rec("bbbb2222", "/etc/shadow", "/root/hardenlab-marker-bbbb2222", "/tmp/hardenlab-marker-bbbb2222")), nil)
	if len(regs) != 1 || regs[0].Kind != ExposureGrew || !strings.Contains(regs[0].Message, "/tmp/hardenlab-marker-{run}") {
		t.Errorf("new marker exposure not found:\n%s", diffText(regs))
	}
}

func TestCompareThresholdOnLadderOnlyMatrix(t *testing.T) {
	m := loadSample(t)
	var recs []report.Record
	for _, r := range m.Records {
		if r.Profile.Kind == profile.Ladder || r.Profile.Kind == profile.Control {
			recs = append(recs, r)
		}
	}
	m.Records = recs
	regs := Compare(m, m, float(4.0))
	if len(regs) != 1 || regs[0].Kind != OverThreshold || regs[0].Profile != "ladder-16-ProtectKernelLogs" {
		t.Errorf("threshold on a ladder-only matrix must gate its last step:\n%s", diffText(regs))
	}
}

func TestCompareAcrossEnvironments(t *testing.T) {
	b, err := os.ReadFile("../report/testdata/matrix-two-environments.json")
	if err != nil {
		t.Fatal(err)
	}
	base, err := decode("two.json", b)
	if err != nil {
		t.Fatal(err)
	}
	if regs := Compare(base, clone(t, base), nil); len(regs) != 0 {
		t.Fatalf("two environments against themselves:\n%s", diffText(regs))
	}
	// Environments are matched by name: the same verdict lost in one of
	// them is reported for that one only.
	cur := clone(t, base)
	second := base.Environments[1].Name
	lost := 0
	for i := range cur.Records {
		r := &cur.Records[i]
		if r.Environment.Name != second {
			continue
		}
		for j := range r.Probes {
			if r.Probes[j].ID == "sys.clock-set" && r.Probes[j].Verdict == "enforced" {
				r.Probes[j].Verdict = "inconclusive"
				lost++
			}
		}
	}
	regs := Compare(base, cur, nil)
	if lost == 0 || len(regs) != 1 || regs[0].Environment != second || regs[0].Probe != "sys.clock-set" || len(regs[0].Also) != lost-1 {
		t.Errorf("lost in %d profiles of %s:\n%s", lost, second, diffText(regs))
	}
	// A whole environment that did not run is one entry, not one per profile.
	var firstOnly []report.Record
	for _, r := range base.Records {
		if r.Environment.Name != second {
			firstOnly = append(firstOnly, r)
		}
	}
	cur = clone(t, base)
	cur.Records = firstOnly
	regs = Compare(base, cur, nil)
	if len(regs) != 1 || regs[0].Kind != ProfileMissing || regs[0].Environment != second || len(regs[0].Also) != len(base.Records)-len(firstOnly)-1 {
		t.Errorf("missing environment:\n%s", diffText(regs))
	}
}

func TestKindsTable(t *testing.T) {
	seen := map[Kind]bool{}
	for _, k := range Kinds() {
		if seen[k.Kind] || k.Kind == "" || k.Title == "" || k.Meaning == "" {
			t.Errorf("bad or duplicate row %+v", k)
		}
		seen[k.Kind] = true
	}
	for _, k := range []Kind{DirectiveRemoved, ProfileMissing, ServiceBroke, VerdictLost, ExposureRose, OverThreshold, EffectiveOverThreshold, ScoreUnknown, ExposureGrew} {
		if !seen[k] {
			t.Errorf("kind %s has no row", k)
		}
	}
	if len(seen) != 9 {
		t.Errorf("%d kinds in the table, 9 constants", len(seen))
	}
}

// TestEffectiveThreshold gates the full unit's effective exposure: above
// the bound fails and names what was not enforced, at it passes, and a
// record without one fails a bound it cannot show it meets.
func TestEffectiveThreshold(t *testing.T) {
	base := loadSample(t)
	for _, c := range []struct {
		name      string
		effective *report.Effective
		bound     float64
		want      string // Now of the one regression; "" none
	}{
		{"above", &report.Effective{Exposure: 5.6, Level: "MEDIUM", Discounted: []report.Discount{{Directive: "ProtectProc"}}}, 5.0, "5.6 MEDIUM"},
		{"at the bound", &report.Effective{Exposure: 5.0, Level: "MEDIUM"}, 5.0, ""},
		{"unknown", nil, 5.0, "unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cur := clone(t, base)
			fullOf(t, &cur).Effective = c.effective
			got := CompareWith(base, cur, Gates{EffectiveThreshold: float(c.bound)})
			switch {
			case c.want == "" && len(got) != 0:
				t.Errorf("want no regression, got:\n%s", diffText(got))
			case c.want != "" && (len(got) != 1 || got[0].Kind != EffectiveOverThreshold || got[0].Now != c.want || !got[0].FullUnit):
				t.Errorf("want one %s now %s, got:\n%s", EffectiveOverThreshold, c.want, diffText(got))
			case c.name == "above" && !strings.Contains(got[0].Message, "ProtectProc="):
				t.Errorf("the message does not name what was discounted: %s", got[0].Message)
			}
		})
	}
}

func TestWriteDiffNothing(t *testing.T) {
	if got := diffText(nil); got != "no regressions against the baseline\n" {
		t.Errorf("%q", got)
	}
	forged := diffText([]Regression{{Kind: ExposureRose, Profile: "p", Was: "1\n+ 0.0", Now: "2", Message: "m"}})
	if strings.Contains(forged, "\n+ 0.0") {
		t.Errorf("a newline in a value forged a diff line:\n%s", forged)
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "baseline.json")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadErrors(t *testing.T) {
	for _, c := range []struct {
		name, content string
		want          []string
		is            error
	}{
		{"empty file", "", []string{"baseline.json", "no content"}, ErrEmpty},
		{"blank file", " \n\t\n", []string{"no content"}, ErrEmpty},
		{"not JSON", "{\n  \"schema\": 1,\n  oops\n}", []string{"baseline.json:3", "not a hardenlab matrix document"}, nil},
		{"truncated", "{\n \"schema\": 1,\n \"records\": [\n", []string{"baseline.json:4"}, nil},
		{"wrong type", "{\n\"schema\": \"one\"\n}", []string{"baseline.json:2", "schema"}, nil},
		{"no schema", `{"records": [{"profile": {"name": "x"}}]}`, []string{"no \"schema\" field"}, ErrSchema},
		{"future schema", `{"schema": 2, "records": [{"profile": {"name": "x"}}]}`, []string{"schema 2", "--update-baseline"}, ErrSchema},
		{"no records", `{"schema": 1, "records": []}`, []string{"no records"}, ErrEmpty},
		{"record list", `[{"schema": 1}]`, []string{"list of records", "hardenlab run --json"}, nil},
		{"unit file", "[Service]\nExecStart=/bin/true\n", []string{"baseline.json:1: this is a unit file, not a baseline"}, nil},
		{"trailing content", "{\"schema\": 1, \"records\": [{\"profile\": {\"name\": \"x\"}}]}\n{}", []string{"baseline.json:2", "after the matrix"}, nil},
		{"record of another schema", `{"schema": 1, "records": [{"schema": 7, "profile": {"name": "x"}}]}`, []string{"record 0 (\"x\")", "schema 7"}, ErrSchema},
		{"nameless profile", `{"schema": 1, "records": [{"profile": {}}]}`, []string{"record 0 has no profile name"}, nil},
		{"duplicate probe", `{"schema": 1, "records": [{"profile": {"name": "a"}, "probes": [{"id": "p", "verdict": "enforced"}, {"id": "p", "verdict": "error"}]}]}`, []string{"probe \"p\" twice"}, nil},
		{"duplicate profile", `{"schema": 1, "records": [{"profile": {"name": "a", "kind": "full"}}, {"profile": {"name": "b", "kind": "full"}}]}`, []string{"records 0 and 1", "full profile"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(writeFile(t, c.content))
			if err == nil {
				t.Fatal("loaded")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("error %q is not %v", err, c.is)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error: %q", err)
			}
		})
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := loadSample(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "p3test.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Save(p, m); err != nil {
		t.Fatal(err)
	}
	got, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Error("a saved baseline loads differently")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", st.Mode(), err)
	}
}

func TestSaveErrors(t *testing.T) {
	m := loadSample(t)
	if err := Save(filepath.Join(t.TempDir(), "no", "such", "dir.json"), m); err == nil || !strings.Contains(err.Error(), "dir.json") {
		t.Errorf("saving into a missing directory: %v", err)
	}
	dir := t.TempDir()
	if err := Save(filepath.Join(dir, "empty.json"), report.Matrix{Schema: 1}); !errors.Is(err, ErrEmpty) {
		t.Errorf("saving an empty matrix: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a failed save left %v", entries)
	}
}

func BenchmarkCompare(b *testing.B) {
	base := loadSample(b)
	cur := clone(b, base)
	for i := range cur.Records {
		cur.Records[i].Score.Exposure += 0.1
	}
	for b.Loop() {
		Compare(base, cur, float(5))
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(sample); err != nil {
			b.Fatal(err)
		}
	}
}
