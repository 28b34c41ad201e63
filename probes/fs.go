package probes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

func checkWriteUsr(ctx context.Context, o Options) Result {
	return checkTreeWritable("/usr", []string{"/usr/lib/os-release", "/usr/share/common-licenses/GPL-3"}, nil)
}

func checkWriteEtc(ctx context.Context, o Options) Result {
	return checkTreeWritable("/etc", []string{"/etc/hostname", "/etc/machine-id", "/etc/passwd"}, nil)
}

func checkWriteVar(ctx context.Context, o Options) Result {
	return checkTreeWritable("/var", []string{"/var/lib/dpkg/status", "/var/lib/systemd/random-seed"}, []string{"/var/tmp"})
}

// checkTreeWritable asks the kernel whether dir is writable (access(W_OK)
// answers EROFS on a read-only mount even for root) and opens one existing
// regular file below it for writing without writing anything.
func checkTreeWritable(dir string, candidates, skip []string) Result {
	if err := unix.Access(dir, unix.W_OK); err != nil {
		r := attempt(err, "access(W_OK) "+dir)
		if e, ok := errnoOf(err); ok && e == unix.ENOENT {
			return errored("%s does not exist here", dir)
		}
		return r
	}
	file := firstRegularFile(dir, candidates, skip)
	if file == "" {
		return allowed("access(W_OK) %s succeeded; no existing regular file found to open", dir)
	}
	r := openForWrite(file)
	if r.Outcome == Allowed {
		r.Detail = fmt.Sprintf("access(W_OK) %s and open(%s, O_WRONLY) succeeded (nothing written)", dir, file)
	}
	return r
}

// openForWrite opens an existing regular file O_WRONLY and closes it: no
// O_TRUNC, no O_CREAT, nothing written, so the file is unchanged.
func openForWrite(file string) Result {
	fd, err := unix.Open(file, unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err == nil {
		unix.Close(fd)
		return allowed("open(%s, O_WRONLY) succeeded (nothing written)", file)
	}
	if e, ok := errnoOf(err); ok && e == unix.ETXTBSY {
		return allowed("open(%s, O_WRONLY) reached the file (ETXTBSY: it is being executed), so the mount is writable", file)
	}
	return attempt(err, "open("+file+", O_WRONLY)")
}

// firstRegularFile returns the first candidate that is a regular file, or
// else the first regular file found in dir (two levels deep, sorted, not
// following symlinks, skipping the skip subtrees).
func firstRegularFile(dir string, candidates, skip []string) string {
	for _, c := range candidates {
		if fi, err := os.Lstat(c); err == nil && fi.Mode().IsRegular() {
			return c
		}
	}
	var found string
	var walk func(d string, depth int)
	walk = func(d string, depth int) {
		entries, err := os.ReadDir(d)
		if err != nil {
			return
		}
		sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
		for _, e := range entries {
			if found != "" {
				return
			}
			p := filepath.Join(d, e.Name())
			if contains(skip, p) {
				continue
			}
			switch {
			case e.Type().IsRegular():
				found = p
			case e.IsDir() && depth > 0:
				walk(p, depth-1)
			}
		}
	}
	walk(dir, 2)
	return found
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkPrivateTmp(ctx context.Context, o Options) Result {
	mounts, _ := selfMounts()
	var private, shared []string
	for _, p := range []string{"/tmp", "/var/tmp"} {
		isPrivate, how := tmpIsPrivate(p, mounts)
		if isPrivate {
			private = append(private, p+" ("+how+")")
		} else {
			shared = append(shared, p+" ("+how+")")
		}
	}
	if len(shared) == 0 {
		return blocked(0, "the shared temporary directories are not visible: %s", strings.Join(private, "; "))
	}
	return allowed("shared temporary directory visible: %s", strings.Join(shared, "; "))
}

// tmpIsPrivate compares p with PID 1's view of the same path; when PID 1's
// root is out of reach (no CAP_SYS_PTRACE), the mount's source tells:
// PrivateTmp= bind-mounts a /tmp/systemd-private-* directory.
func tmpIsPrivate(p string, mounts []mountEntry) (bool, string) {
	var mine, init unix.Stat_t
	if err := unix.Stat(p, &mine); err != nil {
		return false, fmt.Sprintf("stat failed: %v", err)
	}
	if err := unix.Stat("/proc/1/root"+p, &init); err == nil {
		if mine.Dev == init.Dev && mine.Ino == init.Ino {
			return false, "same inode as PID 1's"
		}
		return true, "inode differs from PID 1's"
	}
	if m, ok := covering(mounts, p); ok && strings.Contains(m.Root, "/systemd-private-") {
		return true, "mounted from " + m.Root
	}
	return false, "PID 1's view unreadable and no systemd-private mount"
}

func selfMounts() ([]mountEntry, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading own mounts: %w", err)
	}
	defer f.Close()
	return parseMountinfo(f, "/proc/self/mountinfo")
}

func checkProtectHome(ctx context.Context, o Options) Result {
	mounts, err := selfMounts()
	if err != nil {
		return errored("%v", err)
	}
	var open, closed []string
	seen := 0
	for _, p := range []string{"/home", "/root", "/run/user"} {
		state, exists := homeState(p, mounts)
		if !exists {
			closed = append(closed, p+" absent")
			continue
		}
		seen++
		if state == "" {
			open = append(open, p)
		} else {
			closed = append(closed, p+" "+state)
		}
	}
	if seen == 0 {
		return errored("none of /home, /root, /run/user exists here")
	}
	if len(open) == 0 {
		return blocked(0, "home directories protected: %s", strings.Join(closed, "; "))
	}
	return allowed("writable and visible: %s (protected: %s)", strings.Join(open, ", "), strings.Join(closed, "; "))
}

// homeState says how p is protected ("" = not at all). Root bypasses mode
// bits, so an inaccessible node is recognized by its mode 000 and the mount
// itself rather than by a failed open.
func homeState(p string, mounts []mountEntry) (state string, exists bool) {
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", false
		}
		return "not reachable: " + err.Error(), true
	}
	m, _ := covering(mounts, p)
	if fi.Mode().Perm() == 0 {
		return "is an inaccessible mode-000 node", true
	}
	if err := unix.Access(p, unix.W_OK); err != nil {
		if e, ok := errnoOf(err); ok && e == unix.EROFS {
			return "read-only", true
		}
	}
	if m.MountPoint == p && m.FSType == "tmpfs" {
		if entries, err := os.ReadDir(p); err == nil && len(entries) == 0 {
			return "replaced by an empty tmpfs", true
		}
	}
	return "", true
}

