package directive

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// plainRow is one directive that only needs passing to systemd: its value
// changes nothing hardenlab models, so one converter (its kind) parses,
// validates, sends and reads it back. The names, signatures and
// conversions follow systemd's own client-side converter, bus-unit-util.c
// of 252 and 257.
type plainRow struct {
	Name    string
	Props   []string // D-Bus properties, one per kind.sigs entry
	Kind    plainKind
	Example string // a typical value, valid on its own
	// Since is the first release that knows the key (0: every release
	// hardenlab models), as Spec.Since is for the security directives.
	Since int
	// noReadback names properties PID 1 does not report as sent (a
	// percentage it turns into bytes, a symlink list it keeps elsewhere).
	noReadback []string
}

// PlainDirective describes a row of the plain table for help texts and
// tests outside the package.
type PlainDirective struct {
	Name       string
	Properties []string
	Signatures []string
	Kind       string
	Example    string
	Since      int
}

// PlainDirectives lists the plain table, sorted by name.
func PlainDirectives() []PlainDirective {
	var out []PlainDirective
	for _, r := range plainTable() {
		out = append(out, PlainDirective{Name: r.Name, Properties: slices.Clone(r.Props), Signatures: slices.Clone(r.Kind.sigs),
			Kind: r.Kind.name, Example: r.Example, Since: r.Since})
	}
	return out
}

func lookupPlain(name string) (plainRow, bool) {
	i, ok := slices.BinarySearchFunc(plainTable(), name, func(r plainRow, n string) int { return strings.Compare(r.Name, n) })
	if !ok {
		return plainRow{}, false
	}
	return plainTable()[i], true
}

var plainTable = sync.OnceValue(func() []plainRow {
	t := plainRows()
	slices.SortFunc(t, func(a, b plainRow) int { return strings.Compare(a.Name, b.Name) })
	return t
})

func row(name string, k plainKind, example string) plainRow {
	return plainRow{Name: name, Props: []string{name}, Kind: k, Example: example}
}

// rowUSec is a *Sec= time span, sent as the *USec property.
func rowUSec(name, example string) plainRow {
	return plainRow{Name: name, Props: []string{strings.TrimSuffix(name, "Sec") + "USec"}, Kind: kindTimeSpan(1e6, 1), Example: example}
}

func rowLimit(name string, counting bool, example string) plainRow {
	return plainRow{Name: name, Props: []string{name, name + "Scale"}, Kind: kindLimit(counting), Example: example, noReadback: []string{name + "Scale"}}
}

func rowRlimit(name string, unit func(string) (uint64, error), example string) plainRow {
	return plainRow{Name: name, Props: []string{name, name + "Soft"}, Kind: kindRlimit(unit), Example: example}
}

func rowStdio(name, example string, words ...string) plainRow {
	props := []string{name, name + "FileDescriptorName", name + "File", name + "FileToAppend", name + "FileToTruncate"}
	return plainRow{Name: name, Props: props, Kind: kindStdio(words...), Example: example, noReadback: props[1:]}
}

func rowDirectory(name, example string) plainRow {
	return plainRow{Name: name, Props: []string{name, name + "Symlink"}, Kind: kindDirectories(), Example: example, noReadback: []string{name + "Symlink"}}
}

// unread marks every property as one PID 1 reports differently than sent
// (a filter it expands and merges).
func (r plainRow) unread() plainRow {
	r.noReadback = r.Props
	return r
}

func (r plainRow) since(release int) plainRow {
	r.Since = release
	return r
}

func checkSlice(v string) error {
	if !strings.HasSuffix(v, ".slice") || strings.ContainsAny(v, "/ ") || len(v) > 255 {
		return fmt.Errorf("%q is not a slice unit name (NAME.slice)", v)
	}
	return nil
}

