package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/hardenlab/hardenlab/harness/score"
)

func runScore(t *testing.T, args ...string) (code int, out, errOut string) {
	t.Helper()
	var o, e bytes.Buffer
	code = cmdScore(context.Background(), args, stdio{out: &o, err: &e})
	return code, o.String(), e.String()
}

const (
	scoreBaseline = "../../fixtures/p3test.service"
	scoreHardened = "../../fixtures/p3test-hardened.service"
)

// The tutorial's numbers: 9.6 and 4.9 for the running units, 5.1 for the
// hardened file under systemd-analyze 252 --offline=true.
func TestScoreTutorialUnits(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--systemd-version", "252", scoreBaseline, scoreHardened}, []string{"p3test.service: 9.6 UNSAFE", "p3test-hardened.service: 4.9 OK"}},
		{[]string{"--systemd-version", "252", "--offline", scoreHardened}, []string{"p3test-hardened.service: 5.1 MEDIUM", "PrivateMounts="}},
		{[]string{"--systemd-version", "257", "--offline", scoreBaseline}, []string{"p3test.service: 9.4 UNSAFE"}},
	} {
		code, out, errOut := runScore(t, tc.args...)
		if code != exitOK {
			t.Errorf("%v: exit %d, stderr %s", tc.args, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
}

func TestScoreJSON(t *testing.T) {
	code, out, errOut := runScore(t, "--json", "--systemd-version", "252", scoreBaseline)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []struct {
		Path     string            `json:"path"`
		Exposure float64           `json:"exposure"`
		Level    string            `json:"level"`
		Checks   []json.RawMessage `json:"checks"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 1 || got[0].Path != scoreBaseline || got[0].Exposure != 9.6 || got[0].Level != "UNSAFE" || len(got[0].Checks) != 81 {
		t.Errorf("got %+v", got)
	}
}

// systemd-analyze's threshold semantics: tenths, fail when above.
func TestScoreThreshold(t *testing.T) {
	for _, tc := range []struct {
		threshold string
		want      int
	}{{"96", exitOK}, {"95", exitFindings}, {"100", exitOK}, {"101", exitUsage}, {"-1", exitUsage}, {"5.0", exitUsage}} {
		code, _, _ := runScore(t, "--systemd-version", "252", "--threshold", tc.threshold, scoreBaseline)
		if code != tc.want {
			t.Errorf("--threshold %s: exit %d, want %d", tc.threshold, code, tc.want)
		}
	}
}

// Every bad file is reported on its own with its name; the good one is
// still scored; the exit status says some file failed.
func TestScoreBadInput(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.service")
	if err := os.WriteFile(big, bytes.Repeat([]byte("#"), 10<<20+1), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, _ := filepath.Glob("../../fixtures/score/bad/*.service")
	if len(bad) < 6 {
		t.Fatalf("bad-input fixtures missing: %v", bad)
	}
	args := append(append([]string{"--systemd-version", "252"}, bad...), big, scoreBaseline, filepath.Join(t.TempDir(), "missing.service"))
	code, out, errOut := runScore(t, args...)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(out, "p3test.service: 9.6 UNSAFE") {
		t.Errorf("the good file was not scored:\n%s", out)
	}
	for _, p := range append(bad, big, "missing.service") {
		if !strings.Contains(errOut, filepath.Base(p)) {
			t.Errorf("no error names %s:\n%s", p, errOut)
		}
	}
	if strings.Contains(errOut, "panic") {
		t.Errorf("panic:\n%s", errOut)
	}
}

func TestScorePolicies(t *testing.T) {
	dir := "../../fixtures/score/policies"
	code, out, _ := runScore(t, "--systemd-version", "252", "--offline", "--security-policy", filepath.Join(dir, "example.policy"), scoreBaseline)
	if code != exitOK || !strings.Contains(out, "9.1 UNSAFE") {
		t.Errorf("example policy: exit %d\n%s", code, out)
	}
	for _, p := range []string{"range-zero.policy", "range-below-badness.policy", "not-object.policy", "syntax-error.policy", "absent.policy"} {
		code, _, errOut := runScore(t, "--security-policy", filepath.Join(dir, p), scoreBaseline)
		if code != exitUsage || !strings.Contains(errOut, p) {
			t.Errorf("%s: exit %d, stderr %q", p, code, errOut)
		}
	}
}

func TestScoreUsage(t *testing.T) {
	if code, _, errOut := runScore(t, "--help"); code != exitOK || !strings.Contains(errOut, "--offline") {
		t.Errorf("--help: exit %d\n%s", code, errOut)
	}
	if code, _, _ := runScore(t); code != exitUsage {
		t.Errorf("no files: exit %d", code)
	}
	if code, _, errOut := runScore(t, "--systemd-version", "249", scoreBaseline); code != exitUsage || !strings.Contains(errOut, "252") {
		t.Errorf("unmodelled version: exit %d, %s", code, errOut)
	}
}

// installedRoot is a root with web.service (hardened by a drop-in in
// /etc), its alias, a template whose User= is the instance, and a masked
// unit. The scores below are what systemd-analyze 252 security
// --offline=true --root=ROOT NAME printed for the same tree.
func installedRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	lib := filepath.Join(root, "usr/lib/systemd/system")
	etc := filepath.Join(root, "etc/systemd/system")
	for _, d := range []string{lib, filepath.Join(etc, "web.service.d")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for p, body := range map[string]string{
		filepath.Join(lib, "web.service"):                  "[Service]\nExecStart=/bin/true\n",
		filepath.Join(etc, "web.service.d/10-harden.conf"): "[Service]\nPrivateNetwork=yes\nPrivateTmp=yes\n",
		filepath.Join(lib, "tpl@.service"):                 "[Unit]\nDescription=tpl on %I\n[Service]\nExecStart=/bin/echo %i\nUser=%i\n",
	} {
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("/dev/null", filepath.Join(etc, "masked.service")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("web.service", filepath.Join(lib, "alias.service")); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestScoreInstalledUnits(t *testing.T) {
	root := installedRoot(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"web.service"}, "web.service: 9.0 UNSAFE"},
		{[]string{"alias.service"}, "alias.service (as web.service): 9.0 UNSAFE"},
		{[]string{"tpl@root.service"}, "tpl@root.service: 9.6 UNSAFE"},
		{[]string{"tpl@nobody.service"}, "tpl@nobody.service: 9.5 UNSAFE"},
		{[]string{"--instance", "nobody", "tpl@.service"}, "tpl@.service (as tpl@nobody.service): 9.5 UNSAFE"},
		// systemd-analyze 252 scores a bare template as "tpl@i.service".
		{[]string{"tpl@.service"}, "tpl@.service (as tpl@i.service): 9.2 UNSAFE"},
	} {
		args := append([]string{"--offline", "--systemd-version", "252", "--root", root}, tc.args...)
		code, out, errOut := runScore(t, args...)
		if code != exitOK || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, want %q in\n%s%s", tc.args, code, tc.want, out, errOut)
		}
	}
	code, _, errOut := runScore(t, "--offline", "--root", root, "masked.service")
	if code != exitUsage || !strings.Contains(errOut, "unit is masked") {
		t.Errorf("masked: exit %d, %s", code, errOut)
	}
	code, _, errOut = runScore(t, "--offline", "--root", root, "nope.service")
	if code != exitUsage || !strings.Contains(errOut, "unit not found") {
		t.Errorf("missing: exit %d, %s", code, errOut)
	}
}

func TestScoreAll(t *testing.T) {
	root := installedRoot(t)
	code, out, errOut := runScore(t, "--offline", "--systemd-version", "252", "--root", root, "--all")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	// One table row per unit, as systemd-analyze security lists them, not
	// every unit's checks.
	if !regexp.MustCompile(`(?m)^UNIT +EXPOSURE +PREDICATE +HAPPY\nweb\.service +9\.0 +UNSAFE +\S+\n\z`).MatchString(out) || strings.Contains(out, "weighted badness") {
		t.Errorf("--all must list web.service once, in a table:\n%s", out)
	}
	// The expected skips are one summary line, not a line each.
	want := "hardenlab: skipped 3 units: 1 template (tpl@.service; score one with --instance NAME), 1 alias (of units scored under their own names), 1 masked unit\n"
	if !strings.HasSuffix(errOut, want) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, want)
	}
	if code, _, _ := runScore(t, "--all", "web.service"); code != exitUsage {
		t.Errorf("--all with arguments: exit %d, want usage", code)
	}
}

// A unit file's drop-in directory beside it is read, and a missing
// instance file is read from its template beside it.
func TestScoreFileDropInsAndTemplates(t *testing.T) {
	dir := t.TempDir()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "web.service.d"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "web.service"), []byte("[Service]\nExecStart=/bin/true\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "web.service.d/10-harden.conf"), []byte("[Service]\nPrivateNetwork=yes\nPrivateTmp=yes\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "tpl@.service"), []byte("[Service]\nExecStart=/bin/echo %i\nUser=%i\n"), 0o644))
	for file, want := range map[string]string{"web.service": "web.service: 9.0 UNSAFE", "tpl@root.service": "tpl@root.service: 9.6 UNSAFE"} {
		code, out, errOut := runScore(t, "--offline", "--systemd-version", "252", filepath.Join(dir, file))
		if code != exitOK || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, want %q in\n%s%s", file, code, want, out, errOut)
		}
	}
	must(os.MkdirAll(filepath.Join(dir, "tpl@nobody.service.d"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "tpl@nobody.service.d/10-root.conf"), []byte("[Service]\nUser=root\n"), 0o644))
	code, out, _ := runScore(t, "--offline", "--systemd-version", "252", "--instance", "nobody", filepath.Join(dir, "tpl@.service"))
	if code != exitOK || !strings.Contains(out, "(as tpl@nobody.service): 9.6 UNSAFE") {
		t.Errorf("--instance on a template file must read the instance's drop-ins (User=root: 9.6):\n%s", out)
	}
	must(os.WriteFile(filepath.Join(dir, "web.service.d/20-bad.conf"), []byte("[Service]\nPrivateTmp=maybe\n"), 0o644))
	_, _, errOut := runScore(t, "--offline", filepath.Join(dir, "web.service"))
	if !strings.Contains(errOut, "web.service.d/20-bad.conf:2: PrivateTmp=maybe") {
		t.Errorf("an error in a drop-in must name the drop-in and its line:\n%s", errOut)
	}
}

// The streamed --json array is byte for byte what encoding/json writes
// for the slice of scoredFile, compact and indented, with failed units.
func TestScoreJSONStreamMatchesEncodingJSON(t *testing.T) {
	src := unitSource{version: 252, templateOK: true}
	opts := score.Options{Version: score.V252, Offline: true}
	var files []scoredFile
	for _, p := range []string{scoreBaseline, scoreHardened, "../../fixtures/nginx-hardened.service", "no-such-dir/x.service"} {
		su, err := scoreUnit(src, p, opts)
		if err != nil {
			files = append(files, scoredFile{Path: p, Error: err.Error()})
			continue
		}
		files = append(files, scoredFile{Path: p, Result: su.result})
	}
	if files[3].Error == "" || files[0].Result == nil {
		t.Fatalf("want three scored files and one error, got %+v", files)
	}
	for _, format := range []jsonFlag{"short", "pretty"} {
		for _, n := range []int{0, 1, len(files)} {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			if format == "pretty" {
				enc.SetIndent("", "  ")
			}
			if err := enc.Encode(append([]scoredFile{}, files[:n]...)); err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			arr := &jsonArray{w: bufio.NewWriter(&got), pretty: format == "pretty"}
			r := scoreRun{format: format}
			for _, f := range files[:n] {
				arr.add(r.appendJSON(nil, f))
			}
			if err := arr.close(); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("%s, %d files:\n got %s\nwant %s", format, n, got.String(), want.String())
			}
		}
	}
}

// Results come out in index order whatever order the workers finish in,
// and emit returning false stops the run.
func TestInOrder(t *testing.T) {
	for _, workers := range []int{1, 2, 8} {
		var got []int
		err := inOrder(context.Background(), 200, workers, func(i int) int {
			if i%7 == 0 {
				time.Sleep(time.Millisecond) // let later indexes finish first
			}
			return i * 3
		}, func(v int) bool {
			got = append(got, v)
			return len(got) < 150
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 150 {
			t.Fatalf("%d workers: emitted %d, want 150", workers, len(got))
		}
		for i, v := range got {
			if v != i*3 {
				t.Fatalf("%d workers: result %d is %d, want %d", workers, i, v, i*3)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := inOrder(ctx, 10, 2, func(i int) int { return i }, func(int) bool { return true }); err == nil {
		t.Error("a cancelled context ran to the end")
	}
}

// The open-checks table is what text/tabwriter (padding 2) lays out for
// the same cells, and appendOneDecimal writes what %.1f writes.
func TestOpenChecksTableMatchesTabwriter(t *testing.T) {
	for n := range 1200 {
		for _, x := range []float64{float64(n) / 10, float64(n)/10 + 0.04, float64(n) / 1000} {
			if got, want := string(appendOneDecimal(nil, x)), fmt.Sprintf("%.1f", x); got != want {
				t.Fatalf("appendOneDecimal(%v) = %s, want %s", x, got, want)
			}
		}
	}
	var results []*score.Result
	for _, p := range []string{scoreBaseline, scoreHardened, "../../fixtures/nginx-hardened.service"} {
		su, err := scoreUnit(unitSource{version: 252, templateOK: true}, p, score.Options{Version: score.V252, Offline: true})
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, su.result)
	}
	odd := &score.Result{Checks: []score.Check{
		{Name: "RestrictAddressFamilies=~…", Badness: 1, Range: 1, Weight: 1, Exposure: 0.3, Description: "é", Fix: "X=y"},
		{Name: strings.Repeat("x", 150), Badness: 10, Range: 10, Weight: 3000, Exposure: 10, Description: ""},
		{Name: "y", Badness: 123456, Range: 1234567, Weight: 1, Exposure: 0.05},
	}}
	results = append(results, odd)
	for i, r := range results {
		open := openChecks(r)
		var want bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SHARE\tCHECK\tBADNESS\tWHY\tFIX")
		for _, c := range open {
			fix := c.Fix
			if fix == "" {
				fix = "-"
			}
			fmt.Fprintf(tw, "  %.1f\t%s\t%d/%d\t%s\t%s\n", c.Exposure, c.Name, c.Badness, c.Range, why(c), fix)
		}
		tw.Flush()
		if got := string(appendOpenChecks(nil, open)); got != want.String() {
			t.Errorf("result %d:\n got\n%s\nwant\n%s", i, got, want.String())
		}
	}
}

// Rescored suggestions: on by default for one unit, off for several
// unless --suggest asks; every open check names its fix either way.
func TestScoreSuggestions(t *testing.T) {
	const rescored = "Directives that would lower the score most"
	fixNamed := regexp.MustCompile(`(?m)^  \d+\.\d +PrivateNetwork= +1/1 +Service has access to the host's network +PrivateNetwork=yes$`)
	for _, tc := range []struct {
		args []string
		want int // blocks of rescored suggestions
	}{
		{[]string{scoreBaseline}, 1},
		{[]string{scoreBaseline, scoreHardened}, 0},
		{[]string{"--suggest", "2", scoreBaseline, scoreHardened}, 2},
		{[]string{"--suggest", "0", scoreBaseline}, 0},
	} {
		code, out, errOut := runScore(t, append([]string{"--systemd-version", "252"}, tc.args...)...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", tc.args, code, errOut)
		}
		if got := strings.Count(out, rescored); got != tc.want {
			t.Errorf("%v: %d suggestion blocks, want %d:\n%s", tc.args, got, tc.want, out)
		}
		if !fixNamed.MatchString(out) {
			t.Errorf("%v: the PrivateNetwork= row does not name its fix:\n%s", tc.args, out)
		}
	}
	_, out, _ := runScore(t, "--systemd-version", "252", "--suggest", "2", scoreBaseline)
	block := out[strings.Index(out, rescored):]
	if lines := strings.Count(strings.TrimSpace(block), "\n"); lines != 2 {
		t.Errorf("--suggest 2 listed %d suggestions:\n%s", lines, block)
	}
}

// A root's systemd release is read from its libsystemd-shared's name,
// wherever the distribution puts it.
func TestRootSystemdVersion(t *testing.T) {
	for _, tc := range []struct {
		lib  string
		want int
	}{
		{"usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-257.so", 257},
		{"usr/lib/systemd/libsystemd-shared-252.so", 252},
		{"usr/lib64/systemd/libsystemd-shared-255.so", 255},
		{"usr/lib/odd/systemd/libsystemd-shared-254.so", 254},
		{"usr/lib/x86_64-linux-gnu/libfoo.so", 0},
	} {
		root := t.TempDir()
		p := filepath.Join(root, tc.lib)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if got := rootSystemdVersion(root); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.lib, got, tc.want)
		}
	}
	if got := rootSystemdVersion(""); got != 0 {
		t.Errorf("no root: %d", got)
	}
}

// Lines systemd ignores with a warning when it loads the unit are named
// with FILE:LINE on stderr, as systemd-analyze logs them; an X- section
// or key, which systemd ignores silently, is not.
func TestScoreWarnsAboutIgnoredLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "odd.service")
	text := "[Service]\nExecStart=/bin/true\nnot an assignment\n=value\nX-Mine=1\n[Foo]\nBar=1\n[X-Tool]\nKey=1\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runScore(t, "--offline", "--systemd-version", "252", path)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{path + `:3: not an assignment: ignored: line without "="`, path + `:4: ignored: no key name before "="`, path + ":7: Bar: ignored: section [Foo]"} {
		if !strings.Contains(errOut, "hardenlab: warning: "+want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "X-") || strings.Count(errOut, "warning:") != 3 {
		t.Errorf("want exactly the three warnings:\n%s", errOut)
	}
}

