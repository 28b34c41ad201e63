package systemd

import "strconv"

// ExitStatus is one name systemd gives a main process's exit status
// (systemd-analyze exit-status): the libc, LSB and BSD conventions, and
// systemd's own 200-255 for a failure while setting up the sandbox
// (226/NAMESPACE, 228/SECCOMP, ...).
type ExitStatus struct {
	Status int
	Name   string
	Class  string // "libc", "LSB", "BSD" or "systemd"
}

// ExitStatuses is systemd 257's table; 252's is the same without KSM.
func ExitStatuses() []ExitStatus {
	return []ExitStatus{
		{0, "SUCCESS", "libc"},
		{1, "FAILURE", "libc"},
		{2, "INVALIDARGUMENT", "LSB"},
		{3, "NOTIMPLEMENTED", "LSB"},
		{4, "NOPERMISSION", "LSB"},
		{5, "NOTINSTALLED", "LSB"},
		{6, "NOTCONFIGURED", "LSB"},
		{7, "NOTRUNNING", "LSB"},
		{64, "USAGE", "BSD"},
		{65, "DATAERR", "BSD"},
		{66, "NOINPUT", "BSD"},
		{67, "NOUSER", "BSD"},
		{68, "NOHOST", "BSD"},
		{69, "UNAVAILABLE", "BSD"},
		{70, "SOFTWARE", "BSD"},
		{71, "OSERR", "BSD"},
		{72, "OSFILE", "BSD"},
		{73, "CANTCREAT", "BSD"},
		{74, "IOERR", "BSD"},
		{75, "TEMPFAIL", "BSD"},
		{76, "PROTOCOL", "BSD"},
		{77, "NOPERM", "BSD"},
		{78, "CONFIG", "BSD"},
		{200, "CHDIR", "systemd"},
		{201, "NICE", "systemd"},
		{202, "FDS", "systemd"},
		{203, "EXEC", "systemd"},
		{204, "MEMORY", "systemd"},
		{205, "LIMITS", "systemd"},
		{206, "OOM_ADJUST", "systemd"},
		{207, "SIGNAL_MASK", "systemd"},
		{208, "STDIN", "systemd"},
		{209, "STDOUT", "systemd"},
		{210, "CHROOT", "systemd"},
		{211, "IOPRIO", "systemd"},
		{212, "TIMERSLACK", "systemd"},
		{213, "SECUREBITS", "systemd"},
		{214, "SETSCHEDULER", "systemd"},
		{215, "CPUAFFINITY", "systemd"},
		{216, "GROUP", "systemd"},
		{217, "USER", "systemd"},
		{218, "CAPABILITIES", "systemd"},
		{219, "CGROUP", "systemd"},
		{220, "SETSID", "systemd"},
		{221, "CONFIRM", "systemd"},
		{222, "STDERR", "systemd"},
		{224, "PAM", "systemd"},
		{225, "NETWORK", "systemd"},
		{226, "NAMESPACE", "systemd"},
		{227, "NO_NEW_PRIVILEGES", "systemd"},
		{228, "SECCOMP", "systemd"},
		{229, "SELINUX_CONTEXT", "systemd"},
		{230, "PERSONALITY", "systemd"},
		{231, "APPARMOR", "systemd"},
		{232, "ADDRESS_FAMILIES", "systemd"},
		{233, "RUNTIME_DIRECTORY", "systemd"},
		{235, "CHOWN", "systemd"},
		{236, "SMACK_PROCESS_LABEL", "systemd"},
		{237, "KEYRING", "systemd"},
		{238, "STATE_DIRECTORY", "systemd"},
		{239, "CACHE_DIRECTORY", "systemd"},
		{240, "LOGS_DIRECTORY", "systemd"},
		{241, "CONFIGURATION_DIRECTORY", "systemd"},
		{242, "NUMA_POLICY", "systemd"},
		{243, "CREDENTIALS", "systemd"},
		{244, "BPF", "systemd"},
		{245, "KSM", "systemd"},
		{255, "EXCEPTION", "systemd"},
	}
}

// ExitStatusName names a status as systemd does ("226/NAMESPACE"), or
// gives the bare number when systemd has no name for it.
func ExitStatusName(status int) string {
	for _, e := range ExitStatuses() {
		if e.Status == status {
			return strconv.Itoa(status) + "/" + e.Name
		}
	}
	return strconv.Itoa(status)
}
