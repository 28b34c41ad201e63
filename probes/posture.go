package probes

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// Posture is what a process sees of its sandbox. The probe reads its own
// (/proc/self); the harness reads the demo service's main PID from outside
// (/proc/<pid>) and compares the two with Diff.
type Posture struct {
	UID        int               `json:"uid"`
	EUID       int               `json:"euid"`
	GID        int               `json:"gid"`
	EGID       int               `json:"egid"`
	CapBnd     string            `json:"cap_bnd"` // hex, as in /proc/<pid>/status
	CapEff     string            `json:"cap_eff"`
	CapPrm     string            `json:"cap_prm"`
	CapAmb     string            `json:"cap_amb"`
	NoNewPrivs int               `json:"no_new_privs"`
	Seccomp    int               `json:"seccomp"` // 0 off, 1 strict, 2 filter
	Umask      string            `json:"umask,omitempty"`
	NS         map[string]uint64 `json:"ns"`                 // namespace inode per type
	Hostname   string            `json:"hostname,omitempty"` // only known for the reading process itself
	UIDMap     string            `json:"uid_map,omitempty"`  // first line of uid_map, normalized
	Mounts     []MountPoint      `json:"mounts"`
	TmpDev     uint64            `json:"tmp_dev"` // identity of /tmp as the process sees it
	TmpIno     uint64            `json:"tmp_ino"`
}

// namespaceTypes are the /proc/<pid>/ns entries a posture records: the
// types of systemd's "all" (not time: 252 and 257 give no unit a time
// namespace of its own).
func namespaceTypes() []string {
	var out []string
	for _, ns := range linux.NamespacesAll.Types() {
		out = append(out, ns.String())
	}
	return out
}

// ReadPosture reads the posture of the process whose /proc directory is
// procDir ("/proc/self", or "/proc/1234" from outside the sandbox).
func ReadPosture(procDir string) (Posture, error) {
	var p Posture
	if err := readStatus(filepath.Join(procDir, "status"), &p); err != nil {
		return Posture{}, err
	}
	p.NS = map[string]uint64{}
	for _, ns := range namespaceTypes() {
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(procDir, "ns", ns), &st); err != nil {
			// A kernel without this namespace type has no entry; that is
			// a fact to record (inode 0), not a failure.
			if os.IsNotExist(err) {
				continue
			}
			return Posture{}, fmt.Errorf("reading %s namespace of %s: %w", ns, procDir, err)
		}
		p.NS[ns] = st.Ino
	}
	mi := filepath.Join(procDir, "mountinfo")
	f, err := os.Open(mi)
	if err != nil {
		return Posture{}, fmt.Errorf("reading mounts of %s: %w", procDir, err)
	}
	mounts, err := parseMountinfo(f, mi)
	f.Close()
	if err != nil {
		return Posture{}, err
	}
	p.Mounts = summarizeMounts(mounts)
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(procDir, "root", "tmp"), &st); err != nil {
		return Posture{}, fmt.Errorf("reading the identity of /tmp seen by %s: %w", procDir, err)
	}
	p.TmpDev, p.TmpIno = st.Dev, st.Ino
	if b, err := os.ReadFile(filepath.Join(procDir, "uid_map")); err == nil {
		p.UIDMap = strings.Join(strings.Fields(firstLine(string(b))), " ")
	}
	if isSelf(procDir) {
		var u unix.Utsname
		if err := unix.Uname(&u); err == nil {
			p.Hostname = unix.ByteSliceToString(u.Nodename[:])
		}
	}
	return p, nil
}

// isSelf tells whether procDir is the calling process: the hostname lives in
// the UTS namespace and can only be read from inside it.
func isSelf(procDir string) bool {
	if filepath.Clean(procDir) == "/proc/self" {
		return true
	}
	return filepath.Base(procDir) == strconv.Itoa(os.Getpid())
}

func readStatus(name string, p *Posture) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("reading process status: %w", err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "Uid":
			p.UID, p.EUID, err = twoInts(val)
		case "Gid":
			p.GID, p.EGID, err = twoInts(val)
		case "CapBnd":
			p.CapBnd = val
		case "CapEff":
			p.CapEff = val
		case "CapPrm":
			p.CapPrm = val
		case "CapAmb":
			p.CapAmb = val
		case "NoNewPrivs":
			p.NoNewPrivs, err = strconv.Atoi(val)
		case "Seccomp":
			p.Seccomp, err = strconv.Atoi(val)
		case "Umask":
			p.Umask = val
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("%s:%d: parsing %s: %w", name, line, key, err)
		}
		seen[key] = true
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	for _, k := range []string{"Uid", "Gid", "CapBnd", "CapEff", "CapPrm", "NoNewPrivs", "Seccomp"} {
		if !seen[k] {
			return fmt.Errorf("%s: no %s field (kernel too old, or not a process status file)", name, k)
		}
	}
	return nil
}