// Several units' checks scroll away; a table of their scores ends the
// output, a unit that could not be scored included.
func TestScoreSeveralEndsWithTable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.service")
	code, out, _ := runScore(t, "--offline", "--systemd-version", "252", scoreBaseline, missing)
	if code != exitUsage {
		t.Errorf("exit %d", code)
	}
	table := regexp.MustCompile(`\n\nUNIT +EXPOSURE +PREDICATE +HAPPY\n\S*p3test\.service +9\.6 +UNSAFE +\S+\n\S*missing\.service +- +not scored\n\z`)
	if !table.MatchString(out) {
		t.Errorf("no closing table:\n%s", out)
	}
	if _, one, _ := runScore(t, "--offline", "--systemd-version", "252", scoreBaseline); strings.Contains(one, "PREDICATE") {
		t.Errorf("one unit needs no table:\n%s", one)
	}
}

// A unit score refuses is in the SARIF at the line it refuses, beside the
// threshold findings: code scanning must not show a broken unit as clean.
func TestScoreSARIFNamesRefusedUnits(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.service")
	if err := os.WriteFile(bad, []byte("[Service]\nExecStart=/bin/true\nProtectSystem=sideways\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "s.sarif")
	if code, _, errOut := runScore(t, "--offline", "--systemd-version", "252", "--sarif", out, bad); code != exitUsage {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Runs) != 1 || len(doc.Runs[0].Results) != 1 {
		t.Fatalf("results: %s", data)
	}
	r := doc.Runs[0].Results[0]
	if r.RuleID != "refused" || len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.Region.StartLine != 3 {
		t.Errorf("result %+v", r)
	}
}

// --suggest only shapes the text; with --json it would be dropped
// silently, so the pair is refused.
func TestScoreSuggestWithJSONIsRefused(t *testing.T) {
	code, out, errOut := runScore(t, "--json", "--suggest", "3", scoreBaseline)
	if code != exitUsage || out != "" || !strings.Contains(errOut, "--json has none") {
		t.Errorf("exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if code, _, errOut := runScore(t, "--all", "--suggest", "3"); code != exitUsage || !strings.Contains(errOut, "--suggest with --all") {
		t.Errorf("--all --suggest 3: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runScore(t, "--json", "--suggest", "0", scoreBaseline); code != exitOK {
		t.Errorf("--suggest 0 --json: exit %d, %s", code, errOut)
	}
}

func TestSourceRoots(t *testing.T) {
	for _, tc := range []struct {
		root string
		args []string
		want []string
	}{
		{"", []string{"nginx.service", "./x.service"}, []string{"/"}},
		{"/srv/root", []string{"nginx.service", "ssh.service"}, []string{"/srv/root"}},
		{"/srv/root", []string{"nginx.service", "fixtures/p3test.service"}, []string{"/srv/root", "/"}},
		{"/srv/root", nil, []string{"/srv/root"}},
	} {
		if got := sourceRoots(unitSource{root: tc.root}, tc.args); !slices.Equal(got, tc.want) {
			t.Errorf("root %q, args %q: %q, want %q", tc.root, tc.args, got, tc.want)
		}
	}
}
