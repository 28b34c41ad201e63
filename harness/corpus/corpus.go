// Package corpus gathers real service unit files to check the scorer on: the
// stock units of a root filesystem, and the units that Debian packages ship,
// fetched with apt-get download (never installed) into a cache keyed by
// package version and unpacked with dpkg-deb into a temporary directory.
package corpus

import (
	"os"
	"path/filepath"
	"strings"
)

// Unit is one service unit file of the corpus.
type Unit struct {
	// Name is the name systemd loads it under: "cron.service", a template
	// "getty@.service" or an instance "getty@tty1.service".
	Name string
	// Origin says where it came from, for reports: the path in its root, or
	// "PACKAGE VERSION: PATH".
	Origin string
	// Package is the Debian package that ships it, "" for a stock unit.
	Package string
	Text    []byte
}

// Source names where the unit came from in one word: its package, or
// "stock"; units of one source never share a name.
func (u Unit) Source() string {
	if u.Package == "" {
		return "stock"
	}
	return u.Package
}

// Skipped is a file that looks like a unit but is not one to score.
type Skipped struct {
	Origin string
	Reason string
}

// unitDirs are where a root or a package keeps system service units,
// relative to the root.
func unitDirs() []string {
	return []string{"etc/systemd/system", "usr/lib/systemd/system", "lib/systemd/system"}
}

// isServiceName accepts "x.service" names, templates and instances included.
func isServiceName(name string) bool {
	return strings.HasSuffix(name, ".service") && len(name) > len(".service") && !strings.HasPrefix(name, ".")
}

// templateOf returns "foo@.service" for "foo@bar.service", "" for a name
// that is no instance.
func templateOf(name string) string {
	at := strings.IndexByte(name, '@')
	if at < 0 || strings.HasPrefix(name[at:], "@.") {
		return ""
	}
	return name[:at+1] + filepath.Ext(name)
}

// resolveIn follows symlinks the way they resolve inside root (absolute
// targets are relative to root), up to 40 hops as the kernel does. It
// returns the final path on the host.
func resolveIn(root, path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil {
			return "", err
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		target, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if target == "/dev/null" { // masked; the root may have no /dev
			return filepath.Join(root, "dev/null"), nil
		}
		if filepath.IsAbs(target) {
			path = filepath.Join(root, target)
		} else {
			path = filepath.Join(filepath.Dir(path), target)
		}
	}
	return "", &os.PathError{Op: "resolve", Path: path, Err: os.ErrInvalid}
}
