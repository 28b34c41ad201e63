package probes

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

func checkWriteSysctl(ctx context.Context, o Options) Result {
	sysfs := "writable"
	if err := unix.Access("/sys", unix.W_OK); err != nil {
		sysfs = err.Error()
	}
	if _, err := os.Stat("/proc/sys"); errors.Is(err, fs.ErrNotExist) {
		return blocked(unix.ENOENT, "/proc/sys is hidden (ProcSubset=pid); /sys: %s", sysfs)
	}
	file := firstRegularFile("/proc/sys", []string{"/proc/sys/vm/swappiness", "/proc/sys/kernel/sysrq", "/proc/sys/fs/file-max"}, nil)
	if file == "" {
		return errored("no sysctl file found under /proc/sys")
	}
	r := openForWrite(file)
	r.Detail += "; /sys: " + sysfs
	return r
}

func checkWriteCgroup(ctx context.Context, o Options) Result {
	dir, err := ownCgroupDir()
	if err != nil {
		return skipped("%v", err)
	}
	if err := unix.Access(dir, unix.W_OK); err != nil {
		return attempt(err, "access(W_OK) "+dir)
	}
	r := openForWrite(filepath.Join(dir, "cgroup.procs"))
	return r
}

// ownCgroupDir finds the calling process's cgroup v2 directory through the
// cgroup2 mount, whether at /sys/fs/cgroup (unified) or below it (hybrid).
func ownCgroupDir() (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("reading own cgroup: %w", err)
	}
	var rel string
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(line, "0::"); ok {
			rel, found = p, true
		}
	}
	if !found {
		return "", errors.New("no cgroup v2 membership in /proc/self/cgroup (legacy cgroup hierarchy)")
	}
	mounts, err := selfMounts()
	if err != nil {
		return "", err
	}
	for i := len(mounts) - 1; i >= 0; i-- {
		m := mounts[i]
		if m.FSType != "cgroup2" {
			continue
		}
		// systemd 254+ bind-mounts single cgroup files (memory.pressure)
		// into a unit's namespace; those are cgroup2 mounts too, but not
		// the hierarchy. Only a mount whose root contains our cgroup is.
		sub := rel
		if m.Root != "/" {
			if rel != m.Root && !strings.HasPrefix(rel, m.Root+"/") {
				continue
			}
			sub = strings.TrimPrefix(rel, m.Root)
		}
		dir := filepath.Join(m.MountPoint, sub)
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir, nil
		}
		if fi, err := os.Stat(m.MountPoint); err == nil && fi.IsDir() {
			return m.MountPoint, nil
		}
	}
	return "", errors.New("no cgroup2 file system is mounted")
}

// garbageModule is not an ELF image: any kernel that gets as far as parsing
// it rejects it, so init_module can never load anything.
func garbageModule() []byte { return []byte("hardenl\x00") }

func checkInitModule(ctx context.Context, o Options) Result {
	ctxInfo := moduleContext()
	err := unix.InitModule(garbageModule(), "")
	if err == nil {
		return errored("init_module of an 8-byte garbage image returned success; %s", ctxInfo)
	}
	e, ok := errnoOf(err)
	if !ok {
		return errored("init_module: %v", err)
	}
	switch e {
	case unix.EPERM, unix.EACCES:
		return blocked(e, "init_module denied with %s (seccomp filter or missing CAP_SYS_MODULE); %s", errnoName(e), ctxInfo)
	case unix.ENOSYS:
		if _, err := os.Stat("/proc/modules"); errors.Is(err, fs.ErrNotExist) {
			return allowed("init_module reached the kernel, which answered ENOSYS: it is built without module support (/proc/modules absent); systemd's filter would have answered EPERM; %s", ctxInfo)
		}
		return errored("init_module answered ENOSYS although /proc/modules exists: a filter answering ENOSYS? %s", ctxInfo)
	}
	return allowed("init_module reached the kernel, which rejected the garbage image with %s; %s", errnoName(e), ctxInfo)
}

// moduleContext reports the other parts of ProtectKernelModules=: the
// capability and the module directory.
func moduleContext() string {
	capState := "CAP_SYS_MODULE in bounding set"
	if bnd, err := capMask("/proc/self/status", "CapBnd"); err != nil || bnd&linux.CapSysModule.Mask() == 0 {
		capState = "CAP_SYS_MODULE not in bounding set"
	}
	dir := "/usr/lib/modules"
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return capState + ", " + dir + " absent"
	case err != nil:
		return capState + ", " + dir + ": " + err.Error()
	case fi.Mode().Perm() == 0:
		return capState + ", " + dir + " inaccessible (mode 000)"
	}
	return capState + ", " + dir + " visible"
}

// syslogActionSizeBuffer asks only for the size of the kernel log buffer.
const syslogActionSizeBuffer = 10

func checkKernelLog(ctx context.Context, o Options) Result {
	kmsg := "/dev/kmsg absent"
	if fd, err := unix.Open("/dev/kmsg", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0); err == nil {
		unix.Close(fd)
		kmsg = "/dev/kmsg opened read-only"
	} else if !errors.Is(err, fs.ErrNotExist) {
		kmsg = "/dev/kmsg: " + err.Error()
	}
	n, err := unix.Klogctl(syslogActionSizeBuffer, nil)
	if err != nil {
		r := attempt(err, "syslog(SYSLOG_ACTION_SIZE_BUFFER)")
		r.Detail += "; " + kmsg
		return r
	}
	return allowed("syslog(SYSLOG_ACTION_SIZE_BUFFER) returned %d; %s", n, kmsg)
}
