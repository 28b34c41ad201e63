package vm

import (
	"fmt"
	"os/exec"
	"strings"
)

// tool is one host program the VM sandbox runs, and the Debian package that
// provides it, so a missing one gives an error that says what to install.
type tool struct {
	name    string
	pkg     string
	purpose string
}

// The tools, one per job. Build-time and run-time needs are separate so that
// a machine with a cached image does not need debootstrap.
var (
	toolDebootstrap = tool{"debootstrap", "debootstrap", "build the VM image"}
	toolUnshare     = tool{"unshare", "util-linux", "keep the image build's mounts private"}
	toolChroot      = tool{"chroot", "coreutils", "install the kernel into the image root"}
	toolMkfs        = tool{"mkfs.ext4", "e2fsprogs", "make ext4 disk images from directories"}
	toolDebugfs     = tool{"debugfs", "e2fsprogs", "read results from the work disk"}
	toolQemu        = tool{"qemu-system-x86_64", "qemu-system-x86", "boot the VM"}
	toolQemuImg     = tool{"qemu-img", "qemu-utils", "make the per-run copy-on-write overlay"}
)

func buildTools() []tool { return []tool{toolDebootstrap, toolUnshare, toolChroot, toolMkfs} }
func runTools() []tool   { return []tool{toolQemu, toolQemuImg, toolMkfs, toolDebugfs} }

// toolPaths resolves tool names to executables. Tests replace entries with
// fakes; nil means "look it up in PATH".
type toolPaths map[string]string

func (tp toolPaths) path(t tool) string {
	if p, ok := tp[t.name]; ok {
		return p
	}
	return t.name
}

// check reports every missing tool at once, each with its package.
func (tp toolPaths) check(tools []tool) error {
	var missing []string
	for _, t := range tools {
		if _, err := exec.LookPath(tp.path(t)); err != nil {
			missing = append(missing, fmt.Sprintf("%s (to %s; apt-get install %s)", t.name, t.purpose, t.pkg))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("vm sandbox: missing host tools: %s", strings.Join(missing, ", "))
}
