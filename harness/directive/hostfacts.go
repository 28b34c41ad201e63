package directive

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// systemdArchitectures maps Go's GOARCH to systemd's architecture names
// (the %a and ConditionArchitecture= words).
var systemdArchitectures = map[string]string{
	"amd64": "x86-64", "386": "x86", "arm64": "arm64", "arm": "arm", "ppc64le": "ppc64-le",
	"ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64", "mips64le": "mips64-le", "loong64": "loongarch64",
}

// The files of a root its host facts come from.
const (
	machineIDFile   = "etc/machine-id"
	osReleaseFile   = "etc/os-release"
	osReleaseVendor = "usr/lib/os-release" // when etc/os-release is missing
	passwdFile      = "etc/passwd"         // root's shell
	machineInfoFile = "etc/machine-info"   // the pretty host name
)

// HostFactFiles are the files, relative to a root, that ReadHostFacts
// reads: a copy of a root that holds them expands specifiers the same.
func HostFactFiles() []string {
	return []string{machineIDFile, osReleaseFile, osReleaseVendor, passwdFile, machineInfoFile}
}

// ReadHostFacts gathers the specifier values of a system manager whose
// root is root ("/" for this machine): the files under the root give the
// machine ID, os-release, pretty hostname and root's shell; the running
// kernel gives the rest, as it does for systemd-analyze --offline, which
// runs on this kernel too. A missing file leaves its values empty, as
// systemd expands a missing os-release field.
func ReadHostFacts(root string) HostFacts {
	h := HostFacts{
		Architecture: systemdArchitectures[runtime.GOARCH],
		UserName:     "root", UID: "0", GroupName: "root", GID: "0", Home: "/root",
		BootID:    readFirstLine("/proc/sys/kernel/random/boot_id"),
		MachineID: readFirstLine(filepath.Join(root, machineIDFile)),
		OSRelease: readEnvLike(filepath.Join(root, osReleaseFile)),
		Shell:     rootShell(filepath.Join(root, passwdFile)),
	}
	if len(h.OSRelease) == 0 {
		h.OSRelease = readEnvLike(filepath.Join(root, osReleaseVendor))
	}
	h.PrettyHostname = readEnvLike(filepath.Join(root, machineInfoFile))["PRETTY_HOSTNAME"]
	h.BootID = strings.ReplaceAll(h.BootID, "-", "")
	if name, err := os.Hostname(); err == nil {
		h.Hostname = name
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		h.KernelRelease = unix.ByteSliceToString(u.Release[:])
	}
	return h
}

func readFirstLine(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line)
}

// readEnvLike reads KEY=value lines (os-release, machine-info), removing
// one level of quotes; it is enough for the single words these files hold.
func readEnvLike(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		out[k] = v
	}
	return out
}

// rootShell is the shell of UID 0 in the root's passwd; systemd falls back
// to /bin/sh.
func rootShell(passwd string) string {
	f, err := os.Open(passwd)
	if err != nil {
		return "/bin/sh"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), ":")
		if len(fields) == 7 && fields[2] == "0" && fields[6] != "" {
			return fields[6]
		}
	}
	return "/bin/sh"
}
