package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/harness/systemd"
)

// describe fills Env from the running manager and the kernel.
func (s *Sandbox) describe(ctx context.Context, root string) error {
	c, err := systemd.Dial(ctx, s.BusAddress)
	if err != nil {
		return err
	}
	defer c.Close()
	s.Env.Sandbox = s.Kind
	s.Env.Root = root
	if s.Env.SystemdVersion, err = c.Manager(ctx, "Version"); err != nil {
		return err
	}
	if s.Env.Virtualization, err = c.Manager(ctx, "Virtualization"); err != nil {
		return err
	}
	if s.Env.Virtualization == "" {
		s.Env.Virtualization = "none"
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		s.Env.Kernel = unix.ByteSliceToString(u.Release[:])
	}
	s.Env.CgroupMode = cgroupMode(s.HostPath("/sys/fs/cgroup"))
	pid := 1
	if s.leader != 0 {
		pid = s.leader
	}
	s.Env.ManagerCapBnd = statusField(fmt.Sprintf("/proc/%d/status", pid), "CapBnd")
	return nil
}

// cgroupMode tells unified, hybrid and legacy hierarchies apart the way
// systemd does: by the file system types mounted at /sys/fs/cgroup.
func cgroupMode(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return "unknown"
	}
	switch st.Type {
	case unix.CGROUP2_SUPER_MAGIC:
		return "unified"
	case unix.TMPFS_MAGIC:
		var u unix.Statfs_t
		if unix.Statfs(filepath.Join(dir, "unified"), &u) == nil && u.Type == unix.CGROUP2_SUPER_MAGIC {
			return "hybrid"
		}
		return "legacy"
	}
	return "unknown"
}

func statusField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && k == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
