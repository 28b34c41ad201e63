package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// RootView says what the container sees as its /etc and /var.
type RootView string

const (
	// Volatile boots the root with nspawn --volatile=yes: /usr from the
	// root, an almost empty /etc and /var on a tmpfs. Enough for the demo;
	// a packaged service misses its own configuration there.
	Volatile RootView = "volatile"
	// Overlay boots an overlayfs whose lower layer is the root as it is
	// and whose upper layer is a tmpfs: the service finds the host's /etc
	// and /var unchanged, and every write it makes is thrown away with the
	// tmpfs.
	Overlay RootView = "overlay"
)

// ParseRootView validates a root view name; "" is Volatile.
func ParseRootView(s string) (RootView, error) {
	switch v := RootView(s); v {
	case "":
		return Volatile, nil
	case Volatile, Overlay:
		return v, nil
	}
	return "", fmt.Errorf("unknown root view %q: want volatile or overlay", s)
}

// overlay directories inside a run directory: the tmpfs that holds the
// upper layer, and the merged view nspawn boots.
const (
	overlayTmpfs  = "overlay"
	overlayMerged = "root"
)

// mountOverlay builds the overlay root view of lower under runDir and
// returns the merged directory. On error nothing stays mounted.
func mountOverlay(runDir, lower string) (merged string, err error) {
	tmp := filepath.Join(runDir, overlayTmpfs)
	merged = filepath.Join(runDir, overlayMerged)
	for _, d := range []string{tmp, merged} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", fmt.Errorf("creating %s: %w", d, err)
		}
	}
	if err := unix.Mount("tmpfs", tmp, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return "", fmt.Errorf("mounting the overlay's tmpfs on %s: %w", tmp, err)
	}
	defer func() {
		if err != nil {
			_ = unix.Unmount(tmp, unix.MNT_DETACH)
		}
	}()
	upper, work := filepath.Join(tmp, "upper"), filepath.Join(tmp, "work")
	for _, d := range []string{upper, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return "", fmt.Errorf("creating %s: %w", d, err)
		}
	}
	opts := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work)
	if err := unix.Mount("overlay", merged, "overlay", 0, opts); err != nil {
		return "", fmt.Errorf("mounting the overlay root view of %s (%s): %w", lower, opts, err)
	}
	return merged, nil
}

// unmountOverlay undoes mountOverlay in runDir, if it is mounted there. The
// merged view must be gone before anything under runDir is removed:
// removing files through it would only whiteout them in the tmpfs, but
// it would take long and prove nothing.
func unmountOverlay(runDir string) error {
	var errs []error
	for _, d := range []string{overlayMerged, overlayTmpfs} {
		p := filepath.Join(runDir, d)
		if !isMountPoint(p) {
			continue
		}
		if err := unix.Unmount(p, 0); err != nil {
			if err2 := unix.Unmount(p, unix.MNT_DETACH); err2 != nil {
				errs = append(errs, fmt.Errorf("unmounting %s: %w", p, errors.Join(err, err2)))
			}
		}
	}
	return errors.Join(errs...)
}

// isMountPoint says whether p is mounted on: its device differs from its
// parent's (an overlay and a tmpfs always have a device of their own).
func isMountPoint(p string) bool {
	var st, parent unix.Stat_t
	if unix.Lstat(p, &st) != nil || unix.Lstat(filepath.Dir(p), &parent) != nil {
		return false
	}
	return st.Dev != parent.Dev
}
