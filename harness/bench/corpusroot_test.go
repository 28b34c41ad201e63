package bench

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/corpus"
)

func TestWriteCorpusRoot(t *testing.T) {
	root, dir := t.TempDir(), t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	facts := map[string]string{"etc/machine-id": "0123456789abcdef0123456789abcdef\n", "etc/os-release": "ID=debian\n", "etc/passwd": "root:x:0:0:root:/root:/bin/zsh\n"}
	for rel, text := range facts {
		if err := os.WriteFile(filepath.Join(root, rel), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	svc := func(exec string) []byte { return []byte("[Service]\nExecStart=" + exec + "\n") }
	units := []corpus.Unit{
		{Name: "a.service", Origin: "/usr/lib/systemd/system/a.service", Text: svc("/bin/a")},
		{Name: "getty@.service", Origin: "/usr/lib/systemd/system/getty@.service", Text: svc("/sbin/agetty %I")},
		{Name: "getty@tty1.service", Origin: "/etc/systemd/system/getty.target.wants/getty@tty1.service", Text: svc("/sbin/agetty %I")},
		{Name: "a.service", Origin: "a 1.0: /lib/systemd/system/a.service", Package: "a", Text: svc("/bin/a")},    // installed: the same
		{Name: "a.service", Origin: "a2 1.0: /lib/systemd/system/a.service", Package: "a2", Text: svc("/bin/a2")}, // another a
		{Name: "a.service", Origin: "a3 1.0: /lib/systemd/system/a.service", Package: "a3", Text: svc("/bin/a3")}, // and a third
		{Name: "x@.service", Origin: "x 1.0: /lib/systemd/system/x@.service", Package: "x", Text: svc("/bin/x")},
		{Name: "x@.service", Origin: "y 1.0: /lib/systemd/system/x@.service", Package: "y", Text: svc("/bin/y")},
		{Name: "masked.service", Origin: "/etc/systemd/system/masked.service", Text: nil},
	}
	cr, err := WriteCorpusRoot(root, dir, units, 252)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range cr.Files {
		if filepath.Dir(f) != filepath.Join(dir, "usr/lib/systemd/system") {
			t.Errorf("%s: not in the unit directory", f)
		}
		names = append(names, filepath.Base(f))
	}
	want := []string{"a-2.service", "a-3.service", "a.service", "getty@i.service", "getty@tty1.service", "x-2@i.service", "x@i.service"}
	if !slices.Equal(names, want) {
		t.Errorf("files %q, want %q", names, want)
	}
	wantRenamed := []string{"a2 1.0: /lib/systemd/system/a.service as a-2.service", "a3 1.0: /lib/systemd/system/a.service as a-3.service", "y 1.0: /lib/systemd/system/x@.service as x-2@i.service"}
	if cr.Shared != 1 || cr.Instances != 3 || !slices.Equal(cr.Renamed, wantRenamed) || !slices.Equal(cr.Empty, []string{"/etc/systemd/system/masked.service"}) {
		t.Errorf("shared %d (want 1), instances %d (want 3), renamed %q (want %q), empty %q", cr.Shared, cr.Instances, cr.Renamed, wantRenamed, cr.Empty)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "usr/lib/systemd/system/a-3.service")); err != nil || !strings.Contains(string(got), "/bin/a3") {
		t.Errorf("a-3.service holds %q, %v; want a3's text", got, err)
	}
	for rel, text := range facts {
		if got, err := os.ReadFile(filepath.Join(dir, rel)); err != nil || string(got) != text {
			t.Errorf("%s: %q, %v; want the root's %q", rel, got, err, text)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "etc/machine-info")); !os.IsNotExist(err) {
		t.Errorf("etc/machine-info, which the root lacks: %v", err)
	}
}

func TestWriteCorpusRoot257Instance(t *testing.T) {
	cr, err := WriteCorpusRoot(t.TempDir(), t.TempDir(), []corpus.Unit{{Name: "foo@.service", Text: []byte("[Service]\nExecStart=/bin/true\n")}}, 257)
	if err != nil || len(cr.Files) != 1 || filepath.Base(cr.Files[0]) != "foo@test_instance.service" {
		t.Errorf("got %+v, %v; want foo@test_instance.service", cr, err)
	}
}

func TestWriteCorpusRootRefusesABadName(t *testing.T) {
	if _, err := WriteCorpusRoot(t.TempDir(), t.TempDir(), []corpus.Unit{{Name: "nodot", Origin: "o", Text: []byte("[Service]\n")}}, 252); err == nil || !strings.Contains(err.Error(), "o:") {
		t.Errorf("a unit without a type suffix: %v, want an error naming its origin", err)
	}
}

func TestLinkAlone(t *testing.T) {
	src, dir := t.TempDir(), t.TempDir()
	var files []string
	for _, name := range []string{"b.service", "a@i.service"} {
		p := filepath.Join(src, name)
		if err := os.WriteFile(p, []byte("[Service]\nExecStart=/bin/"+name+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	links, err := LinkAlone(files, dir)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range links {
		if l != filepath.Join(dir, filepath.Base(files[i]), filepath.Base(files[i])) {
			t.Errorf("link %d: %s", i, l)
		}
		a, errA := os.Stat(l)
		b, errB := os.Stat(files[i])
		if errA != nil || errB != nil || !os.SameFile(a, b) {
			t.Errorf("%s is not %s: %v %v", l, files[i], errA, errB)
		}
		if entries, err := os.ReadDir(filepath.Dir(l)); err != nil || len(entries) != 1 {
			t.Errorf("%s: %d entries, %v; want the file alone", filepath.Dir(l), len(entries), err)
		}
	}
	if _, err := LinkAlone([]string{filepath.Join(src, "missing.service")}, dir); err == nil {
		t.Error("a missing file: no error")
	}
}
