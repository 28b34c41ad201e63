package probes

import (
	"context"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

func checkRoot(ctx context.Context, o Options) Result {
	uid, euid := os.Getuid(), os.Geteuid()
	if err := unix.Setuid(0); err != nil {
		r := attempt(err, "setuid(0)")
		r.Detail += " (runs as uid " + strconv.Itoa(uid) + ")"
		return r
	}
	if uid == 0 && euid == 0 {
		return allowed("runs as root (setuid(0) is a no-op)")
	}
	return allowed("setuid(0) succeeded from uid %d", uid)
}

// fullIdentityMap is the initial user namespace's uid_map.
const fullIdentityMap = "0 0 4294967295"

func checkPrivateUsers(ctx context.Context, o Options) Result {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return errored("reading /proc/self/uid_map: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	chown := chownUnmapped(o.Scratch)
	m := strings.Join(lines, "; ")
	if m == fullIdentityMap {
		return allowed("uid_map is the full identity mapping (%s); %s", m, chown)
	}
	return blocked(0, "uid_map is %q: a private user namespace; %s", m, chown)
}

// chownUnmapped tries to give a scratch file to a uid that only the full
// mapping contains; a private user namespace answers EINVAL.
func chownUnmapped(scratch string) string {
	return chownScratch(scratch, 12345)
}
