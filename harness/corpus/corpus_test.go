package corpus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

func TestStock(t *testing.T) {
	root := t.TempDir()
	write(t, root+"/usr/lib/systemd/system/a.service", "[Service]\nExecStart=/a\n")
	// A vendor alias sorts before its unit; the unit keeps its own name.
	link(t, "a.service", root+"/usr/lib/systemd/system/0-alias.service")
	write(t, root+"/usr/lib/systemd/system/getty@.service", "[Service]\nExecStart=/g %i\n")
	write(t, root+"/usr/lib/systemd/system/b.socket", "[Socket]\n")
	link(t, "/dev/null", root+"/usr/lib/systemd/system/masked.service")
	link(t, "usr/lib", root+"/lib")
	write(t, root+"/etc/systemd/system/local.service", "[Service]\nExecStart=/l\n")
	// An alias and a .wants link of a vendor unit are that unit; an
	// instance link is a unit of its own.
	link(t, "/lib/systemd/system/a.service", root+"/etc/systemd/system/alias.service")
	link(t, "/usr/lib/systemd/system/a.service", root+"/etc/systemd/system/multi-user.target.wants/a.service")
	link(t, "/lib/systemd/system/getty@.service", root+"/etc/systemd/system/getty.target.wants/getty@tty1.service")
	link(t, "/nowhere.service", root+"/etc/systemd/system/dangling.service")

	units, skipped, err := Stock(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range units {
		names = append(names, u.Name+"="+u.Origin)
	}
	want := []string{
		"a.service=/usr/lib/systemd/system/a.service",
		"getty@.service=/usr/lib/systemd/system/getty@.service",
		"getty@tty1.service=/etc/systemd/system/getty.target.wants/getty@tty1.service",
		"local.service=/etc/systemd/system/local.service",
	}
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("units:\n got %q\nwant %q", names, want)
	}
	for _, u := range units {
		if u.Name == "getty@tty1.service" && !strings.Contains(string(u.Text), "%i") {
			t.Errorf("instance link text = %q, want the template's", u.Text)
		}
	}
	var reasons []string
	for _, s := range skipped {
		reasons = append(reasons, s.Origin+": "+s.Reason)
	}
	slices.Sort(reasons)
	wantSkipped := []string{
		"/etc/systemd/system/dangling.service: dangling link",
		"/usr/lib/systemd/system/masked.service: masked (a link to /dev/null)",
	}
	if !slices.Equal(reasons, wantSkipped) {
		t.Errorf("skipped:\n got %q\nwant %q", reasons, wantSkipped)
	}
}

