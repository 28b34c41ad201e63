// Package rootfs builds Debian root filesystems with debootstrap and caches
// them, so that another systemd version (a trixie root has 257) can be run in
// a chroot, booted with systemd-nspawn or packed into a VM image.
package rootfs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultStateDir is where built roots are cached unless the caller says
// otherwise.
const DefaultStateDir = "/var/lib/hardenlab"

// DefaultMirror is Debian's redirector; the only mirror this project's
// machines can reach.
const DefaultMirror = "http://deb.debian.org/debian"

// stampName marks a complete root. It is written last, so a root without it
// is a partial build and is never reused.
const stampName = ".hardenlab-rootfs.json"

// Spec says what root to build. Suite, Variant, Arch and the package set
// decide the cache key; Mirror and Rebuild do not change what the root is.
type Spec struct {
	Suite    string   // Debian suite or codename, e.g. "trixie"
	Packages []string // extra packages (debootstrap --include)
	Variant  string   // debootstrap variant; "" means "minbase"
	Arch     string   // "" means the host's architecture
	Mirror   string   // "" means DefaultMirror
	Rebuild  bool     // discard a cached root and build it again
}

// Stamp is what a complete root records about itself.
type Stamp struct {
	Suite    string        `json:"suite"`
	Variant  string        `json:"variant"`
	Arch     string        `json:"arch,omitempty"`
	Packages []string      `json:"packages"`
	Mirror   string        `json:"mirror"`
	Built    time.Time     `json:"built"`
	Took     time.Duration `json:"took_ns"`
}

func (s Spec) normalized() Spec {
	n := s
	if n.Variant == "" {
		n.Variant = "minbase"
	}
	if n.Mirror == "" {
		n.Mirror = DefaultMirror
	}
	n.Packages = slices.Clone(s.Packages)
	slices.Sort(n.Packages)
	n.Packages = slices.Compact(n.Packages)
	return n
}

func (s Spec) validate() error {
	if s.Suite == "" {
		return errors.New("rootfs spec: suite is empty")
	}
	for _, f := range append([]string{s.Suite, s.Variant, s.Arch}, s.Packages...) {
		if strings.ContainsAny(f, "/, \t\n") || strings.HasPrefix(f, "-") {
			return fmt.Errorf("rootfs spec: %q is not a valid suite, variant, arch or package name", f)
		}
	}
	return nil
}

// Name is the cache directory name: "<suite>-<hash>", where the hash covers
// everything that changes the content of the root.
func (s Spec) Name() string {
	n := s.normalized()
	h := sha256.Sum256([]byte(strings.Join([]string{n.Suite, n.Variant, n.Arch, strings.Join(n.Packages, ",")}, "\n")))
	return n.Suite + "-" + hex.EncodeToString(h[:])[:12]
}

// Dir is where the root for spec lives (or will live) under stateDir.
func Dir(spec Spec, stateDir string) string {
	if stateDir == "" {
		stateDir = DefaultStateDir
	}
	return filepath.Join(stateDir, "rootfs", spec.Name())
}

// Lookup returns the directory of a complete cached root, or an error
// wrapping os.ErrNotExist when there is none.
func Lookup(spec Spec, stateDir string) (string, *Stamp, error) {
	dir := Dir(spec, stateDir)
	data, err := os.ReadFile(filepath.Join(dir, stampName))
	if err != nil {
		return "", nil, fmt.Errorf("looking up cached root %s: %w", dir, err)
	}
	var st Stamp
	if err := json.Unmarshal(data, &st); err != nil {
		return "", nil, fmt.Errorf("reading stamp of cached root %s: %w", dir, err)
	}
	return dir, &st, nil
}

// Build returns the directory of a complete root for spec, building it with
// debootstrap first unless a complete one is cached (or spec.Rebuild is set).
// A build goes to a temporary directory that is renamed into place only
// when it is complete; a failed or interrupted build is removed.
func Build(ctx context.Context, spec Spec, stateDir string) (string, error) {
	if err := spec.validate(); err != nil {
		return "", err
	}
	if stateDir == "" {
		stateDir = DefaultStateDir
	}
	spec = spec.normalized()
	base := filepath.Join(stateDir, "rootfs")
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", fmt.Errorf("creating rootfs cache %s: %w", base, err)
	}
	unlock, err := Lock(ctx, filepath.Join(base, spec.Name()+".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()

	final := Dir(spec, stateDir)
	if err := removeStalePartials(base, spec.Name()); err != nil {
		return "", err
	}
	if !spec.Rebuild {
		if dir, _, err := Lookup(spec, stateDir); err == nil {
			return dir, nil
		}
	}
	partial, err := os.MkdirTemp(base, ".partial-"+spec.Name()+"-")
	if err != nil {
		return "", fmt.Errorf("creating build directory for %s: %w", spec.Name(), err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = removeTree(partial)
		}
	}()
	start := time.Now()
	if err := Debootstrap(ctx, spec, partial, DebootstrapOptions{}); err != nil {
		return "", err
	}
	st := Stamp{Suite: spec.Suite, Variant: spec.Variant, Arch: spec.Arch, Packages: spec.Packages,
		Mirror: spec.Mirror, Built: time.Now().UTC(), Took: time.Since(start)}
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return "", fmt.Errorf("encoding stamp for %s: %w", spec.Name(), err)
	}
	if err := os.WriteFile(filepath.Join(partial, stampName), append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("writing stamp for %s: %w", spec.Name(), err)
	}
	// MkdirTemp made it private; a root must be traversable like "/".
	if err := os.Chmod(partial, 0o755); err != nil {
		return "", fmt.Errorf("opening up %s: %w", partial, err)
	}
	if err := removeTree(final); err != nil {
		return "", err
	}
	if err := os.Rename(partial, final); err != nil {
		return "", fmt.Errorf("moving built root into %s: %w", final, err)
	}
	ok = true
	return final, nil
}

