package unitpath

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const (
	lib = "usr/lib/systemd/system"
	etc = "etc/systemd/system"
)

// tree builds a root with foo-bar-baz.service, tpl@.service and the alias
// alias.service -> foo-bar-baz.service, plus the given files ("mask" makes
// a symlink to /dev/null).
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if body == "mask" {
			err = os.Symlink("/dev/null", p)
		} else {
			err = os.WriteFile(p, []byte(body), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	write(lib+"/foo-bar-baz.service", "[Service]\nExecStart=/bin/true\n")
	write(lib+"/tpl@.service", "[Service]\nExecStart=/bin/true\n")
	if err := os.Symlink("foo-bar-baz.service", filepath.Join(root, lib, "alias.service")); err != nil {
		t.Fatal(err)
	}
	for rel, body := range files {
		write(rel, body)
	}
	return root
}

// TestDropInPrecedence: each scenario has two drop-ins of the same file
// name; the winner is the one systemd-analyze security --offline=true
// --root of 252 and of 257 applied (each set PrivateNetwork= differently
// and the score row showed which). "win" marks the file that must be read.
func TestDropInPrecedence(t *testing.T) {
	tests := []struct {
		name, unit string
		win, lose  string
	}{
		{"higher search directory beats a more specific name", "foo-bar-baz.service", etc + "/foo-.service.d/50.conf", lib + "/foo-bar-baz.service.d/50.conf"},
		{"the exact name beats a dash prefix", "foo-bar-baz.service", lib + "/foo-bar-baz.service.d/50.conf", lib + "/foo-bar-.service.d/50.conf"},
		{"the instance beats the template", "tpl@x.service", lib + "/tpl@x.service.d/50.conf", lib + "/tpl@.service.d/50.conf"},
		{"the exact name beats the type level", "foo-bar-baz.service", lib + "/foo-bar-baz.service.d/50.conf", lib + "/service.d/50.conf"},
		{"a drop-in of an alias applies to the unit", "foo-bar-baz.service", lib + "/alias.service.d/50.conf", ""},
		{"a drop-in of the unit applies to its alias", "alias.service", lib + "/foo-bar-baz.service.d/50.conf", ""},
		{"the type level applies", "foo-bar-baz.service", lib + "/service.d/50.conf", ""},
		{"a prefix drop-in applies", "foo-bar-baz.service", etc + "/foo-.service.d/50.conf", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{tc.win: "[Service]\n"}
			if tc.lose != "" {
				files[tc.lose] = "[Service]\n"
			}
			root := tree(t, files)
			u, err := System(root).Find(tc.unit)
			if err != nil {
				t.Fatal(err)
			}
			if len(u.DropIns) != 1 || u.DropIns[0] != filepath.Join(root, tc.win) {
				t.Errorf("drop-ins %q, want only %s", u.DropIns, tc.win)
			}
		})
	}
}

// TestDropInOrderAndMasking: different file names apply in lexicographic
// order wherever they are; a symlink to /dev/null masks the name in every
// lower directory; drop-ins of an unrelated prefix (tpl-.service.d for
// tpl@x.service) and "-.service.d" are not read (both checked as above).
func TestDropInOrderAndMasking(t *testing.T) {
	root := tree(t, map[string]string{
		etc + "/foo-bar-baz.service.d/20-y.conf": "[Service]\n", lib + "/foo-bar-baz.service.d/10-x.conf": "[Service]\n",
		etc + "/foo-bar-baz.service.d/50.conf": "mask", lib + "/foo-bar-baz.service.d/50.conf": "[Service]\n",
		lib + "/-.service.d/60.conf": "[Service]\n", lib + "/tpl-.service.d/70.conf": "[Service]\n",
	})
	u, err := System(root).Find("foo-bar-baz.service")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, lib, "foo-bar-baz.service.d/10-x.conf"), filepath.Join(root, etc, "foo-bar-baz.service.d/20-y.conf")}
	if strings.Join(u.DropIns, " ") != strings.Join(want, " ") {
		t.Errorf("drop-ins %q, want %q", u.DropIns, want)
	}
	if u, err := System(root).Find("tpl@x.service"); err != nil || len(u.DropIns) != 0 {
		t.Errorf("tpl@x.service: %+v, %v", u, err)
	}
}

func TestFindFragments(t *testing.T) {
	root := tree(t, map[string]string{
		etc + "/masked.service": "mask", lib + "/empty.service": "", etc + "/foo-bar-baz.service": "[Service]\nExecStart=/bin/false\n",
	})
	u, err := System(root).Find("foo-bar-baz.service")
	if err != nil || u.InRoot != "/"+etc+"/foo-bar-baz.service" || u.Fragment != filepath.Join(root, etc, "foo-bar-baz.service") {
		t.Errorf("/etc must override /usr/lib: %+v, %v", u, err)
	}
	if u, err := System(root).Find("tpl@a-b.service"); err != nil || u.Name != "tpl@a-b.service" || u.InRoot != "/"+lib+"/tpl@.service" {
		t.Errorf("instance from its template: %+v, %v", u, err)
	}
	if u, err := System(root).Find("alias.service"); err != nil || u.Name != "foo-bar-baz.service" || u.Asked != "alias.service" {
		t.Errorf("alias: %+v, %v", u, err)
	}
	for _, name := range []string{"masked.service", "empty.service"} {
		if _, err := System(root).Find(name); !errors.Is(err, ErrMasked) {
			t.Errorf("%s: %v, want ErrMasked", name, err)
		}
	}
	if _, err := System(root).Find("nope.service"); !errors.Is(err, ErrNotFound) {
		t.Errorf("nope.service: %v", err)
	}
}

