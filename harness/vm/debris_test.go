package vm

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/hardenlab/hardenlab/harness/sandbox"
)

// deadPID is above the kernel's largest pid_max (2^22): no process has it.
const deadPID = 1 << 30

func TestMkdirOwnedNamesTheCaller(t *testing.T) {
	for _, prefix := range []string{runDirPrefix, resultsDirPrefix, buildPrefix("trixie-0123456789ab")} {
		dir, err := mkdirOwned(t.TempDir(), prefix)
		if err != nil {
			t.Fatal(err)
		}
		if o, ok := dirOwner(filepath.Base(dir)); !ok || o != sandbox.CurrentOwner() {
			t.Errorf("%s: owner %+v, %v; want %+v", dir, o, ok, sandbox.CurrentOwner())
		}
		if o, ok := dirOwner(filepath.Base(dir) + oldSuffix); !ok || o != sandbox.CurrentOwner() {
			t.Errorf("%s moved aside: owner %+v, %v", dir, o, ok)
		}
	}
}

func TestFindDebrisListsOnlyDeadOwnersDirs(t *testing.T) {
	tmpRoot, state := t.TempDir(), t.TempDir()
	cache := filepath.Join(state, "vm")
	self := sandbox.CurrentOwner()
	deadTag := sandbox.OwnerProcess{PID: deadPID, StartTime: "5"}.Tag()
	// Our PID with another start time: the PID was reused.
	reusedTag := sandbox.OwnerProcess{PID: self.PID, StartTime: self.StartTime + "1"}.Tag()

	mkdir := func(root, name string) string {
		t.Helper()
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Join(p, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	live := []string{}
	for _, p := range []string{runDirPrefix, resultsDirPrefix} {
		d, err := mkdirOwned(tmpRoot, p)
		if err != nil {
			t.Fatal(err)
		}
		live = append(live, d)
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		t.Fatal(err)
	}
	liveBuild, err := mkdirOwned(cache, buildPrefix("trixie-0123456789ab"))
	if err != nil {
		t.Fatal(err)
	}
	live = append(live, liveBuild)
	dead := []string{
		mkdir(tmpRoot, runDirPrefix+deadTag+"-123"),
		mkdir(tmpRoot, runDirPrefix+reusedTag+"-456"),
		mkdir(tmpRoot, resultsDirPrefix+deadTag+"-789"),
		mkdir(cache, buildPrefix("trixie-0123456789ab")+deadTag+"-11"),
		mkdir(cache, buildPrefix("trixie-0123456789ab")+deadTag+"-12"+oldSuffix),
	}
	notOurs := []string{
		mkdir(tmpRoot, runDirPrefix+"123456"), // an older hardenlab's: no owner in the name
		mkdir(tmpRoot, "other-"+deadTag+"-1"),
		mkdir(tmpRoot, runDirPrefix+deadTag+"-abc"),
		mkdir(tmpRoot, runDirPrefix+"x"+deadTag+"-1"),
		mkdir(cache, "trixie-0123456789ab"), // a complete image
		writeHostFile(t, tmpRoot, runDirPrefix+deadTag+"-2", "a file", 0o644),
	}
	link := filepath.Join(tmpRoot, runDirPrefix+deadTag+"-3")
	if err := os.Symlink(mkdir(t.TempDir(), "target"), link); err != nil {
		t.Fatal(err)
	}
	notOurs = append(notOurs, link)
	if os.Geteuid() == 0 {
		foreign := mkdir(tmpRoot, runDirPrefix+deadTag+"-4")
		if err := os.Chown(foreign, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		notOurs = append(notOurs, foreign)
	}

	debris, err := FindDebris(tmpRoot, state)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, d := range debris {
		found = append(found, d.Dir)
		if err := d.Clean(); err != nil {
			t.Error(err)
		}
	}
	slices.Sort(found)
	slices.Sort(dead)
	if !slices.Equal(found, dead) {
		t.Errorf("found %q\nwant %q", found, dead)
	}
	for _, d := range dead {
		if _, err := os.Lstat(d); !os.IsNotExist(err) {
			t.Errorf("%s not removed: %v", d, err)
		}
	}
	for _, d := range append(live, notOurs...) {
		if _, err := os.Lstat(d); err != nil {
			t.Errorf("%s was touched: %v", d, err)
		}
	}
}

func TestFindDebrisWithoutDirs(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	if d, err := FindDebris(missing, missing); err != nil || len(d) != 0 {
		t.Fatalf("got %v, %v", d, err)
	}
}

func TestDirOwnerRejectsOtherNames(t *testing.T) {
	pid := strconv.Itoa(deadPID)
	for _, n := range []string{"", "hardenlab-vm-", "hardenlab-vm-123", "hardenlab-vm-" + pid + "-1",
		"hardenlab-vm-" + pid + ".-1", "hardenlab-vm-." + pid + "-1", "hardenlab-vm-" + pid + ".5-", "hardenlab-vm-0.5-1"} {
		if o, ok := dirOwner(n); ok {
			t.Errorf("%q taken for a directory of %+v", n, o)
		}
	}
}
