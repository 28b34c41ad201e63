package vm

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/rootfs"
)

// recipeVersion changes whenever the way an image is built or configured
// changes, so cached images built by an older recipe are not reused.
const recipeVersion = 4

// imageSize is the ext4 root's size. The image is sparse; a trixie root with
// the cloud kernel takes ~600 MB, the rest is room for the services' state.
const imageSize = "2G"

// debianMirror is the only mirror this project's machines can reach. It
// is part of the image inputs.
const debianMirror = rootfs.DefaultMirror

// bootstrapPackages go into debootstrap --include: what the guest needs to
// boot systemd as PID 1 and run the demo service and the probes.
var bootstrapPackages = []string{
	"systemd",      // PID 1
	"systemd-sysv", // /sbin/init -> systemd
	"udev",         // /dev/disk/by-label and /dev/virtio-ports links
	"dbus",         // the system bus hardenlab drives systemd over
	"python3",      // the demo service: python3 -m http.server
	"kmod",         // loads the virtio modules from the initrd and after
}

// kernelPackages are installed in a chroot after debootstrap: the cloud
// kernel has virtio as modules, so it needs the initrd that
// initramfs-tools makes.
var kernelPackages = []string{"linux-image-cloud-amd64", "initramfs-tools"}

// guestService is a packaged daemon the image carries for --service unit
// and --installed runs, with the units its package enables. The image
// enables none of them: a service already listening on its fixed port at
// boot would make every profile's start fail, and hardenlab starts each
// only as a transient unit or clone when a run asks for it.
type guestService struct {
	pkg   string
	units []string
}

// guestServices are the real services of the project's fixtures, one per
// Type= they exercise.
var guestServices = []guestService{
	{"redis-server", []string{"redis-server.service"}},        // Type=notify
	{"nginx", []string{"nginx.service"}},                      // Type=forking, PIDFile=
	{"openssh-server", []string{"ssh.service", "ssh.socket"}}, // Type=notify, ExecStartPre=
}

// servicePackages are guestServices' package names.
func servicePackages() []string {
	out := make([]string, len(guestServices))
	for i, s := range guestServices {
		out[i] = s.pkg
	}
	return out
}

// serviceUnits are the units of guestServices the image must not enable.
func serviceUnits() []string {
	var out []string
	for _, s := range guestServices {
		out = append(out, s.units...)
	}
	return out
}

// guestWorkLabel and guestWorkMount name the per-run work disk in the guest.
const (
	guestWorkLabel = "hardenlab-work"
	guestWorkMount = "/run/hardenlab-work"
	guestProgress  = "org.hardenlab.progress" // virtio-serial port name
)

// guestFile is one file the recipe writes into the image root.
type guestFile struct {
	path    string
	mode    uint32
	content string
}

// guestFiles configure the image: boot without firstboot or getty, wait for
// the work disk and hand over to the per-run runner script on it. The runner
// script itself is generated per run (runner.go), so changing what a run does
// never needs a new image.
var guestFiles = []guestFile{
	{"/etc/hostname", 0o644, "hardenlab-vm\n"},
	{"/etc/hosts", 0o644, "127.0.0.1 localhost\n127.0.1.1 hardenlab-vm\n::1 localhost ip6-localhost ip6-loopback\n"},
	{"/etc/fstab", 0o644, "/dev/vda / ext4 rw,errors=remount-ro 0 0\n"},
	// Empty: each boot gets a fresh machine ID; the overlay is thrown away.
	{"/etc/machine-id", 0o444, ""},
	// The cloud kernel has ext4, virtio-pci and the virtio console built in;
	// the root disk's virtio_blk is the one module the initrd needs. A
	// listed-only initrd (not MODULES=most, and not MODULES=dep, which would
	// look at the build host's hardware) is a fraction of the size and skips
	// probing hardware the guest does not have, which costs many seconds
	// under emulation.
	{"/etc/initramfs-tools/modules", 0o644, "virtio_blk\n"},
	{"/etc/initramfs-tools/conf.d/hardenlab.conf", 0o644, "MODULES=list\n"},
	{"/etc/systemd/journald.conf.d/hardenlab.conf", 0o644, "[Journal]\nStorage=volatile\n"},
	{"/etc/systemd/system/hardenlab-vm-runner.service", 0o644, runnerUnit},
	{"/usr/local/libexec/hardenlab-vm-boot", 0o755, bootScript},
}

