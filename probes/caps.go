package probes

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// capNamesOf renders a capability mask as names.
func capNamesOf(mask uint64) string {
	if mask == 0 {
		return "none"
	}
	return strings.Join(linux.CapabilityNames(mask), " ")
}

// statusField reads one "Key:" field of a /proc/<pid>/status file.
func statusField(file, key string) (string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", file, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && k == key {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("%s has no %s field", file, key)
}

func capMask(file, key string) (uint64, error) {
	v, err := statusField(file, key)
	if err != nil {
		return 0, err
	}
	m, err := strconv.ParseUint(v, 16, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: parsing %s %q: %w", file, key, v, err)
	}
	return m, nil
}

// hasCap reads whether the calling process holds capability c effectively.
func hasCap(c linux.Capability) bool {
	eff, err := capMask("/proc/self/status", "CapEff")
	return err == nil && eff&c.Mask() != 0
}

func checkBoundingSet(ctx context.Context, o Options) Result {
	own, err := capMask("/proc/self/status", "CapBnd")
	if err != nil {
		return errored("%v", err)
	}
	ref, refName := uint64(0), "PID 1"
	if m, err := capMask("/proc/1/status", "CapBnd"); err == nil {
		ref = m
	} else {
		// PID 1 hidden (ProtectProc=, ProcSubset=): compare with every
		// capability the kernel knows instead.
		ref, refName = kernelCapabilities(), "the kernel's full set"
	}
	chown := chownScratch(o.Scratch, 1)
	missing := ref &^ own
	if missing != 0 {
		return blocked(0, "bounding set %016x lacks %s of %s; %s", own, capNamesOf(missing), refName, chown)
	}
	return allowed("bounding set %016x is as complete as %s's; %s", own, refName, chown)
}

// kernelCapabilities is the mask of all capabilities the kernel knows,
// found by asking PR_CAPBSET_READ until it answers EINVAL (cap_last_cap may
// be hidden by ProcSubset=pid).
func kernelCapabilities() uint64 {
	var mask uint64
	for c := 0; c < 64; c++ {
		if _, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err != nil {
			break
		}
		mask |= 1 << c
	}
	return mask
}

// chownScratch chowns a fresh scratch file to uid and back: the kernel
// demands CAP_CHOWN for it, so it shows whether that capability still works.
func chownScratch(scratch string, uid int) string {
	if scratch == "" {
		return "chown not tried (no scratch dir)"
	}
	name := scratchFile(scratch, "chown")
	if err := os.WriteFile(name, nil, 0o600); err != nil {
		return "chown not tried: " + err.Error()
	}
	defer os.Remove(name)
	err := os.Lchown(name, uid, -1)
	if err != nil {
		if e, ok := errnoOf(err); ok {
			return fmt.Sprintf("chown of a scratch file to uid %d: %s", uid, errnoName(e))
		}
		return fmt.Sprintf("chown of a scratch file to uid %d: %v", uid, err)
	}
	os.Lchown(name, os.Geteuid(), -1)
	return fmt.Sprintf("chown of a scratch file to uid %d succeeded", uid)
}

func checkNoNewPrivs(ctx context.Context, o Options) Result {
	flag, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	if err != nil {
		return errored("prctl(PR_GET_NO_NEW_PRIVS): %v", err)
	}
	status, err := statusField("/proc/self/status", "NoNewPrivs")
	if err != nil {
		return errored("%v", err)
	}
	if status != strconv.Itoa(flag) {
		return errored("prctl says no_new_privs=%d but /proc/self/status says %s", flag, status)
	}
	if flag == 1 {
		return blocked(0, "no_new_privs is set: setuid/setgid bits and file capabilities are ignored on exec")
	}
	return allowed("no_new_privs is clear: exec of a setuid binary or one with file capabilities can gain privileges")
}

func checkAmbient(ctx context.Context, o Options) Result {
	amb, _ := statusField("/proc/self/status", "CapAmb")
	start := 1024
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			start = n
		}
	}
	if start <= 1 {
		return skipped("every port is unprivileged here (ip_unprivileged_port_start=%d)", start)
	}
	var lastErr error
	for port := start - 1; port >= 1 && port >= start-100; port-- {
		l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err == nil {
			l.Close()
			return allowed("bound 127.0.0.1:%d (below ip_unprivileged_port_start=%d) and closed it; CapAmb %s", port, start, amb)
		}
		lastErr = err
		if e, ok := errnoOf(err); ok && e == unix.EADDRINUSE {
			continue
		}
		r := attempt(err, fmt.Sprintf("bind 127.0.0.1:%d", port))
		r.Detail += "; CapAmb " + amb
		return r
	}
	return errored("every privileged port tried was in use: %v", lastErr)
}