// plainRows is the table; every name is a [Service] key of 252 or 257
// (checked by the tests).
func plainRows() []plainRow {
	bools := []string{
		"IgnoreSIGPIPE", "TTYVHangup", "TTYReset", "TTYVTDisallocate", "SyslogLevelPrefix", "MountAPIVFS",
		"CPUSchedulingResetOnFork", "PermissionsStartOnly", "RootDirectoryStartOnly", "RemainAfterExit",
		"GuessMainPID", "SendSIGHUP", "SendSIGKILL", "CPUAccounting", "MemoryAccounting", "IOAccounting",
		"BlockIOAccounting", "TasksAccounting", "IPAccounting", "NonBlocking",
	}
	var t []plainRow
	for _, b := range bools {
		r := row(b, kindBool(), "yes")
		if b == "PermissionsStartOnly" {
			r = r.unread() // PID 1 turns it into "+" prefixes and has no such property
		}
		t = append(t, r)
	}
	for _, b := range []string{"BindLogSockets", "CoredumpReceive", "MemoryKSM", "MemoryZSwapWriteback", "RootEphemeral", "SetLoginEnvironment"} {
		t = append(t, row(b, kindBool(), "yes").since(257))
	}
	// PID 1 of 257 takes PrivatePIDs= as a string ("yes"/"no"), not "b".
	t = append(t, row("PrivatePIDs", kindEnumBool("no", "yes"), "yes").since(257))
	// TimeoutStartSec=, TimeoutStopSec= and TimeoutSec= read 0 as
	// "no timeout" (config_parse_sec_fix_0); systemd-run would send a
	// literal 0, so hardenlab sends what the unit file means.
	t = append(t,
		plainRow{Name: "TimeoutStartSec", Props: []string{"TimeoutStartUSec"}, Kind: kindTimeSpanFix0(1), Example: "1min 30s"},
		plainRow{Name: "TimeoutStopSec", Props: []string{"TimeoutStopUSec"}, Kind: kindTimeSpanFix0(1), Example: "20s"},
		plainRow{Name: "TimeoutSec", Props: []string{"TimeoutStartUSec", "TimeoutStopUSec"}, Kind: kindTimeSpanFix0(2), Example: "30s"},
	)
	for _, s := range []struct{ name, example string }{
		{"RestartSec", "5s"}, {"TimeoutAbortSec", "10s"},
		{"RuntimeMaxSec", "1h"}, {"RuntimeRandomizedExtraSec", "5min"}, {"WatchdogSec", "3min"},
		{"LogRateLimitIntervalSec", "30s"}, {"CPUQuotaPeriodSec", "10ms"},
	} {
		t = append(t, rowUSec(s.name, s.example))
	}
	t = append(t,
		rowUSec("RestartMaxDelaySec", "1min").since(257),
		rowUSec("MemoryPressureThresholdSec", "200ms").since(257),
		rowUSec("ManagedOOMMemoryPressureDurationSec", "30s").since(257),
		row("TimerSlackNSec", kindNsec(), "50us"),
	)
	for _, s := range []struct{ name, example string }{
		{"ExecCondition", "/usr/bin/test -d /srv"}, {"ExecStartPre", "-/bin/mkdir -p /run/demo"}, {"ExecStartPost", "/bin/true"},
		{"ExecReload", "/bin/kill -HUP $MAINPID"}, {"ExecStopPost", "/bin/true"},
	} {
		t = append(t, plainRow{Name: s.name, Props: []string{s.name + "Ex"}, Kind: kindCommands(), Example: s.example})
	}
	for _, s := range []string{"StateDirectory", "RuntimeDirectory", "CacheDirectory", "LogsDirectory"} {
		t = append(t, rowDirectory(s, "demo"))
	}
	for _, s := range []string{"StateDirectoryMode", "RuntimeDirectoryMode", "CacheDirectoryMode", "LogsDirectoryMode", "ConfigurationDirectoryMode"} {
		t = append(t, row(s, kindMode(), "0750"))
	}
	t = append(t, row("ConfigurationDirectory", kindStrings(unquote, func(p string) error { _, err := checkRelativeDirectory(p); return err }), "demo"))
	t = append(t, rlimitRows()...)
	t = append(t, cgroupRows()...)
	t = append(t, serviceRows()...)
	t = append(t, execRows()...)
	t = append(t, ioRows()...)
	t = append(t, structuredRows()...)
	return t
}

