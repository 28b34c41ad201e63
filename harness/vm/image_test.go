package vm

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDpkgVersion(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status")
	data := "Package: systemd-sysv\nVersion: 1\n\nPackage: systemd\nStatus: install ok installed\nVersion: 257.9-1~deb13u1\n\nPackage: udev\nVersion: 2\n"
	if err := os.WriteFile(status, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if v, err := dpkgVersion(status, "systemd"); err != nil || v != "257.9-1~deb13u1" {
		t.Fatalf("got %q, %v", v, err)
	}
	if _, err := dpkgVersion(status, "python3"); err == nil {
		t.Fatal("missing package found")
	}
}

func TestFindKernel(t *testing.T) {
	root := t.TempDir()
	boot := filepath.Join(root, "boot")
	if err := os.Mkdir(boot, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := findKernel(root); err == nil {
		t.Fatal("found a kernel in an empty /boot")
	}
	writeHostFile(t, boot, "vmlinuz-6.12.0-cloud-amd64", "k", 0o644)
	if _, err := findKernel(root); err == nil || !strings.Contains(err.Error(), "no initrd") {
		t.Fatalf("kernel without initrd: %v", err)
	}
	writeHostFile(t, boot, "initrd.img-6.12.0-cloud-amd64", "i", 0o644)
	if k, err := findKernel(root); err != nil || k != "6.12.0-cloud-amd64" {
		t.Fatalf("got %q, %v", k, err)
	}
	writeHostFile(t, boot, "vmlinuz-6.13.0-cloud-amd64", "k", 0o644)
	if _, err := findKernel(root); err == nil {
		t.Fatal("two kernels accepted")
	}
}

func TestWriteGuestConfig(t *testing.T) {
	root := t.TempDir()
	// A pre-existing file and link must be replaced, as in a real root.
	if err := os.MkdirAll(filepath.Join(root, "etc/systemd/system"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeHostFile(t, filepath.Join(root, "etc"), "machine-id", "0123456789abcdef\n", 0o444)
	if err := os.Symlink("/lib/systemd/system/graphical.target", filepath.Join(root, "etc/systemd/system/default.target")); err != nil {
		t.Fatal(err)
	}
	if err := writeGuestConfig(root); err != nil {
		t.Fatal(err)
	}
	for _, f := range guestFiles {
		p := filepath.Join(root, f.path)
		data, err := os.ReadFile(p)
		if err != nil || string(data) != f.content {
			t.Errorf("%s: %q, %v", f.path, data, err)
		}
		if info, err := os.Stat(p); err == nil && uint32(info.Mode().Perm()) != f.mode {
			t.Errorf("%s: mode %o, want %o", f.path, info.Mode().Perm(), f.mode)
		}
	}
	for _, l := range guestLinks {
		if got, err := os.Readlink(filepath.Join(root, l.path)); err != nil || got != l.target {
			t.Errorf("%s -> %q, %v; want %s", l.path, got, err, l.target)
		}
	}
}

// fakeImage puts a complete-looking image into stateDir's cache, so Run's
// cleanup paths can be tested without building one.
func fakeImage(t *testing.T, stateDir, release string) string {
	t.Helper()
	dir := filepath.Join(stateDir, "vm", imageName(release))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{imageDisk, imageKernel, imageInitrd} {
		writeHostFile(t, dir, f, "fake "+f, 0o644)
	}
	if err := writeManifest(dir, Manifest{Release: release, Kernel: "6.12.0-fake", SystemdPackage: "257.9-1", Built: time.Now()}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestEnsureImageReusesCompleteImageAndCleansPartialBuilds(t *testing.T) {
	state := t.TempDir()
	want := fakeImage(t, state, "trixie")
	stale := filepath.Join(state, "vm", buildPrefix(imageName("trixie"))+"123")
	other := filepath.Join(state, "vm", buildPrefix(imageName("bookworm"))+"456")
	for _, d := range []string{stale, other} {
		if err := os.MkdirAll(filepath.Join(d, "root"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// No build tools are needed for a cached image: make them all missing.
	missing := toolPaths{}
	for _, tl := range buildTools() {
		missing[tl.name] = "/nonexistent/" + tl.name
	}
	dir, built, err := ensureImage(context.Background(), Config{StateDir: state}.withDefaults(), missing, os.Stderr)
	if err != nil || built || dir != want {
		t.Fatalf("got %q built=%v err=%v, want cached %q", dir, built, err, want)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("partial build of this image not removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another image's build dir was touched: %v", err)
	}
}

func TestEnsureImageNamesMissingBuildTools(t *testing.T) {
	state := t.TempDir()
	missing := toolPaths{toolDebootstrap.name: "/nonexistent/debootstrap", toolMkfs.name: "/nonexistent/mkfs.ext4"}
	for _, rebuild := range []bool{false, true} {
		if rebuild {
			fakeImage(t, state, "trixie") // Rebuild must not reuse it
		}
		_, _, err := ensureImage(context.Background(), Config{StateDir: state, Rebuild: rebuild}.withDefaults(), missing, os.Stderr)
		if err == nil || !strings.Contains(err.Error(), "apt-get install debootstrap") || !strings.Contains(err.Error(), "apt-get install e2fsprogs") {
			t.Fatalf("rebuild=%v: got %v, want both missing tools with their packages", rebuild, err)
		}
	}
}

func TestReadManifestRejectsIncompleteImage(t *testing.T) {
	dir := fakeImage(t, t.TempDir(), "trixie")
	if _, err := readManifest(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, imageInitrd)); err != nil {
		t.Fatal(err)
	}
	if _, err := readManifest(dir); err == nil {
		t.Fatal("image without initrd accepted")
	}
}

func TestPruneOutdated(t *testing.T) {
	cache := t.TempDir()
	keep := imageName("trixie")
	dirs := map[string]bool{ // name -> should survive
		keep:                    true,
		"trixie-0123456789ab":   false,
		"bookworm-0123456789ab": true, // another release
		"trixie-notahash":       true, // not ours
		".build-" + keep + "-1": true, // removeStaleBuilds' job, under the lock
	}
	for d := range dirs {
		if err := os.MkdirAll(filepath.Join(cache, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, lock := range []string{".trixie-0123456789ab.lock", "." + keep + ".lock"} {
		writeHostFile(t, cache, lock, "", 0o644)
	}
	if err := pruneOutdated(cache, "trixie", keep); err != nil {
		t.Fatal(err)
	}
	dirs[".trixie-0123456789ab.lock"] = false
	dirs["."+keep+".lock"] = true
	for d, survive := range dirs {
		_, err := os.Stat(filepath.Join(cache, d))
		if (err == nil) != survive {
			t.Errorf("%s: exists=%v, want %v", d, err == nil, survive)
		}
	}
}

func TestBuildStepArgs(t *testing.T) {
	// The kernel step runs in a private mount namespace so its mounts
	// cannot outlive it (the debootstrap step: TestBuildDebootstrapStep).
	if args := kernelInstallArgs("/c/root"); len(args) < 4 || strings.Join(args[:4], " ") != "--mount --propagation private --" {
		t.Errorf("kernel: %q does not start with a private mount namespace", args)
	}
	k := kernelInstallArgs("/c/root")
	want := append(append([]string{}, kernelPackages...), servicePackages()...)
	if got := k[len(k)-len(want):]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("kernel and service packages %q, want %q", got, want)
	}
	// No packaged service may start at boot: it would hold the port every
	// profile binds.
	script := installScript()
	for _, u := range []string{"redis-server.service", "nginx.service", "ssh.service"} {
		if !strings.Contains(script, "/etc/systemd/system/*.wants/'"+u+"'\n") {
			t.Errorf("install script does not disable %s:\n%s", u, script)
		}
	}
	if !strings.Contains(imageInputs("trixie"), "install-script=") {
		t.Error("install script not part of the image inputs")
	}
	if got := strings.Join(mkfsArgs("/src", "lbl", "/img", "2G"), " "); got != "-q -F -t ext4 -L lbl -d /src /img 2G" {
		t.Errorf("mkfs args %q", got)
	}
}

// TestBuildDebootstrapStep runs an image build against a fake unshare and
// a failing fake debootstrap: the step goes through rootfs.Debootstrap
// inside unshare's private mount namespace, with the recipe's variant,
// packages, release and mirror, and its failure leaves no build dir.
func TestBuildDebootstrapStep(t *testing.T) {
	bin, state := t.TempDir(), t.TempDir()
	record := filepath.Join(t.TempDir(), "argv")
	t.Setenv("FAKE_ARGV", record)
	tp := toolPaths{
		toolUnshare.name:     writeHostFile(t, bin, "unshare", "#!/bin/sh\necho \"unshare $*\" >> \"$FAKE_ARGV\"\nshift 4\nexec \"$@\"\n", 0o755),
		toolDebootstrap.name: writeHostFile(t, bin, "debootstrap", "#!/bin/sh\necho \"debootstrap $*\" >> \"$FAKE_ARGV\"\necho 'E: Failed getting release file'\nexit 1\n", 0o755),
		toolChroot.name:      "true",
		toolMkfs.name:        "true",
	}
	_, _, err := ensureImage(context.Background(), Config{StateDir: state}.withDefaults(), tp, io.Discard)
	wantArgs := "--variant=minbase --include=dbus,kmod,python3,systemd,systemd-sysv,udev trixie "
	if err == nil || !strings.Contains(err.Error(), "debootstrap "+wantArgs) || !strings.Contains(err.Error(), "E: Failed getting release file") {
		t.Fatalf("got %v, want an error naming debootstrap, its arguments and its output", err)
	}
	data, rerr := os.ReadFile(record)
	if rerr != nil {
		t.Fatal(rerr)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "unshare --mount --propagation private -- "+tp[toolDebootstrap.name]+" "+wantArgs) ||
		!strings.HasPrefix(lines[1], "debootstrap "+wantArgs) || !strings.HasSuffix(lines[1], "/root "+debianMirror) {
		t.Errorf("ran:\n%s", data)
	}
	entries, _ := os.ReadDir(filepath.Join(state, "vm"))
	for _, e := range entries {
		if e.IsDir() {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