// twoInts parses the real and effective ids of a "Uid:"/"Gid:" line.
func twoInts(s string) (int, int, error) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return 0, 0, fmt.Errorf("want real and effective ids, got %q", s)
	}
	a, err := strconv.Atoi(f[0])
	if err != nil {
		return 0, 0, err
	}
	b, err := strconv.Atoi(f[1])
	if err != nil {
		return 0, 0, err
	}
	return a, b, nil
}

// Difference is one posture field that differs between the probe and the
// service.
type Difference struct {
	Field     string `json:"field"`
	Probe     string `json:"probe"`
	Service   string `json:"service"`
	MustMatch bool   `json:"must_match"` // false: differs per process by systemd's design
	Why       string `json:"why"`
}

type postureField struct {
	name      string
	mustMatch bool
	why       string
	get       func(Posture) string
}

// postureFields is the table of what Diff compares and why.
func postureFields() []postureField {
	ns := func(t string) func(Posture) string {
		return func(p Posture) string { return strconv.FormatUint(p.NS[t], 10) }
	}
	return []postureField{
		{"cap_bnd", true, "same CapabilityBoundingSet= applies to every process of the profile", func(p Posture) string { return p.CapBnd }},
		{"cap_eff", true, "same user and capability settings give the same effective set", func(p Posture) string { return p.CapEff }},
		{"cap_prm", true, "same user and capability settings give the same permitted set", func(p Posture) string { return p.CapPrm }},
		{"cap_amb", true, "AmbientCapabilities= is the same", func(p Posture) string { return p.CapAmb }},
		{"no_new_privs", true, "NoNewPrivileges= (or a directive implying it) is the same", func(p Posture) string { return strconv.Itoa(p.NoNewPrivs) }},
		{"seccomp", true, "the same seccomp directives install a filter (mode 2) in both", func(p Posture) string { return strconv.Itoa(p.Seccomp) }},
		{"ns.net", true, "JoinsNamespaceOf= shares the network namespace", ns("net")},
		{"ns.ipc", true, "JoinsNamespaceOf= shares the IPC namespace", ns("ipc")},
		{"tmp", true, "JoinsNamespaceOf= shares the PrivateTmp= directory", func(p Posture) string { return fmt.Sprintf("%d:%d", p.TmpDev, p.TmpIno) }},
		{"mounts", true, "the same mount directives give the same mount table, even in separate mount namespaces", func(p Posture) string { return fmt.Sprint(p.Mounts) }},
		{"umask", true, "UMask= is the same", func(p Posture) string { return p.Umask }},
		{"ns.mnt", false, "systemd sets up a mount namespace per spawned process; compare the mount summary instead", ns("mnt")},
		{"ns.uts", false, "ProtectHostname= gives each process its own UTS namespace", ns("uts")},
		{"ns.user", false, "PrivateUsers= gives each unit its own user namespace", ns("user")},
		{"ns.pid", false, "systemd 252 does not share a PID namespace between units", ns("pid")},
		{"ns.cgroup", false, "cgroup namespaces follow the unit, not the profile", ns("cgroup")},
		{"uid", false, "DynamicUser= allocates a user per unit", func(p Posture) string { return fmt.Sprintf("%d/%d", p.UID, p.EUID) }},
		{"gid", false, "DynamicUser= allocates a group per unit", func(p Posture) string { return fmt.Sprintf("%d/%d", p.GID, p.EGID) }},
		{"uid_map", false, "each private user namespace is mapped per unit", func(p Posture) string { return p.UIDMap }},
	}
}

// Diff lists the fields in which the probe's posture differs from the
// service's; a difference with MustMatch set means the probe did not run in
// the service's sandbox. The hostname is not compared: it can only be read
// from inside the process's UTS namespace.
func Diff(probe, service Posture) []Difference {
	var out []Difference
	for _, f := range postureFields() {
		a, b := f.get(probe), f.get(service)
		if a != b {
			out = append(out, Difference{Field: f.name, Probe: a, Service: b, MustMatch: f.mustMatch, Why: f.why})
		}
	}
	return out
}