// structuredRows are the settings whose values have a structure of their
// own (device lists, CPU sets, images, BPF programs), one converter each.
func structuredRows() []plainRow {
	return []plainRow{
		row("IODeviceWeight", kindDeviceList(ioWeight(1, 10000)), "/dev/null 100"),
		row("IOReadBandwidthMax", kindDeviceList(ioLimit("BYTES", false)), "/dev/null 1M"),
		row("IOWriteBandwidthMax", kindDeviceList(ioLimit("BYTES", false)), "/dev/null 2M"),
		row("IOReadIOPSMax", kindDeviceList(ioLimit("IOPS", false)), "/dev/null 1K"),
		row("IOWriteIOPSMax", kindDeviceList(ioLimit("IOPS", false)), "/dev/null 500"),
		plainRow{Name: "IODeviceLatencyTargetSec", Props: []string{"IODeviceLatencyTargetUSec"}, Kind: kindDeviceList(ioLatency()), Example: "/dev/null 25ms"},
		row("BlockIODeviceWeight", kindDeviceList(ioWeight(10, 1000)), "/dev/null 500"),
		row("BlockIOReadBandwidth", kindDeviceList(ioLimit("BYTES", true)), "/dev/null 1M"),
		row("BlockIOWriteBandwidth", kindDeviceList(ioLimit("BYTES", true)), "/dev/null 2M"),
		row("AllowedCPUs", kindCPUSet(nil), "0"),
		row("StartupAllowedCPUs", kindCPUSet(nil), "0"),
		row("AllowedMemoryNodes", kindCPUSet(nil), "0"),
		row("StartupAllowedMemoryNodes", kindCPUSet(nil), "0"),
		plainRow{Name: "CPUAffinity", Props: []string{"CPUAffinity", "CPUAffinityFromNUMA"}, Kind: kindCPUAffinity(), Example: "0"},
		row("NUMAPolicy", kindNamed(map[string]int32{"default": 0, "preferred": 1, "bind": 2, "interleave": 3, "local": 4}, false, 0), "local"),
		row("NUMAMask", kindCPUSet(numaNodes), "all"),
		row("CoredumpFilter", kindCoredumpFilter(), "default shared-dax"),
		row("SocketBindAllow", kindSocketBind(), "ipv4:tcp:8080-8089"),
		row("SocketBindDeny", kindSocketBind(), "any"),
		row("BPFProgram", kindBPFProgram(), "egress:/sys/fs/bpf/hardenlab-egress"),
		row("NFTSet", kindNFTSet(), "cgroup:inet:filter:hardenlab").since(257),
		row("OpenFile", kindOpenFile(), "/etc/os-release:osrelease:read-only").since(257),
		plainRow{Name: "RootHash", Props: []string{"RootHash", "RootHashPath"}, Kind: kindRootHash(), Example: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},
		plainRow{Name: "RootHashSignature", Props: []string{"RootHashSignature", "RootHashSignaturePath"}, Kind: kindRootHashSignature(), Example: "/var/lib/hardenlab-image.roothash.p7s"},
		row("RootImageOptions", kindRootImageOptions(), "root:ro,nosuid usr:nodev"),
		row("MountImages", kindMountImages(), "-/var/lib/hardenlab-image.raw:/mnt/image:root:ro"),
		row("ExtensionImages", kindExtensionImages(), "-/var/lib/hardenlab-ext.raw:root:nosuid"),
	}
}

func rlimitRows() []plainRow {
	var t []plainRow
	for _, n := range []string{"AS", "CORE", "DATA", "FSIZE", "MEMLOCK", "MSGQUEUE", "RSS", "STACK"} {
		t = append(t, rowRlimit("Limit"+n, parseSize, "64M"))
	}
	for _, n := range []string{"LOCKS", "NOFILE", "NPROC", "RTPRIO", "SIGPENDING"} {
		t = append(t, rowRlimit("Limit"+n, rlimitCount, "1024:4096"))
	}
	return append(t,
		rowRlimit("LimitCPU", rlimitSeconds, "1h"),
		rowRlimit("LimitRTTIME", rlimitMicroseconds, "10ms"),
		rowRlimit("LimitNICE", rlimitNice, "-5"),
	)
}

