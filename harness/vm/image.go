package vm

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/rootfs"
)

// Files of a complete image directory. The manifest is written last, so a
// directory without it is never used.
const (
	imageDisk     = "disk.img"
	imageKernel   = "vmlinuz"
	imageInitrd   = "initrd.img"
	imageManifest = "manifest.json"
)

// Manifest describes a built image; it is read back on every cached use.
type Manifest struct {
	Release        string        `json:"release"`
	Inputs         string        `json:"inputs"`
	Kernel         string        `json:"kernel"`          // kernel release, e.g. 6.12.48+deb13-cloud-amd64
	SystemdPackage string        `json:"systemd_package"` // Debian version of the systemd package
	Built          time.Time     `json:"built"`
	BuildDuration  time.Duration `json:"build_duration_ns"`
}

// EnsureImage returns the directory of a complete image for cfg.Release
// (disk.img, vmlinuz, initrd.img, manifest.json), building it first when
// none is cached, the inputs changed, or cfg.Rebuild is set. built says
// whether it was built by this call. Builds are serialized per image by a
// lock file and happen in a temp directory that is renamed into place only
// when complete; leftovers of interrupted builds are removed.
func EnsureImage(ctx context.Context, cfg Config) (imageDir string, built bool, err error) {
	cfg = cfg.withDefaults()
	return ensureImage(ctx, cfg, nil, &lockedWriter{w: cfg.Progress})
}

func ensureImage(ctx context.Context, cfg Config, tp toolPaths, progress io.Writer) (string, bool, error) {
	if err := cfg.validateImage(); err != nil {
		return "", false, err
	}
	cacheRoot := filepath.Join(cfg.StateDir, "vm")
	if err := os.MkdirAll(cacheRoot, 0o755); err != nil {
		return "", false, fmt.Errorf("creating VM image cache %s: %w", cacheRoot, err)
	}
	name := imageName(cfg.Release)
	final := filepath.Join(cacheRoot, name)

	unlock, err := rootfs.Lock(ctx, filepath.Join(cacheRoot, "."+name+".lock"))
	if err != nil {
		return "", false, err
	}
	defer unlock()

	if err := removeStaleBuilds(cacheRoot, name); err != nil {
		return "", false, err
	}
	if !cfg.Rebuild {
		if _, err := readManifest(final); err == nil {
			return final, false, nil
		}
	}
	if err := tp.check(buildTools()); err != nil {
		return "", false, err
	}
	if err := buildImage(ctx, cfg.Release, tp, cacheRoot, name, progress); err != nil {
		return "", false, err
	}
	if err := pruneOutdated(cacheRoot, cfg.Release, name); err != nil {
		return "", false, err
	}
	return final, true, nil
}

// pruneOutdated removes images of the same release built from other inputs
// (an older recipe or package list), which nothing will use again.
func pruneOutdated(cacheRoot, release, keep string) error {
	entries, err := os.ReadDir(cacheRoot)
	if err != nil {
		return fmt.Errorf("listing VM image cache %s: %w", cacheRoot, err)
	}
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || n == keep || !isImageName(n, release) {
			continue
		}
		if err := os.RemoveAll(filepath.Join(cacheRoot, n)); err != nil {
			return fmt.Errorf("removing outdated VM image %s: %w", n, err)
		}
		if err := os.Remove(filepath.Join(cacheRoot, "."+n+".lock")); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing outdated VM image lock %s: %w", n, err)
		}
	}
	return nil
}

