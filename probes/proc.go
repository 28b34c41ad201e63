package probes

import (
	"context"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

func checkHidePID(ctx context.Context, o Options) Result {
	hidepid := "none"
	if mounts, err := selfMounts(); err == nil {
		if m, ok := covering(mounts, "/proc"); ok {
			if v := m.super("hidepid"); v != "" {
				hidepid = v
			}
		}
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return errored("listing /proc: %v", err)
	}
	me := os.Geteuid()
	listed, readable := 0, 0
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		var st unix.Stat_t
		if err := unix.Stat("/proc/"+e.Name(), &st); err != nil || int(st.Uid) == me {
			continue
		}
		listed++
		if b, err := os.ReadFile("/proc/" + e.Name() + "/status"); err == nil && len(b) > 0 {
			readable++
		}
	}
	switch {
	case readable > 0 && hidepid != "none":
		return allowed("%d processes of other users readable (%d listed) despite /proc hidepid=%s: CAP_SYS_PTRACE or group 0 (hidepid's default gid=0 exemption) keeps access", readable, listed, hidepid)
	case readable > 0:
		return allowed("%d processes of other users readable (%d listed); /proc hidepid=%s", readable, listed, hidepid)
	case hidepid != "none":
		return blocked(0, "no process of another user readable (%d listed); /proc hidepid=%s", listed, hidepid)
	case listed > 0:
		return blocked(unix.EACCES, "%d processes of other users listed but none readable; /proc has no hidepid option", listed)
	}
	return errored("no process of another user is visible and /proc has no hidepid option: nothing to test against")
}