func cgroupRows() []plainRow {
	var t []plainRow
	for _, n := range []string{"MemoryMin", "DefaultMemoryLow", "DefaultMemoryMin", "MemoryLow", "MemoryHigh", "MemoryMax", "MemorySwapMax", "MemoryLimit"} {
		t = append(t, rowLimit(n, false, "512M"))
	}
	for _, n := range []string{"MemoryZSwapMax", "DefaultStartupMemoryLow", "StartupMemoryHigh", "StartupMemoryLow", "StartupMemoryMax", "StartupMemorySwapMax", "StartupMemoryZSwapMax"} {
		t = append(t, rowLimit(n, false, "512M").since(257))
	}
	t = append(t, rowLimit("TasksMax", true, "64"))
	for _, w := range []struct {
		name     string
		min, max int64
	}{
		{"CPUWeight", 1, 10000}, {"StartupCPUWeight", 1, 10000}, {"IOWeight", 1, 10000}, {"StartupIOWeight", 1, 10000},
		{"CPUShares", 2, 262144}, {"StartupCPUShares", 2, 262144}, {"BlockIOWeight", 10, 1000}, {"StartupBlockIOWeight", 10, 1000},
	} {
		t = append(t, row(w.name, kindWeight(w.min, w.max), "100"))
	}
	return append(t,
		plainRow{Name: "CPUQuota", Props: []string{"CPUQuotaPerSecUSec"}, Kind: kindCPUQuota(), Example: "50%"},
		row("Slice", kindString(checkSlice), "demo.slice"),
		row("ManagedOOMSwap", kindEnum("auto", "kill"), "kill"),
		row("ManagedOOMMemoryPressure", kindEnum("auto", "kill"), "kill"),
		row("ManagedOOMPreference", kindEnum("none", "avoid", "omit"), "avoid"),
		row("ManagedOOMMemoryPressureLimit", kindScale(), "50%"),
		row("DisableControllers", kindStrings(unquote, nil), "io"),
		row("IPIngressFilterPath", kindStrings(unquote, func(p string) error { _, err := normalizePath(p); return err }), "/sys/fs/bpf/ingress"),
		row("IPEgressFilterPath", kindStrings(unquote, func(p string) error { _, err := normalizePath(p); return err }), "/sys/fs/bpf/egress"),
		row("MemoryPressureWatch", kindEnumBool("no", "yes", "auto", "skip"), "off").since(257),
		row("DelegateSubgroup", kindString(nil), "supervisor").since(257),
	)
}

func serviceRows() []plainRow {
	return []plainRow{
		row("PIDFile", kindPath(), "/run/demo.pid"),
		row("ExitType", kindEnum("main", "cgroup"), "cgroup"),
		row("Restart", kindEnum("no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"), "on-failure"),
		row("RestartMode", kindEnum("normal", "direct", "debug"), "direct").since(257),
		row("RestartSteps", kindUint32(1<<32-1), "5").since(257),
		row("BusName", kindString(nil), "org.example.Demo"),
		row("USBFunctionDescriptors", kindPath(), "/etc/usb/descriptors"),
		row("USBFunctionStrings", kindPath(), "/etc/usb/strings"),
		row("OOMPolicy", kindEnum("continue", "stop", "kill"), "stop"),
		row("TimeoutStartFailureMode", kindEnum("terminate", "abort", "kill"), "kill"),
		row("TimeoutStopFailureMode", kindEnum("terminate", "abort", "kill"), "kill"),
		row("FileDescriptorStoreMax", kindUint32(1<<32-1), "16"),
		row("FileDescriptorStorePreserve", kindEnumBool("no", "yes", "restart"), "yes").since(257),
		row("RestartPreventExitStatus", kindExitStatus(), "23 SIGABRT"),
		row("RestartForceExitStatus", kindExitStatus(), "75"),
		row("SuccessExitStatus", kindExitStatus(), "143 SIGTERM"),
		row("KillMode", kindEnum("control-group", "process", "mixed", "none"), "mixed"),
		row("KillSignal", kindSignal(), "SIGINT"),
		row("RestartKillSignal", kindSignal(), "SIGINT"),
		row("FinalKillSignal", kindSignal(), "SIGKILL"),
		row("WatchdogSignal", kindSignal(), "SIGABRT"),
		row("ReloadSignal", kindSignal(), "SIGUSR1").since(257),
	}
}