// runnerUnit starts the run once the system is up and powers off afterwards,
// whatever happened, so the host sees QEMU exit. The forced poweroff skips
// stopping every unit in order (~15 s under emulation); the runner has
// already synced and unmounted the results, and systemd-shutdown still
// unmounts or remounts read-only every file system.
const runnerUnit = `[Unit]
Description=hardenlab VM runner
After=multi-user.target
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/usr/local/libexec/hardenlab-vm-boot
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity

[Install]
WantedBy=multi-user.target
`

// bootScript mounts the work disk and runs the runner script found on it.
// The host enforces the deadlines, so waiting here is unbounded on purpose.
const bootScript = `#!/bin/sh
set -eu
dev=/dev/disk/by-label/` + guestWorkLabel + `
while [ ! -e "$dev" ]; do sleep 0.2; done
mkdir -p ` + guestWorkMount + `
mount "$dev" ` + guestWorkMount + `
exec /bin/sh ` + guestWorkMount + `/runner.sh
`

// guestLink is one symlink the recipe makes: enabling by "wants" links and
// masking by links to /dev/null, as systemctl would, without running it.
type guestLink struct {
	path, target string
}

var guestLinks = []guestLink{
	{"/etc/systemd/system/multi-user.target.wants/hardenlab-vm-runner.service", "/etc/systemd/system/hardenlab-vm-runner.service"},
	{"/etc/systemd/system/default.target", "/lib/systemd/system/multi-user.target"},
	// No logins on a throwaway VM; the serial console is only for watching.
	{"/etc/systemd/system/getty.target", "/dev/null"},
	{"/etc/systemd/system/serial-getty@ttyS0.service", "/dev/null"},
	// Nothing should reach for a network the guest does not have.
	{"/etc/systemd/system/apt-daily.timer", "/dev/null"},
	{"/etc/systemd/system/apt-daily-upgrade.timer", "/dev/null"},
	{"/etc/systemd/system/dpkg-db-backup.timer", "/dev/null"},
	// Not needed by a throwaway guest, and slow or stalling under emulation.
	{"/etc/systemd/system/systemd-binfmt.service", "/dev/null"},
	{"/etc/systemd/system/proc-sys-fs-binfmt_misc.automount", "/dev/null"},
	{"/etc/systemd/system/fstrim.timer", "/dev/null"},
	{"/etc/systemd/system/e2scrub_all.timer", "/dev/null"},
	{"/etc/systemd/system/e2scrub_reap.service", "/dev/null"},
}

// kernelCmdline is what the guest kernel boots with.
func kernelCmdline() string {
	return strings.Join([]string{
		"root=/dev/vda", "rw", "console=ttyS0",
		"systemd.firstboot=off",
		"fsck.mode=skip",
		"panic=-1", // a panicking guest reboots, and -no-reboot turns that into QEMU exiting
		// The PC machine's legacy IDE, floppy and speaker: probing them
		// took ~10 s under emulation, and the guest has no such disks.
		"modprobe.blacklist=ata_piix,ata_generic,pata_acpi,floppy,pcspkr",
		"quiet", "systemd.show_status=1",
	}, " ")
}

// imageInputs is everything that decides what an image contains. Its hash
// names the cache entry, so changing any input builds a new image.
func imageInputs(release string) string {
	pk := slices.Clone(bootstrapPackages)
	slices.Sort(pk)
	kp := slices.Clone(kernelPackages)
	slices.Sort(kp)
	var b strings.Builder
	fmt.Fprintf(&b, "recipe=%d\nrelease=%s\nmirror=%s\nsize=%s\n", recipeVersion, release, debianMirror, imageSize)
	fmt.Fprintf(&b, "bootstrap=%s\nkernel=%s\nservices=%s\n", strings.Join(pk, ","), strings.Join(kp, ","), strings.Join(servicePackages(), ","))
	fmt.Fprintf(&b, "install-script=%x\n", sha256.Sum256([]byte(installScript())))
	for _, f := range guestFiles {
		fmt.Fprintf(&b, "file=%s %o %x\n", f.path, f.mode, sha256.Sum256([]byte(f.content)))
	}
	for _, l := range guestLinks {
		fmt.Fprintf(&b, "link=%s -> %s\n", l.path, l.target)
	}
	return b.String()
}

// imageName is the cache directory name: release plus a short inputs hash.
func imageName(release string) string {
	sum := sha256.Sum256([]byte(imageInputs(release)))
	return release + "-" + hex.EncodeToString(sum[:])[:12]
}
