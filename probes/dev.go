package probes

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// minimalDevices are the nodes PrivateDevices= keeps in its private /dev;
// pseudo-terminal and shared-memory subtrees are skipped, not judged.
func minimalDevices() []string {
	return []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx"}
}

func skippedDevTrees() []string {
	return []string{"/dev/pts", "/dev/shm", "/dev/mqueue", "/dev/hugepages"}
}

func checkPrivateDev(ctx context.Context, o Options) Result {
	extra := extraDeviceNodes("/dev", 3)
	tun := "/dev/net/tun opened (not configured)"
	fd, err := unix.Open("/dev/net/tun", unix.O_RDWR|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	tunOpen := err == nil
	if tunOpen {
		unix.Close(fd)
	} else {
		tun = "/dev/net/tun: " + err.Error()
	}
	view := devView()
	if len(extra) > 0 || tunOpen {
		shown := extra
		if len(shown) > 8 {
			shown = append(shown[:8:8], "...")
		}
		return allowed("%d device nodes beyond the minimal set visible (%s); %s; %s", len(extra), strings.Join(shown, " "), tun, view)
	}
	return blocked(0, "only the minimal device nodes are visible; %s; %s", tun, view)
}

// devView says what /dev is and whether it is PID 1's: PrivateDevices=
// mounts a private tmpfs there.
func devView() string {
	what := "/dev mount unknown"
	if mounts, err := selfMounts(); err == nil {
		if m, ok := covering(mounts, "/dev"); ok {
			what = "/dev is a " + m.FSType + " mount"
		}
	}
	var mine, init unix.Stat_t
	if unix.Stat("/dev", &mine) != nil || unix.Stat("/proc/1/root/dev", &init) != nil {
		return what + " (PID 1's /dev unreadable)"
	}
	if mine.Dev == init.Dev && mine.Ino == init.Ino {
		return what + ", the same as PID 1's"
	}
	return what + ", not PID 1's"
}

// extraDeviceNodes lists char/block nodes outside the minimal set, without
// opening any of them (opening e.g. a watchdog would arm it).
func extraDeviceNodes(root string, depth int) []string {
	var out []string
	var walk func(dir string, depth int)
	walk = func(dir string, depth int) {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			switch {
			case e.Type()&(fs.ModeDevice|fs.ModeCharDevice) != 0:
				if !contains(minimalDevices(), p) {
					out = append(out, p)
				}
			case e.IsDir() && depth > 0 && !contains(skippedDevTrees(), p):
				walk(p, depth-1)
			}
		}
	}
	walk(root, depth)
	sort.Strings(out)
	return out
}