func TestTemplateOf(t *testing.T) {
	for name, want := range map[string]string{
		"getty@tty1.service": "getty@.service", "getty@.service": "", "a.service": "",
	} {
		if got := templateOf(name); got != want {
			t.Errorf("templateOf(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestParseStanzas(t *testing.T) {
	out := "Package: nginx-common\nVersion: 1.22.1-9\nArchitecture: all\nDescription: x\n y\n\n" +
		"Package: bind9\nVersion: 1:9.18.49-1\nArchitecture: amd64\n\nPackage: broken\n"
	got := parseStanzas([]byte(out))
	want := []Package{{"nginx-common", "1.22.1-9", "all"}, {"bind9", "1:9.18.49-1", "amd64"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if n := got[1].debName(); n != "bind9_1%3a9.18.49-1_amd64.deb" {
		t.Errorf("debName = %q", n)
	}
}

// fakeApt stands in for apt-cache, apt-get and dpkg-deb: packages are
// directory trees, a download writes a .deb that names its tree.
type fakeApt struct {
	versions  map[string]string            // package -> candidate version
	trees     map[string]map[string]string // package -> path -> text
	downloads []string
	updates   int
}

func (f *fakeApt) run(_ context.Context, dir, name string, args ...string) ([]byte, error) {
	last := args[len(args)-1]
	switch {
	case name == "apt-cache":
		var b strings.Builder
		for _, p := range args {
			if v, ok := f.versions[p]; ok {
				fmt.Fprintf(&b, "Package: %s\nVersion: %s\nArchitecture: all\n\n", p, v)
			}
		}
		return []byte(b.String()), nil
	case name == "apt-get" && last == "update":
		f.updates++
		for _, a := range args {
			if lists, ok := strings.CutPrefix(a, "Dir::State::Lists="); ok {
				return nil, os.WriteFile(filepath.Join(lists, "mirror_dists_test_main_binary-all_Packages"), nil, 0o644)
			}
		}
		return nil, nil
	case name == "apt-get":
		pkg, ver, _ := strings.Cut(last, "=")
		if f.versions[pkg] != ver {
			return nil, fmt.Errorf("404 %s", last)
		}
		f.downloads = append(f.downloads, last)
		deb := Package{pkg, ver, "all"}.debName()
		return nil, os.WriteFile(filepath.Join(dir, deb), []byte(pkg), 0o644)
	case name == "dpkg-deb":
		pkg, err := os.ReadFile(args[1])
		if err != nil {
			return nil, err
		}
		for p, text := range f.trees[string(pkg)] {
			full := filepath.Join(args[2], p)
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				return nil, err
			}
			if strings.HasPrefix(text, "->") {
				err = os.Symlink(text[2:], full)
			} else {
				err = os.WriteFile(full, []byte(text), 0o644)
			}
			if err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	return nil, fmt.Errorf("unexpected command %s %v", name, args)
}

func TestAptUnits(t *testing.T) {
	f := &fakeApt{
		versions: map[string]string{"web": "1:2.0-1", "empty": "1"},
		trees: map[string]map[string]string{
			"web": {
				"usr/lib/systemd/system/web.service":   "[Service]\nExecStart=/web\n",
				"usr/lib/systemd/system/web@.service":  "[Service]\nExecStart=/web %i\n",
				"usr/lib/systemd/system/web.socket":    "[Socket]\n",
				"usr/lib/systemd/system/alias.service": "->web.service",
				"etc/web.conf":                         "x",
			},
			"empty": {"usr/bin/x": "x"},
		},
	}
	cache := t.TempDir()
	a := Apt{Suite: "test", Sources: "deb http://mirror test main\n", CacheDir: cache, Run: f.run}
	units, unknown, err := a.Units(context.Background(), []string{"web", "empty", "nosuch"})
	if err != nil {
		t.Fatal(err)
	}
	var origins []string
	for _, u := range units {
		origins = append(origins, u.Name+" "+u.Origin)
	}
	want := []string{
		"web.service web 1:2.0-1: /usr/lib/systemd/system/web.service",
		"web@.service web 1:2.0-1: /usr/lib/systemd/system/web@.service",
	}
	if !slices.Equal(origins, want) {
		t.Errorf("units:\n got %q\nwant %q", origins, want)
	}
	if !slices.Equal(unknown, []string{"nosuch"}) {
		t.Errorf("unknown = %q", unknown)
	}
	if f.updates != 1 || len(f.downloads) != 2 {
		t.Errorf("first run: %d updates, downloads %q; want 1 update and 2 downloads", f.updates, f.downloads)
	}

	// Again: the lists and the packages of these versions are cached.
	if _, _, err := a.Units(context.Background(), []string{"web", "empty"}); err != nil {
		t.Fatal(err)
	}
	if f.updates != 1 || len(f.downloads) != 2 {
		t.Errorf("second run: %d updates, downloads %q; want nothing new", f.updates, f.downloads)
	}

	// A new version is downloaded and replaces the old one in the cache.
	f.versions["web"] = "1:2.1-1"
	if _, _, err := a.Units(context.Background(), []string{"web"}); err != nil {
		t.Fatal(err)
	}
	debs, _ := filepath.Glob(filepath.Join(cache, "test", "web_*.deb"))
	if len(debs) != 1 || filepath.Base(debs[0]) != "web_1%3a2.1-1_all.deb" {
		t.Errorf("cached debs = %q, want only the new version", debs)
	}
	if _, err := os.Stat(filepath.Join(cache, "test", "apt", "sources.list")); err != nil {
		t.Errorf("private sources not written: %v", err)
	}
}

func TestAptHostSourcesUseNoPrivateState(t *testing.T) {
	if opts := (Apt{Suite: "bookworm"}).options(); opts != nil {
		t.Errorf("host apt got options %q", opts)
	}
	opts := (Apt{Suite: "trixie", Sources: "deb x trixie main", CacheDir: "/c"}).options()
	if !slices.Contains(opts, "Dir::State::Lists=/c/trixie/apt/lists") {
		t.Errorf("private apt options %q do not keep the lists in the cache", opts)
	}
}

func TestSourcesOf(t *testing.T) {
	root := t.TempDir()
	if _, err := SourcesOf(root); err == nil {
		t.Error("a root without sources: no error")
	}
	write(t, root+"/etc/apt/sources.list", "deb http://deb.debian.org/debian trixie main\n")
	got, err := SourcesOf(root)
	if err != nil || !strings.Contains(got, "trixie main") {
		t.Errorf("SourcesOf = %q, %v", got, err)
	}
}