// execRows are the execution-context settings of bus_append_execute_property.
func execRows() []plainRow {
	logLevels := map[string]int32{"emerg": 0, "alert": 1, "crit": 2, "err": 3, "warning": 4, "notice": 5, "info": 6, "debug": 7}
	facilities := map[string]int32{"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
		"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "local0": 16, "local1": 17, "local2": 18, "local3": 19,
		"local4": 20, "local5": 21, "local6": 22, "local7": 23}
	return []plainRow{
		row("UtmpIdentifier", kindString(nil), "tty1"),
		row("UtmpMode", kindEnum("init", "login", "user"), "login"),
		row("PAMName", kindString(nil), "login"),
		row("TTYPath", kindPath(), "/dev/tty1"),
		row("SyslogIdentifier", kindString(nil), "demo"),
		row("SELinuxContext", kindIgnorableString(), "-system_u:system_r:demo_t:s0"),
		row("RootVerity", kindPath(), "/var/lib/demo.verity"),
		row("RuntimeDirectoryPreserve", kindEnumBool("no", "yes", "restart"), "restart"),
		row("Personality", kindEnum("x86", "x86-64"), "x86-64"),
		row("NetworkNamespacePath", kindPath(), "/run/netns/demo"),
		row("IPCNamespacePath", kindPath(), "/run/ipcns/demo"),
		row("LogNamespace", kindString(nil), "demo"),
		row("ExtensionImagePolicy", kindString(nil), "root=verity").since(257),
		row("MountImagePolicy", kindString(nil), "root=verity").since(257),
		row("RootImagePolicy", kindString(nil), "root=verity").since(257),
		row("ExecPaths", kindStrings(unquote, nil), "/usr/bin"),
		row("NoExecPaths", kindStrings(unquote, nil), "/tmp"),
		row("ExecSearchPath", kindStrings(unquote, nil), "/usr/local/bin"),
		row("ExtensionDirectories", kindStrings(unquote, nil), "/var/lib/extensions/demo"),
		row("SyslogLevel", kindNamed(logLevels, true, 7), "info"),
		row("LogLevelMax", kindNamed(logLevels, true, 7), "notice"),
		row("SyslogFacility", kindNamed(facilities, true, 23), "daemon"),
		row("SecureBits", kindSecureBits(), "keep-caps noroot"),
		row("CPUSchedulingPolicy", kindNamed(map[string]int32{"other": 0, "fifo": 1, "rr": 2, "batch": 3, "idle": 5}, false, 0), "batch"),
		row("CPUSchedulingPriority", kindInt32(0, 99), "0"),
		row("OOMScoreAdjust", kindInt32(-1000, 1000), "500"),
		row("Nice", kindInt32(-20, 19), "5"),
		row("IOSchedulingClass", kindNamed(map[string]int32{"none": 0, "realtime": 1, "best-effort": 2, "idle": 3}, true, 3), "best-effort"),
		row("IOSchedulingPriority", kindInt32(0, 7), "4"),
		row("LogRateLimitBurst", kindUint32(1<<32-1), "1000"),
		row("TTYRows", kindUint32(65535), "25"),
		row("TTYColumns", kindUint32(65535), "80"),
		row("MountFlags", kindMountFlags(), "slave"),
	}
}

// ioRows are the environment, credential and standard I/O settings of
// bus_append_execute_property.
func ioRows() []plainRow {
	return []plainRow{
		row("UnsetEnvironment", kindStrings(unquote|cunescape, nil), "LANG"),
		row("PassEnvironment", kindStrings(unquote|cunescape, nil), "LANG TERM"),
		plainRow{Name: "EnvironmentFile", Props: []string{"EnvironmentFiles"}, Kind: kindEnvironmentFiles(), Example: "-/etc/default/demo"},
		row("LoadCredential", kindCredentials(), "token:/etc/demo/token"),
		row("LoadCredentialEncrypted", kindCredentials(), "token:/etc/demo/token.cred"),
		plainRow{Name: "ImportCredential", Props: []string{"ImportCredentialEx"}, Kind: kindImportCredentials(), Example: "tty.console.login.*:login."}.since(257),
		row("SetCredential", kindSetCredential(false), "greeting:hello"),
		row("SetCredentialEncrypted", kindSetCredential(true), "token:aGVsbG8="),
		row("LogExtraFields", kindLogFields(), "DEMO=1"),
		rowStdio("StandardInput", "null", "null", "tty", "tty-force", "tty-fail", "data", "socket"),
		rowStdio("StandardOutput", "journal", "inherit", "null", "tty", "journal", "kmsg", "journal+console", "kmsg+console", "socket"),
		rowStdio("StandardError", "journal", "inherit", "null", "tty", "journal", "kmsg", "journal+console", "kmsg+console", "socket"),
		// PID 1 takes only StandardInputData; systemd-run's
		// StandardInputText property is refused by 252.
		plainRow{Name: "StandardInputText", Props: []string{"StandardInputData"}, Kind: kindBytes(false), Example: "hello"},
		row("StandardInputData", kindBytes(true), "aGVsbG8K"),
		row("AppArmorProfile", kindLabel(), "-demo"),
		row("SmackProcessLabel", kindLabel(), "-demo"),
		row("BindPaths", kindBindPaths(), "-/srv/demo:/srv/www:norbind"),
		row("BindReadOnlyPaths", kindBindPaths(), "/usr/share/doc"),
		row("TemporaryFileSystem", kindTemporaryFileSystem(), "/var:ro"),
		row("SystemCallLog", kindAllowList(), "@privileged").unread(),
		row("RestrictFileSystems", kindAllowList(), "~ext4").unread(),
		row("RestrictNetworkInterfaces", kindAllowList(), "lo").unread(),
	}
}