// isImageName reports whether n is "<release>-<12 hex digits>".
func isImageName(n, release string) bool {
	h, ok := strings.CutPrefix(n, release+"-")
	if !ok || len(h) != 12 {
		return false
	}
	for _, c := range h {
		if !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// buildDirPrefix starts the names of in-progress image builds;
// buildPrefix(name) those of one image.
const buildDirPrefix = ".build-"

func buildPrefix(name string) string { return buildDirPrefix + name + "-" }

// removeStaleBuilds deletes build directories left by a killed process.
// The caller holds the image lock, so none of them is in progress.
func removeStaleBuilds(cacheRoot, name string) error {
	entries, err := os.ReadDir(cacheRoot)
	if err != nil {
		return fmt.Errorf("listing VM image cache %s: %w", cacheRoot, err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), buildPrefix(name)) {
			if err := os.RemoveAll(filepath.Join(cacheRoot, e.Name())); err != nil {
				return fmt.Errorf("removing partial VM image build %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}

func buildImage(ctx context.Context, release string, tp toolPaths, cacheRoot, name string, progress io.Writer) (err error) {
	start := time.Now()
	tmp, err := mkdirOwned(cacheRoot, buildPrefix(name))
	if err != nil {
		return fmt.Errorf("creating VM image build dir: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(tmp)
		}
	}()
	root := filepath.Join(tmp, "root")

	step := func(what string) {
		fmt.Fprintf(progress, "vm image| %s (%s)\n", what, time.Since(start).Round(time.Second))
	}

	// Both steps run in a private mount namespace: debootstrap and the
	// kernel's postinst mount /proc and /sys inside the root, and the
	// namespace guarantees those mounts vanish even if we are killed.
	step("debootstrap " + release)
	if err := bootstrapRoot(ctx, tp, release, root); err != nil {
		return err
	}
	step("installing " + strings.Join(append(slices.Clone(kernelPackages), servicePackages()...), " "))
	if err := writeGuestConfig(root); err != nil {
		return err
	}
	if _, err := runQuiet(ctx, "installing the guest kernel", tp.path(toolUnshare), kernelInstallArgs(root)...); err != nil {
		return err
	}
	kernel, err := findKernel(root)
	if err != nil {
		return err
	}
	systemdVersion, err := dpkgVersion(filepath.Join(root, "var/lib/dpkg/status"), "systemd")
	if err != nil {
		return err
	}
	for src, dst := range map[string]string{"boot/vmlinuz-" + kernel: imageKernel, "boot/initrd.img-" + kernel: imageInitrd} {
		if err := copyFile(filepath.Join(root, src), filepath.Join(tmp, dst), 0o644); err != nil {
			return fmt.Errorf("copying guest %s out of the image root: %w", dst, err)
		}
	}
	step("mkfs.ext4 " + imageSize)
	if _, err := runQuiet(ctx, "making the VM disk image", tp.path(toolMkfs), mkfsArgs(root, "hardenlab-root", filepath.Join(tmp, imageDisk), imageSize)...); err != nil {
		return err
	}
	if err := os.RemoveAll(root); err != nil {
		return fmt.Errorf("removing the image root after mkfs: %w", err)
	}
	m := Manifest{Release: release, Inputs: imageInputs(release), Kernel: kernel, SystemdPackage: systemdVersion,
		Built: time.Now().UTC(), BuildDuration: time.Since(start)}
	if err := writeManifest(tmp, m); err != nil {
		return err
	}
	// MkdirTemp made it private; the finished image is readable like the
	// rest of the cache.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("opening up the built VM image dir: %w", err)
	}
	// A rebuilt image replaces the old one only when complete; the old one
	// moves under a build name first, so a crash in between leaves
	// something removeStaleBuilds cleans up.
	final := filepath.Join(cacheRoot, name)
	if _, err := os.Stat(final); err == nil {
		old := tmp + oldSuffix
		if err := os.Rename(final, old); err != nil {
			return fmt.Errorf("moving the replaced VM image aside: %w", err)
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("moving the built VM image into place: %w", err)
	}
	step("image ready")
	return nil
}

// bootstrapRoot is rootfs's debootstrap step, run like every other build
// step: in its own process group that dies with us, with its mounts in a
// private namespace.
func bootstrapRoot(ctx context.Context, tp toolPaths, release, root string) error {
	defer lockThread()() // groupCommand's parent-death signal follows this thread
	return rootfs.Debootstrap(ctx, bootstrapSpec(release), root, rootfs.DebootstrapOptions{
		Program: tp.path(toolDebootstrap),
		Wrapper: append([]string{tp.path(toolUnshare)}, privateMountArgs()...),
		Command: groupCommand,
	})
}

// bootstrapSpec is what the image's debootstrap step installs.
func bootstrapSpec(release string) rootfs.Spec {
	return rootfs.Spec{Suite: release, Variant: "minbase", Packages: bootstrapPackages, Mirror: debianMirror}
}

// privateMountArgs make unshare run the rest of its command line in a
// private mount namespace, so mounts made in the image root vanish with
// the step, even if we are killed.
func privateMountArgs() []string {
	return []string{"--mount", "--propagation", "private", "--"}
}

// installScriptHead installs the kernel and the guest services with apt in
// a chroot, with /proc and /sys mounted inside the private namespace only.
// $1 is the root, the rest are the packages. A policy-rc.d refuses every
// service start while the packages install (a chroot has no systemd to
// start them in anyway, but a postinst may try).
const installScriptHead = `set -e
root=$1; shift
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
export DEBIAN_FRONTEND=noninteractive
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
chroot "$root" apt-get update -q
chroot "$root" apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-confold "$@"
chroot "$root" apt-get clean
rm -f "$root/usr/sbin/policy-rc.d"
rm -rf "$root"/var/lib/apt/lists/*
`

// installScriptTail runs after the packages are in.
const installScriptTail = `# Newer than /usr: the first boot skips ldconfig and catalog rebuilds
# (ConditionNeedsUpdate), which cost seconds under emulation on every run.
touch "$root/etc/.updated" "$root/var/.updated"
`

// installScript is the whole install step: the packages, then the guest
// services' enablement links removed (see guestService).
func installScript() string {
	var b strings.Builder
	b.WriteString(installScriptHead)
	for _, u := range serviceUnits() {
		fmt.Fprintf(&b, "rm -f \"$root\"/etc/systemd/system/*.wants/%s\n", shellQuote(u))
	}
	b.WriteString(installScriptTail)
	return b.String()
}

func kernelInstallArgs(root string) []string {
	args := append(privateMountArgs(), "/bin/sh", "-c", installScript(), "sh", root)
	return append(append(args, kernelPackages...), servicePackages()...)
}

func mkfsArgs(srcDir, label, image, size string) []string {
	return []string{"-q", "-F", "-t", "ext4", "-L", label, "-d", srcDir, image, size}
}

// workDiskMkfsArgs makes the work disk without a journal: debugfs reads the
// disk after the guest is gone and does not replay a journal, so metadata
// the guest committed only to the journal (forced poweroff, busy unmount)
// would look missing. Without one, the guest's sync puts it in place.
func workDiskMkfsArgs(srcDir, image, size string) []string {
	return append([]string{"-O", "^has_journal"}, mkfsArgs(srcDir, guestWorkLabel, image, size)...)
}

// writeGuestConfig writes the recipe's files and links into the root.
func writeGuestConfig(root string) error {
	for _, f := range guestFiles {
		p := filepath.Join(root, f.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("configuring guest %s: %w", f.path, err)
		}
		_ = os.Remove(p) // may be a symlink (e.g. /etc/machine-id on some releases)
		if err := os.WriteFile(p, []byte(f.content), os.FileMode(f.mode)); err != nil {
			return fmt.Errorf("configuring guest %s: %w", f.path, err)
		}
		if err := os.Chmod(p, os.FileMode(f.mode)); err != nil {
			return fmt.Errorf("configuring guest %s: %w", f.path, err)
		}
	}
	for _, l := range guestLinks {
		p := filepath.Join(root, l.path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("configuring guest link %s: %w", l.path, err)
		}
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("configuring guest link %s: %w", l.path, err)
		}
		if err := os.Symlink(l.target, p); err != nil {
			return fmt.Errorf("configuring guest link %s: %w", l.path, err)
		}
	}
	return nil
}

// findKernel returns the release of the one kernel installed in root, and
// checks that its initrd exists.
func findKernel(root string) (string, error) {
	matches, err := filepath.Glob(filepath.Join(root, "boot", "vmlinuz-*"))
	if err != nil {
		return "", fmt.Errorf("looking for the guest kernel: %w", err)
	}
	if len(matches) != 1 {
		return "", fmt.Errorf("looking for the guest kernel: want exactly one /boot/vmlinuz-*, found %d", len(matches))
	}
	release := strings.TrimPrefix(filepath.Base(matches[0]), "vmlinuz-")
	if _, err := os.Stat(filepath.Join(root, "boot", "initrd.img-"+release)); err != nil {
		return "", fmt.Errorf("guest kernel %s has no initrd: %w", release, err)
	}
	return release, nil
}

// dpkgVersion reads a package's version from a dpkg status file.
func dpkgVersion(statusFile, pkg string) (string, error) {
	f, err := os.Open(statusFile)
	if err != nil {
		return "", fmt.Errorf("reading guest package versions: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	current := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			current = ""
		case strings.HasPrefix(line, "Package: "):
			current = strings.TrimPrefix(line, "Package: ")
		case current == pkg && strings.HasPrefix(line, "Version: "):
			return strings.TrimPrefix(line, "Version: "), nil
		}
	}
	if err := sc.Err(); err != nil {
		return "", fmt.Errorf("reading %s: %w", statusFile, err)
	}
	return "", fmt.Errorf("package %s is not installed in the guest (%s)", pkg, statusFile)
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

func writeManifest(dir string, m Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding VM image manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, imageManifest), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("writing VM image manifest: %w", err)
	}
	return nil
}

// readManifest returns the manifest of a complete image, or an error saying
// why dir is not one.
func readManifest(dir string) (Manifest, error) {
	var m Manifest
	data, err := os.ReadFile(filepath.Join(dir, imageManifest))
	if err != nil {
		return m, fmt.Errorf("reading VM image manifest: %w", err)
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("decoding VM image manifest %s: %w", filepath.Join(dir, imageManifest), err)
	}
	for _, f := range []string{imageDisk, imageKernel, imageInitrd} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return m, fmt.Errorf("VM image %s is incomplete: %w", dir, err)
		}
	}
	return m, nil
}
