package probes

import (
	"bufio"
	"fmt"
	"io"
	"path"
	"strings"
)

// mountEntry is one line of /proc/<pid>/mountinfo.
type mountEntry struct {
	Root       string // the mount's root inside its filesystem
	MountPoint string
	Options    []string // per-mount options: rw/ro, nosuid, nodev, noexec, ...
	FSType     string
	Source     string
	Super      []string // super-block options (hidepid=, subset=, ...)
}

// parseMountinfo reads mountinfo; name is used in errors (file:line).
func parseMountinfo(r io.Reader, name string) ([]mountEntry, error) {
	var out []mountEntry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		sep := -1
		for i, x := range f {
			if x == "-" && i >= 6 {
				sep = i
				break
			}
		}
		if len(f) < 10 || sep < 0 || len(f) < sep+4 {
			return nil, fmt.Errorf("%s:%d: malformed mountinfo line %q", name, line, sc.Text())
		}
		out = append(out, mountEntry{
			Root:       unescapeMount(f[3]),
			MountPoint: unescapeMount(f[4]),
			Options:    strings.Split(f[5], ","),
			FSType:     f[sep+1],
			Source:     unescapeMount(f[sep+2]),
			Super:      strings.Split(f[sep+3], ","),
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return out, nil
}

// unescapeMount undoes the kernel's octal escapes (\040 for a space, ...).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) && isOctal(s[i+1:i+4]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < '0' || s[i] > '7' {
			return false
		}
	}
	return true
}

// covering returns the mount that a path lives on: the last-mounted entry
// whose mount point is the path or one of its parents (later mounts on the
// same point shadow earlier ones, and mountinfo lists them in mount order).
func covering(mounts []mountEntry, p string) (mountEntry, bool) {
	p = path.Clean(p)
	best, found := mountEntry{}, false
	for _, m := range mounts {
		if !isUnder(p, m.MountPoint) {
			continue
		}
		if !found || len(m.MountPoint) >= len(best.MountPoint) {
			best, found = m, true
		}
	}
	return best, found
}

func isUnder(p, dir string) bool {
	return dir == "/" || p == dir || strings.HasPrefix(p, dir+"/")
}

func (m mountEntry) has(opt string) bool {
	for _, o := range m.Options {
		if o == opt {
			return true
		}
	}
	return false
}

func (m mountEntry) super(key string) string {
	for _, o := range m.Super {
		if k, v, ok := strings.Cut(o, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// MountPoint is the normalized view of the mount one key path lives on.
type MountPoint struct {
	Path       string `json:"path"`                  // the key path asked about
	MountPoint string `json:"mount_point,omitempty"` // where its mount is attached
	FSType     string `json:"fstype,omitempty"`
	Root       string `json:"root,omitempty"`  // the mount's root inside its filesystem
	Flags      string `json:"flags,omitempty"` // "ro|rw[,nosuid][,nodev][,noexec][,hidepid=X][,subset=Y]"
}

// summaryPaths are the places where hardening directives change mounts.
func summaryPaths() []string {
	return []string{
		"/", "/usr", "/etc", "/var", "/home", "/root", "/run/user", "/tmp", "/var/tmp",
		"/dev", "/proc", "/proc/sys", "/sys", "/sys/fs/cgroup", "/boot",
	}
}

// summarizeMounts normalizes mountinfo to the mounts covering summaryPaths.
func summarizeMounts(mounts []mountEntry) []MountPoint {
	paths := summaryPaths()
	out := make([]MountPoint, 0, len(paths))
	for _, p := range paths {
		m, ok := covering(mounts, p)
		if !ok {
			out = append(out, MountPoint{Path: p})
			continue
		}
		flags := []string{"rw"}
		if m.has("ro") {
			flags[0] = "ro"
		}
		for _, f := range [...]string{"nosuid", "nodev", "noexec"} {
			if m.has(f) {
				flags = append(flags, f)
			}
		}
		for _, k := range [...]string{"hidepid", "subset"} {
			if v := m.super(k); v != "" {
				flags = append(flags, k+"="+v)
			}
		}
		out = append(out, MountPoint{Path: p, MountPoint: m.MountPoint, FSType: m.FSType, Root: m.Root, Flags: strings.Join(flags, ",")})
	}
	return out
}
