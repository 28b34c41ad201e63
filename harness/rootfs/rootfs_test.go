package rootfs

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNameCoversContentOnly(t *testing.T) {
	a := Spec{Suite: "trixie", Packages: []string{"systemd", "dbus"}}
	b := Spec{Suite: "trixie", Packages: []string{"dbus", "systemd", "dbus"}, Mirror: "http://example/debian", Rebuild: true}
	if a.Name() != b.Name() {
		t.Errorf("package order, duplicates, mirror or rebuild changed the name: %s vs %s", a.Name(), b.Name())
	}
	for _, other := range []Spec{{Suite: "bookworm", Packages: a.Packages}, {Suite: "trixie", Packages: []string{"systemd"}}, {Suite: "trixie", Packages: a.Packages, Variant: "buildd"}} {
		if other.Name() == a.Name() {
			t.Errorf("%+v has the same name as %+v", other, a)
		}
	}
	if !strings.HasPrefix(a.Name(), "trixie-") {
		t.Errorf("name %q does not start with the suite", a.Name())
	}
}

func TestSpecValidation(t *testing.T) {
	for _, s := range []Spec{{}, {Suite: "../etc"}, {Suite: "trixie", Packages: []string{"--foo"}}, {Suite: "trixie", Packages: []string{"a,b"}}} {
		if _, err := Build(context.Background(), s, t.TempDir()); err == nil {
			t.Errorf("%+v accepted", s)
		}
	}
}

// fakeDebootstrap puts a debootstrap on PATH that runs script with the
// target directory as $TARGET.
func fakeDebootstrap(t *testing.T, script string) {
	t.Helper()
	bin := t.TempDir()
	body := "#!/bin/sh\nfor a; do TARGET=$SUITE_DIR; SUITE_DIR=$PREV; PREV=$a; done\nTARGET=$SUITE_DIR\n" + script + "\n"
	if err := os.WriteFile(filepath.Join(bin, "debootstrap"), []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":/usr/bin:/bin")
}

func TestBuildCachesAndRebuilds(t *testing.T) {
	state := t.TempDir()
	fakeDebootstrap(t, `mkdir -p "$TARGET/etc" && echo built > "$TARGET/etc/marker"`)
	spec := Spec{Suite: "trixie", Packages: []string{"systemd"}}
	dir, err := Build(context.Background(), spec, state)
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "etc", "marker")); err != nil || string(data) != "built\n" {
		t.Fatalf("root not built by debootstrap: %v %q", err, data)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("root mode %v, %v; want 0755", info.Mode(), err)
	}
	if _, st, err := Lookup(spec, state); err != nil || st.Suite != "trixie" {
		t.Fatalf("no stamp: %v", err)
	}
	// A cached root is reused: a failing debootstrap is not even run.
	fakeDebootstrap(t, "exit 1")
	if again, err := Build(context.Background(), spec, state); err != nil || again != dir {
		t.Fatalf("cached root not reused: %v %v", again, err)
	}
	// Rebuild runs it, and a failure leaves the old root and no partial.
	spec.Rebuild = true
	if _, err := Build(context.Background(), spec, state); err == nil {
		t.Fatal("failed rebuild reported success")
	}
	if _, err := os.Stat(filepath.Join(dir, "etc", "marker")); err != nil {
		t.Errorf("failed rebuild destroyed the cached root: %v", err)
	}
	partials, _ := filepath.Glob(filepath.Join(state, "rootfs", ".partial-*"))
	if len(partials) != 0 {
		t.Errorf("partial builds left: %v", partials)
	}
}

func TestBuildFailureCleansUp(t *testing.T) {
	state := t.TempDir()
	fakeDebootstrap(t, `mkdir -p "$TARGET/var" && echo "E: Couldn't download packages" && exit 1`)
	_, err := Build(context.Background(), Spec{Suite: "trixie"}, state)
	if err == nil || !strings.Contains(err.Error(), "Couldn't download") {
		t.Fatalf("error %v should carry debootstrap's output", err)
	}
	entries, _ := os.ReadDir(filepath.Join(state, "rootfs"))
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestStalePartialsRemoved(t *testing.T) {
	state := t.TempDir()
	spec := Spec{Suite: "trixie"}
	stale := filepath.Join(state, "rootfs", ".partial-"+spec.Name()+"-123")
	if err := os.MkdirAll(filepath.Join(stale, "usr"), 0o755); err != nil {
		t.Fatal(err)
	}
	fakeDebootstrap(t, `mkdir -p "$TARGET/etc"`)
	if _, err := Build(context.Background(), spec, state); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale partial build not removed: %v", err)
	}
}

func TestMissingDebootstrap(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := Build(context.Background(), Spec{Suite: "trixie"}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "apt-get install debootstrap") {
		t.Errorf("error %v should tell how to install debootstrap", err)
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	for in, want := range map[string]string{`/a\040b`: "/a b", `/plain`: "/plain", `/x\134y`: `/x\y`, `/bad\9`: `/bad\9`} {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescapeMountinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDebootstrapWrapperCommandAndCancel(t *testing.T) {
	dir := t.TempDir()
	record := filepath.Join(dir, "argv")
	wrapper := filepath.Join(dir, "wrap")
	if err := os.WriteFile(wrapper, []byte("#!/bin/sh\necho \"wrap $*\" > "+record+"\nexec \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	fakeDebootstrap(t, `exec sleep "${SLEEP:-0}"`)
	made := 0
	opt := DebootstrapOptions{Wrapper: []string{wrapper}, Command: func(ctx context.Context, name string, args ...string) *exec.Cmd {
		made++
		return exec.CommandContext(ctx, name, args...)
	}}
	spec := Spec{Suite: "trixie", Packages: []string{"udev", "dbus"}, Arch: "amd64"}
	if err := Debootstrap(context.Background(), spec, "/t", opt); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(record)
	want := "debootstrap --variant=minbase --include=dbus,udev --arch=amd64 trixie /t " + DefaultMirror + "\n"
	if err != nil || !strings.HasPrefix(string(data), "wrap ") || !strings.HasSuffix(string(data), want) || made != 1 {
		t.Errorf("ran %q (%v), made %d commands; want the wrapper running %q", data, err, made, want)
	}

	t.Setenv("SLEEP", "10")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := Debootstrap(ctx, spec, "/t", DebootstrapOptions{}); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "debootstrap --variant=minbase") {
		t.Errorf("cancelled run: %v", err)
	}
}
