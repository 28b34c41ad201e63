package score

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
)

// Version is a systemd release whose systemd-analyze security this package
// reproduces.
type Version int

// The versions modelled, each checked against the real tool (see the
// parity tests). Newest last.
const (
	V252 Version = 252
	V257 Version = 257
)

// Versions lists the modelled versions, oldest first.
func Versions() []Version { return []Version{V252, V257} }

// Newest is what scoring uses when no systemd is found.
func Newest() Version { return V257 }

func (v Version) String() string { return strconv.Itoa(int(v)) }

// semantics is what differs between versions; one row per version.
type semantics struct {
	version Version
	// offlineUnsetPrivateMountsIsGood: 257 keeps PrivateMounts= as a
	// tristate whose "unset" is -1, and its offline analyzer copies it into
	// a bool, so a unit that never says PrivateMounts= (or resets it) scores
	// as if it said yes; only an explicit "no" is bad. 252 stores a bool.
	offlineUnsetPrivateMountsIsGood bool
	syscalls                        func() *syscallTable // built on first use
}

func versionSemantics() []semantics {
	return []semantics{
		{version: V252, offlineUnsetPrivateMountsIsGood: false, syscalls: syscalls252},
		{version: V257, offlineUnsetPrivateMountsIsGood: true, syscalls: syscalls257},
	}
}

func semanticsOf(v Version) (semantics, error) {
	for _, s := range versionSemantics() {
		if s.version == v {
			return s, nil
		}
	}
	return semantics{}, fmt.Errorf("systemd version %d is not modelled (supported: %s)", int(v), supportedList())
}

func supportedList() string {
	var s []string
	for _, v := range Versions() {
		s = append(s, v.String())
	}
	return strings.Join(s, ", ")
}

var versionPattern = regexp.MustCompile(`^v?(\d+)([.~+-][0-9A-Za-z.~+-]*)?$`)

// ParseVersion accepts "252", "v257", "257.13" or a package version as
// PID 1 reports it over D-Bus ("252.39-1~deb12u2") and returns the
// modelled version with that major number.
func ParseVersion(s string) (Version, error) {
	m := versionPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, fmt.Errorf("parsing systemd version %q: want a number such as 252 or 257.13", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 0, fmt.Errorf("parsing systemd version %q: %w", s, err)
	}
	if _, err := semanticsOf(Version(n)); err != nil {
		return 0, err
	}
	return Version(n), nil
}

var versionLine = regexp.MustCompile(`^systemd (\d+)\b`)

// DetectVersion runs `systemd --version` (or `systemctl --version`) and
// returns the modelled version to score with: the installed one if
// modelled, else the newest modelled one not above it, else the newest.
// found is the installed major version, 0 if no systemd was found.
func DetectVersion(ctx context.Context) (v Version, found int) {
	for _, tool := range []string{"systemd", "systemctl"} {
		out, err := exec.CommandContext(ctx, tool, "--version").Output()
		if err != nil {
			continue
		}
		m := versionLine.FindStringSubmatch(strings.SplitN(string(out), "\n", 2)[0])
		if m == nil {
			continue
		}
		found, _ = strconv.Atoi(m[1])
		break
	}
	return nearestVersion(found), found
}

func nearestVersion(found int) Version {
	best := Version(0)
	for _, v := range Versions() {
		if int(v) <= found {
			best = v
		}
	}
	if best == 0 {
		return Newest()
	}
	return best
}