func TestList(t *testing.T) {
	root := tree(t, map[string]string{etc + "/masked.service": "mask"})
	units, skipped, err := System(root).List(".service")
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].Name != "foo-bar-baz.service" {
		t.Errorf("units %+v", units)
	}
	var reasons []string
	kinds := map[string]SkipKind{}
	for _, s := range skipped {
		reasons = append(reasons, s.Name+": "+s.Reason)
		kinds[s.Name] = s.Kind
	}
	if kinds["alias.service"] != SkippedAlias || kinds["masked.service"] != SkippedMasked || kinds["tpl@.service"] != SkippedTemplate {
		t.Errorf("skip kinds %v", kinds)
	}
	got := strings.Join(reasons, "\n")
	for _, want := range []string{"alias.service: an alias of foo-bar-baz.service", "masked.service: masked", "tpl@.service: a template"} {
		if !strings.Contains(got, want) {
			t.Errorf("skipped lacks %q:\n%s", want, got)
		}
	}
}

// A unit file given by path is read as systemd-analyze reads it: its
// directory first, then the search path (checked with a drop-in under
// /run/systemd/system, which systemd-analyze 252 applied to a FILE in
// another directory).
func TestWithDir(t *testing.T) {
	root := tree(t, map[string]string{
		"srv/units/foo-bar-baz.service":                        "[Service]\nExecStart=/bin/false\n",
		"srv/units/foo-bar-baz.service.d/10-here.conf":         "[Service]\n",
		"run/systemd/system/foo-bar-baz.service.d/20-run.conf": "[Service]\n",
	})
	u, err := System(root).WithDir("/srv/units").Find("foo-bar-baz.service")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(root, "srv/units/foo-bar-baz.service.d/10-here.conf"), filepath.Join(root, "run/systemd/system/foo-bar-baz.service.d/20-run.conf")}
	if u.InRoot != "/srv/units/foo-bar-baz.service" || strings.Join(u.DropIns, " ") != strings.Join(want, " ") {
		t.Errorf("%+v", u)
	}
}

func TestSystemForDropsLibFrom255(t *testing.T) {
	has := func(tr Tree) bool { return slices.Contains(tr.SearchPath, "/lib/systemd/system") }
	if !has(SystemFor("/", 252)) || has(SystemFor("/", 257)) || !has(SystemFor("/", 0)) || !has(System("/")) {
		t.Error("/lib/systemd/system must be searched by 252 (and by default), not by 257")
	}
}

// On a merged-/usr root /lib/systemd/system is /usr/lib/systemd/system,
// listed once; a unit found through /lib (252 searches it first) is named
// /lib/..., its relative alias resolved from there, as systemd-analyze
// 252 names it (%y).
func TestMergedUsrReadsTheDirectoryOnce(t *testing.T) {
	root := tree(t, nil)
	if err := os.Symlink("usr/lib", filepath.Join(root, "lib")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		version int
		dir     string
	}{{252, "/lib/systemd/system"}, {257, "/usr/lib/systemd/system"}} {
		tr := SystemFor(root, tc.version)
		units, _, err := tr.List(".service")
		if err != nil || len(units) != 1 {
			t.Fatalf("%d: %+v, %v", tc.version, units, err)
		}
		if units[0].InRoot != tc.dir+"/foo-bar-baz.service" {
			t.Errorf("%d: fragment %s, want it under %s", tc.version, units[0].InRoot, tc.dir)
		}
		u, err := tr.Find("alias.service")
		if err != nil || u.InRoot != tc.dir+"/foo-bar-baz.service" || u.Name != "foo-bar-baz.service" {
			t.Errorf("%d: the alias: %+v, %v", tc.version, u, err)
		}
		if tc.version == 252 {
			usr, lib := tr.list("/usr/lib/systemd/system"), tr.list("/lib/systemd/system")
			if &usr.entries[0] != &lib.entries[0] || lib.finals["alias.service"] != "/lib/systemd/system/foo-bar-baz.service" {
				t.Errorf("/lib and /usr/lib: entries shared %v, /lib's alias ends at %q", &usr.entries[0] == &lib.entries[0], lib.finals["alias.service"])
			}
		}
	}
}

// A listing without the cache (a Tree literal) reads the same.
func TestListWithoutCache(t *testing.T) {
	root := tree(t, nil)
	units, skipped, err := Tree{Root: root, SearchPath: SearchPath()}.List(".service")
	if err != nil || len(units) != 1 || len(skipped) != 2 {
		t.Errorf("%+v %+v %v", units, skipped, err)
	}
}

func TestListRefusesAnUnreadableDirectory(t *testing.T) {
	root := tree(t, map[string]string{"etc/systemd/system.control": "not a directory"})
	if _, _, err := System(root).List(".service"); err == nil || !strings.Contains(err.Error(), "system.control") {
		t.Errorf("a search directory that is a file: %v, want an error naming it", err)
	}
}