func checkReadOnlyPath(ctx context.Context, o Options) Result {
	p := o.ReadOnlyPath
	if err := unix.Access(p, unix.W_OK); err != nil {
		return attempt(err, "access(W_OK) "+p)
	}
	if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
		return openForWrite(p)
	}
	return allowed("access(W_OK) %s succeeded", p)
}

func checkInaccessiblePath(ctx context.Context, o Options) Result {
	p := o.HiddenPath
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return blocked(unix.ENOENT, "%s is absent", p)
		}
		return attempt(err, "lstat "+p)
	}
	if fi.Mode().Perm() == 0 && (fi.Size() == 0 || fi.IsDir()) {
		if fi.IsDir() {
			if entries, err := os.ReadDir(p); err == nil && len(entries) > 0 {
				return allowed("%s has mode 000 but its %d entries are readable", p, len(entries))
			}
		}
		return blocked(0, "%s is replaced by an empty mode-000 inaccessible node", p)
	}
	if fi.IsDir() {
		entries, err := os.ReadDir(p)
		if err != nil {
			return attempt(err, "listing "+p)
		}
		return allowed("listing %s succeeded (%d entries)", p, len(entries))
	}
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return attempt(err, "open("+p+", O_RDONLY)")
	}
	unix.Close(fd)
	return allowed("open(%s, O_RDONLY) succeeded", p)
}

func checkReadWritePath(ctx context.Context, o Options) Result {
	// A ReadWritePaths= entry with the "-" prefix may name a directory
	// this root lacks (a packaged unit's /etc/redis in a volatile /etc):
	// nothing there to write into says nothing about the grant.
	if _, err := os.Stat(o.ReadWritePath); errors.Is(err, fs.ErrNotExist) {
		return skipped("%s does not exist in this sandbox: no place to test the grant", o.ReadWritePath)
	}
	name := filepath.Join(o.ReadWritePath, fmt.Sprintf(".hardenlab-probe-%d", os.Getpid()))
	fd, err := unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return attempt(err, "creating a file in "+o.ReadWritePath)
	}
	unix.Close(fd)
	if err := unix.Unlink(name); err != nil {
		return errored("created %s but could not remove it: %v", name, err)
	}
	return allowed("created and removed an empty file in %s", o.ReadWritePath)
}

func checkUMask(ctx context.Context, o Options) Result {
	if o.Scratch == "" {
		return errored("no writable scratch directory")
	}
	name := scratchFile(o.Scratch, "umask")
	fd, err := unix.Open(name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o666)
	if err != nil {
		return errored("creating %s: %v", name, err)
	}
	var st unix.Stat_t
	err = unix.Fstat(fd, &st)
	unix.Close(fd)
	unix.Unlink(name)
	if err != nil {
		return errored("stat of %s: %v", name, err)
	}
	mode := st.Mode & 0o777
	if mode&0o007 == 0 {
		return blocked(0, "a file created with mode 0666 got %04o: others get nothing", mode)
	}
	return allowed("a file created with mode 0666 got %04o: others may access it", mode)
}
