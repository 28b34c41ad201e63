package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/vm"
)

func TestChangedPaths(t *testing.T) {
	before := map[string]string{"/a": "1", "/b": "2", "/c": "3"}
	after := map[string]string{"/a": "1", "/b": "x", "/d": "4"}
	got := changedPaths(before, after)
	want := []string{"/b (changed)", "/c (removed)", "/d (added)"}
	if !slices.Equal(got, want) {
		t.Errorf("changedPaths = %q, want %q", got, want)
	}
	if got := changedPaths(before, before); len(got) != 0 {
		t.Errorf("identical fingerprints differ: %q", got)
	}
}

func TestOwnedPaths(t *testing.T) {
	unit := filepath.Join(t.TempDir(), "svc.service")
	body := "[Service]\nExecStart=/bin/true\nRuntimeDirectory=svc other\nStateDirectory=svc\nLogsDirectory=svc\n" +
		"PIDFile=/run/svc/svc.pid\nReadWritePaths=-/var/spool/svc /srv/svc\n"
	if err := os.WriteFile(unit, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	u, err := directive.ParseFiles(directive.Files{Fragment: unit}, directive.SpecifierContext{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.FromUnit(u, "svc")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"/run/other", "/run/svc", "/run/svc/svc.pid", "/srv/svc", "/var/lib/svc", "/var/log/svc", "/var/spool/svc"}
	if got := ownedPaths(p); !slices.Equal(got, want) {
		t.Errorf("ownedPaths = %q, want %q", got, want)
	}
}

func TestFingerprintSeesContentModeAndLinks(t *testing.T) {
	dir := t.TempDir()
	f, l := filepath.Join(dir, "f"), filepath.Join(dir, "l")
	if err := os.WriteFile(f, []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("f", l); err != nil {
		t.Fatal(err)
	}
	take := func() (string, string) {
		a, _ := fingerprint(f)
		b, _ := fingerprint(l)
		return a, b
	}
	f0, l0 := take()
	mtime := time.Now().Add(-time.Hour)
	if err := os.WriteFile(f, []byte("b"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(f, mtime, mtime)
	if f1, _ := take(); f1 == f0 {
		t.Error("a changed file has the same fingerprint")
	}
	f1, _ := take()
	if err := os.Chmod(f, 0o600); err != nil {
		t.Fatal(err)
	}
	if f2, _ := take(); f2 == f1 {
		t.Error("a changed mode has the same fingerprint")
	}
	_ = os.Remove(l)
	_ = os.Symlink("g", l)
	if _, l1 := take(); l1 == l0 {
		t.Error("a retargeted link has the same fingerprint")
	}
	if _, ok := fingerprint(filepath.Join(dir, "missing")); ok {
		t.Error("a missing path has a fingerprint")
	}
}

func TestVMRunTimeout(t *testing.T) {
	for _, tt := range []struct {
		profiles int
		each     time.Duration
		want     time.Duration
	}{
		{0, 2 * time.Minute, vm.DefaultRunTimeout}, // never below the VM default
		{1, 2 * time.Minute, vm.DefaultRunTimeout}, // a run: the unit and its control
		{31, 2 * time.Minute, 64 * time.Minute},    // redis's single matrix, one profile after another
	} {
		if got := vmRunTimeout(tt.profiles, tt.each); got != tt.want {
			t.Errorf("vmRunTimeout(%d, %s) = %s, want %s", tt.profiles, tt.each, got, tt.want)
		}
	}
}
