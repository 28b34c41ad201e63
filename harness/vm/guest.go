package vm

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// InGuest reports whether this process is the command of a VM run: the
// runner script exports both variables, with the results directory it
// mounted. The guest is thrown away afterwards, which is what lets the
// command change its root (FreshState) and clone an installed unit.
func InGuest() bool {
	return os.Getenv(GuestAccelEnv) != "" && os.Getenv(GuestResultsEnv) == GuestResultsDir
}

// freshPaths are the guest directories a service's own commands may write
// its state into (configuration, data, logs, temp files, homes). Each
// profile of a --service unit run sees them as overlays whose lower layer
// is the image's directory, so no profile inherits what another wrote —
// the guest's counterpart of nspawn's overlay root view. /usr is the
// packages', /run the running systemd's.
var freshPaths = []string{"/etc", "/var", "/tmp", "/root", "/home", "/srv"}

// freshBase is where the overlays' upper layers live (a tmpfs), on /run
// because /run is never one of freshPaths.
const freshBase = "/run/hardenlab-fresh"

// FreshState is one set of overlays over freshPaths.
type FreshState struct {
	tmpfs   string
	mounted []string // in mount order
}

// MountFreshState puts an overlay over each of freshPaths in the guest's
// own mount namespace, where systemd starts units. Writes land in a
// tmpfs and vanish with Unmount. On error nothing stays mounted.
func MountFreshState() (_ *FreshState, err error) {
	if !InGuest() {
		// Over a machine's real /etc and /var this would hide them from
		// everything started afterwards.
		return nil, errors.New("fresh overlays are only for the command of a VM run")
	}
	if err := os.MkdirAll(freshBase, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", freshBase, err)
	}
	tmp, err := os.MkdirTemp(freshBase, "state-")
	if err != nil {
		return nil, fmt.Errorf("creating the fresh state dir: %w", err)
	}
	if err := unix.Mount("tmpfs", tmp, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0700"); err != nil {
		_ = os.Remove(tmp)
		return nil, fmt.Errorf("mounting the fresh state tmpfs on %s: %w", tmp, err)
	}
	f := &FreshState{tmpfs: tmp}
	defer func() {
		if err != nil {
			err = errors.Join(err, f.Unmount())
		}
	}()
	for i, p := range freshPaths {
		if _, serr := os.Stat(p); serr != nil {
			continue // nothing to keep fresh
		}
		upper, work := filepath.Join(tmp, fmt.Sprint(i), "upper"), filepath.Join(tmp, fmt.Sprint(i), "work")
		for _, d := range []string{upper, work} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return nil, fmt.Errorf("creating %s: %w", d, err)
			}
		}
		opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", p, upper, work)
		if err := unix.Mount("overlay", p, "overlay", 0, opts); err != nil {
			return nil, fmt.Errorf("mounting a fresh overlay on %s (%s): %w", p, opts, err)
		}
		f.mounted = append(f.mounted, p)
	}
	return f, nil
}

// Unmount removes the overlays and their tmpfs, discarding every write
// made under freshPaths since MountFreshState. A mount something still
// holds is detached (it goes once the last user does). Safe to call twice.
func (f *FreshState) Unmount() error {
	var errs []error
	for i := len(f.mounted) - 1; i >= 0; i-- {
		errs = append(errs, unmountOrDetach(f.mounted[i]))
	}
	f.mounted = nil
	if f.tmpfs != "" {
		errs = append(errs, unmountOrDetach(f.tmpfs))
		if err := os.Remove(f.tmpfs); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("removing %s: %w", f.tmpfs, err))
		}
		f.tmpfs = ""
	}
	return errors.Join(errs...)
}

func unmountOrDetach(p string) error {
	if err := unix.Unmount(p, 0); err == nil || errors.Is(err, unix.EINVAL) {
		return nil
	}
	if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("unmounting %s: %w", p, err)
	}
	return nil
}

// FreshPaths are the directories MountFreshState keeps fresh, for the
// record of what a guest run put back between profiles.
func FreshPaths() []string { return slices.Clone(freshPaths) }
