package vm

import (
	"strconv"
	"strings"
)

// qemuSpec is everything a guest boot depends on; qemuArgs turns it into a
// command line so the mapping can be tested without QEMU.
type qemuSpec struct {
	accel        string
	memoryMiB    int
	cpus         int
	kernel       string
	initrd       string
	cmdline      string
	rootOverlay  string // qcow2 overlay over the cached image
	workDisk     string // raw ext4 work disk: files in, results out
	progressSock string // unix socket the host listens on for the runner's output
}

func qemuArgs(s qemuSpec) []string {
	accel := s.accel
	if s.accel == AccelTCG {
		// One emulation thread for all vCPUs: with a thread per vCPU the
		// guest kernel's live code patching (an int3 written, the CPUs
		// synchronised, the int3 replaced) was seen to trap on an int3
		// another vCPU had already replaced, an Oops in the first seconds
		// of boot that failed one VM run of a CI suite.
		accel += ",thread=single"
	}
	args := []string{"-name", "hardenlab-vm", "-accel", accel}
	if s.accel == AccelKVM {
		args = append(args, "-cpu", "host")
	}
	args = append(args,
		"-m", strconv.Itoa(s.memoryMiB), "-smp", strconv.Itoa(s.cpus),
		// No default NIC, VGA or monitor: the guest has only loopback, and
		// nothing reads a monitor.
		"-nodefaults", "-no-user-config", "-display", "none",
		// Guest poweroff, reboot and panic (panic=-1) all end QEMU.
		"-no-reboot",
		"-serial", "stdio",
		"-kernel", s.kernel, "-initrd", s.initrd, "-append", s.cmdline,
		// The overlay is thrown away, so flushes to it are wasted time.
		"-drive", "file="+optValue(s.rootOverlay)+",if=virtio,format=qcow2,cache=unsafe,discard=unmap",
		"-drive", "file="+optValue(s.workDisk)+",if=virtio,format=raw",
		"-device", "virtio-rng-pci",
		"-device", "virtio-serial-pci",
		"-chardev", "socket,id=progress,path="+optValue(s.progressSock),
		"-device", "virtserialport,chardev=progress,name="+guestProgress,
	)
	return args
}

// overlayArgs makes a qcow2 overlay whose backing file is the cached raw
// image; QEMU opens the backing file read-only, so runs never change the
// cache and several runs can share it.
func overlayArgs(base, overlay string) []string {
	return []string{"create", "-q", "-f", "qcow2", "-F", "raw", "-b", base, overlay}
}

// optValue escapes a value inside a QEMU "key=value,..." option, where a
// literal comma is written twice.
func optValue(v string) string { return strings.ReplaceAll(v, ",", ",,") }
