package vm

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The work disk is a second, small ext4 disk per run, made with mkfs.ext4 -d
// from a staging directory: it carries the injected files and the runner
// script in, and the results and exit status out. A separate disk (instead
// of debugfs -w into a copy of the image) keeps the cached image untouched
// behind a qcow2 overlay, costs no image copy per run, and lets the host
// read results with debugfs from a raw ext4 file without mounting anything.

// workDiskSpare is the free room on the work disk for results. The disk is
// sparse, so unused room costs nothing.
const workDiskSpare = 512 << 20

// stageWorkDisk fills dir with the work disk's tree and returns the number
// of bytes it holds.
func stageWorkDisk(dir string, files map[string]string, command []string, accel string) (int64, error) {
	var total int64
	for _, d := range []string{workFilesDir, workResultsDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return 0, fmt.Errorf("staging the VM work disk: %w", err)
		}
	}
	guests := make([]string, 0, len(files))
	for g := range files {
		guests = append(guests, g)
	}
	sort.Strings(guests)
	for _, guest := range guests {
		host := files[guest]
		if err := validateGuestPath(guest); err != nil {
			return 0, fmt.Errorf("injecting %s into the VM: %w", guest, err)
		}
		info, err := os.Stat(host)
		if err != nil {
			return 0, fmt.Errorf("injecting %s into the VM: %w", guest, err)
		}
		if !info.Mode().IsRegular() {
			return 0, fmt.Errorf("injecting %s into the VM: host path %s is not a regular file", guest, host)
		}
		dst := filepath.Join(dir, workFilesDir, filepath.FromSlash(guest))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return 0, fmt.Errorf("injecting %s into the VM: %w", guest, err)
		}
		if err := copyFile(host, dst, info.Mode().Perm()); err != nil {
			return 0, fmt.Errorf("injecting %s into the VM: copying %s: %w", guest, host, err)
		}
		// OpenFile's mode is filtered by the umask; the guest must see the
		// host file's exact mode (executables stay executable).
		if err := os.Chmod(dst, info.Mode().Perm()); err != nil {
			return 0, fmt.Errorf("injecting %s into the VM: %w", guest, err)
		}
		total += info.Size()
	}
	if err := os.WriteFile(filepath.Join(dir, workRunner), []byte(runnerScript(command, accel)), 0o755); err != nil {
		return 0, fmt.Errorf("staging the VM runner script: %w", err)
	}
	return total, nil
}

// workDiskSize is the mkfs size for a work disk holding payload bytes, in
// KiB with the suffix mkfs.ext4 understands.
func workDiskSize(payload int64) string {
	bytes := payload + payload/8 + workDiskSpare // ext4 metadata and block rounding
	return fmt.Sprintf("%dk", (bytes+1023)/1024)
}

// debugfsCat reads one file from an ext4 image without mounting it.
// debugfs reports a missing file on stderr and still exits 0, so stderr is
// checked too.
func debugfsCat(ctx context.Context, debugfs, image, path string) (string, error) {
	defer lockThread()()
	cmd := groupCommand(ctx, debugfs, "-R", "cat "+debugfsQuote(path), image)
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("reading %s from the VM work disk: %w: %s", path, err, strings.TrimSpace(errOut.String()))
	}
	if msg := debugfsError(errOut.String()); msg != "" {
		return "", fmt.Errorf("reading %s from the VM work disk: %s", path, msg)
	}
	return out.String(), nil
}

// debugfsRdump copies a directory tree out of an ext4 image into destDir.
func debugfsRdump(ctx context.Context, debugfs, image, path, destDir string) error {
	defer lockThread()()
	cmd := groupCommand(ctx, debugfs, "-R", "rdump "+debugfsQuote(path)+" "+debugfsQuote(destDir), image)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("copying %s out of the VM work disk: %w: %s", path, err, strings.TrimSpace(errOut.String()))
	}
	if msg := debugfsError(errOut.String()); msg != "" {
		return fmt.Errorf("copying %s out of the VM work disk: %s", path, msg)
	}
	return nil
}

// debugfsError returns debugfs's complaints, dropping its version banner.
func debugfsError(stderr string) string {
	var msgs []string
	for _, line := range strings.Split(stderr, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "debugfs ") {
			continue
		}
		msgs = append(msgs, line)
	}
	return strings.Join(msgs, "; ")
}

// debugfsQuote quotes a path for debugfs's own command parser.
func debugfsQuote(p string) string {
	return `"` + strings.ReplaceAll(p, `"`, `\"`) + `"`
}
