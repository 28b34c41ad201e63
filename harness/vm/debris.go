package vm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hardenlab/hardenlab/harness/sandbox"
)

// Directories of a run under the temp root (os.TempDir unless tests say
// otherwise). The results prefix starts with the run prefix, so one prefix
// finds both.
const (
	runDirPrefix     = "hardenlab-vm-"
	resultsDirPrefix = "hardenlab-vm-results-"
)

// oldSuffix marks a replaced image moved aside (under its build dir's name)
// until the new one is in place.
const oldSuffix = "-old"

// mkdirOwned is os.MkdirTemp with the calling process in the name:
// "<prefix><pid>.<start time>-<random>". QEMU dies with us (Pdeathsig), but
// a SIGKILLed hardenlab cannot remove its directories; the name lets gc tell
// a dead process's from a live one's, and it exists from the first moment
// the directory does.
func mkdirOwned(root, prefix string) (string, error) {
	return os.MkdirTemp(root, prefix+sandbox.CurrentOwner().Tag()+"-")
}

// dirOwner reads the owner out of a name mkdirOwned made (possibly moved
// aside with oldSuffix). ok is false for any other name.
func dirOwner(name string) (owner sandbox.OwnerProcess, ok bool) {
	name = strings.TrimSuffix(name, oldSuffix)
	i := strings.LastIndexByte(name, '-')
	if i < 0 || !isDigits(name[i+1:]) {
		return sandbox.OwnerProcess{}, false
	}
	return sandbox.ParseOwnerTag(name[strings.LastIndexByte(name[:i], '-')+1 : i])
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// Debris is a directory that a VM run or image build whose process is gone
// left behind.
type Debris struct {
	Dir   string
	Owner sandbox.OwnerProcess
}

// FindDebris lists run and results directories under tempRoot and partial
// image builds under stateDir/vm whose owning process is gone ("" means
// os.TempDir and DefaultStateDir). Only directories this package named,
// owned by our user, are listed, and never one of a live process.
func FindDebris(tempRoot, stateDir string) ([]Debris, error) {
	if tempRoot == "" {
		tempRoot = os.TempDir()
	}
	if stateDir == "" {
		stateDir = DefaultStateDir
	}
	runs, err := deadOwnedDirs(tempRoot, runDirPrefix)
	if err != nil {
		return nil, err
	}
	builds, err := deadOwnedDirs(filepath.Join(stateDir, "vm"), buildDirPrefix)
	if err != nil {
		return nil, err
	}
	return append(runs, builds...), nil
}

// deadOwnedDirs lists the directories in root named prefix... by
// mkdirOwned whose owner is dead.
func deadOwnedDirs(root, prefix string) ([]Debris, error) {
	entries, err := os.ReadDir(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking for dead VM runs' directories in %s: %w", root, err)
	}
	var out []Debris
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) || !e.IsDir() {
			continue // a symlink is not a directory here: never followed
		}
		owner, ok := dirOwner(e.Name())
		if !ok || owner.Alive() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if !ownedByUs(dir) {
			continue
		}
		out = append(out, Debris{Dir: dir, Owner: owner})
	}
	return out, nil
}

// ownedByUs guards against a look-alike name in a shared temp dir: a
// directory another user made is not ours to remove.
func ownedByUs(dir string) bool {
	fi, err := os.Lstat(dir)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// Clean removes the directory. Nothing in it is mounted in our mount
// namespace: the image build mounts only in a private one.
func (d Debris) Clean() error {
	if err := os.RemoveAll(d.Dir); err != nil {
		return fmt.Errorf("removing dead VM directory %s: %w", d.Dir, err)
	}
	return nil
}