// DebootstrapOptions says how debootstrap runs; the Spec says what it
// builds.
type DebootstrapOptions struct {
	// Program is the debootstrap to run; "" looks it up in PATH.
	Program string
	// Wrapper is a command line debootstrap runs under, such as unshare
	// entering a private mount namespace; empty runs it directly.
	Wrapper []string
	// Command makes the process, e.g. one in its own process group that
	// dies with the caller. Nil means exec.CommandContext, which kills only
	// the direct child when ctx ends.
	Command func(ctx context.Context, name string, args ...string) *exec.Cmd
}

// Debootstrap runs debootstrap for spec's suite, variant, packages, arch
// and mirror into target, and nothing else: no cache, no stamp, no lock.
// It is the one debootstrap step of both cached roots (Build) and the VM
// image. A failure names the full debootstrap command and quotes the tail
// of its output, which is where it says why.
func Debootstrap(ctx context.Context, spec Spec, target string, opt DebootstrapOptions) error {
	if err := spec.validate(); err != nil {
		return err
	}
	spec = spec.normalized()
	program := opt.Program
	if program == "" {
		p, err := exec.LookPath("debootstrap")
		if err != nil {
			return fmt.Errorf("building %s root: debootstrap not found (apt-get install debootstrap): %w", spec.Suite, err)
		}
		program = p
	}
	args := spec.debootstrapArgs(target)
	argv := append(append(slices.Clone(opt.Wrapper), program), args...)
	newCmd := opt.Command
	if newCmd == nil {
		newCmd = plainCommand
	}
	cmd := newCmd(ctx, argv[0], argv[1:]...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("debootstrap %s: %w", strings.Join(args, " "), ctx.Err())
		}
		return fmt.Errorf("debootstrap %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 20))
	}
	return nil
}

// debootstrapArgs are debootstrap's arguments for a normalized spec.
func (s Spec) debootstrapArgs(target string) []string {
	args := []string{"--variant=" + s.Variant}
	if len(s.Packages) > 0 {
		args = append(args, "--include="+strings.Join(s.Packages, ","))
	}
	if s.Arch != "" {
		args = append(args, "--arch="+s.Arch)
	}
	return append(args, s.Suite, target, s.Mirror)
}

// plainCommand bounds how long Wait lingers for output pipes that
// debootstrap's surviving children may hold after it was killed.
func plainCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// Remove deletes the cached root for spec, if any.
func Remove(ctx context.Context, spec Spec, stateDir string) error {
	if stateDir == "" {
		stateDir = DefaultStateDir
	}
	base := filepath.Join(stateDir, "rootfs")
	unlock, err := Lock(ctx, filepath.Join(base, spec.Name()+".lock"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer unlock()
	return removeTree(Dir(spec, stateDir))
}

// Lock takes an exclusive flock on path, serializing builders of the same
// cached artifact across processes; it polls so that ctx can cancel the
// wait. The returned function releases it.
func Lock(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("opening lock %s: %w", path, err)
	}
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); _ = f.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			_ = f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			_ = f.Close()
			return nil, fmt.Errorf("waiting for lock %s: %w", path, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// removeStalePartials deletes what an interrupted build of the same root
// left; the caller holds the lock, so no live build owns them.
func removeStalePartials(base, name string) error {
	matches, err := filepath.Glob(filepath.Join(base, ".partial-"+name+"-*"))
	if err != nil {
		return fmt.Errorf("listing partial builds in %s: %w", base, err)
	}
	for _, m := range matches {
		if err := removeTree(m); err != nil {
			return err
		}
	}
	return nil
}

// removeTree unmounts whatever debootstrap (or a chroot user) left mounted
// below dir before deleting it: deleting through a /proc or /dev mount would
// reach the host.
func removeTree(dir string) error {
	if _, err := os.Lstat(dir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	mounts, err := mountsBelow(dir)
	if err != nil {
		return err
	}
	for _, m := range mounts {
		if err := unix.Unmount(m, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("unmounting %s before removing %s: %w", m, dir, err)
		}
	}
	if left, err := mountsBelow(dir); err != nil {
		return err
	} else if len(left) > 0 {
		return fmt.Errorf("not removing %s: still mounted below it: %s", dir, strings.Join(left, " "))
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("removing %s: %w", dir, err)
	}
	return nil
}

// mountsBelow lists mount points at or below dir, deepest first.
func mountsBelow(dir string) ([]string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolving %s: %w", dir, err)
	}
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading mount table: %w", err)
	}
	var found []string
	for _, line := range strings.Split(string(data), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMountinfo(fields[4])
		if mp == abs || strings.HasPrefix(mp, abs+"/") {
			found = append(found, mp)
		}
	}
	slices.SortFunc(found, func(a, b string) int { return len(b) - len(a) })
	return found, nil
}

// unescapeMountinfo undoes the kernel's octal escaping of space, tab,
// newline and backslash in mountinfo paths.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if v, ok := octal(s[i+1 : i+4]); ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func octal(s string) (byte, bool) {
	if len(s) != 3 {
		return 0, false
	}
	var v int
	for _, c := range s {
		if c < '0' || c > '7' {
			return 0, false
		}
		v = v*8 + int(c-'0')
	}
	if v > 255 {
		return 0, false
	}
	return byte(v), true
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
