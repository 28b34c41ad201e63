//go:build e2e

package e2e

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/rootfs"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

// readbackEntries has one entry per supported [Service] directive, built
// from the directive table itself so that a directive added to the table is
// tested here without anyone remembering to.
func readbackEntries() []TableEntry {
	var entries []TableEntry
	for _, s := range directive.Specs() {
		if s.Section != "Service" || s.Name == "ExecStart" {
			continue // ExecStart is always the demo's; its readback is checked in every run
		}
		entries = append(entries, Entry(s.Name+"="+s.Example, s.Name, s.Example))
	}
	return entries
}

var _ = Describe("every supported directive", Label("readback"), func() {
	var runner *run.Runner

	BeforeEach(func(ctx SpecContext) {
		var err error
		runner, err = run.New(ctx, shared, run.Options{RunID: "rb" + randomSuffix(), Timeout: 30 * time.Second, ReadyTimeout: 5 * time.Second, SkipProbes: true, Analyze: run.AnalyzeAll})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(runner.Close(ctx)).To(Succeed()) })
	})

	DescribeTable("reads back from a running unit as the unit file meant it",
		func(ctx SpecContext, name, value string) {
			src := directive.Source{File: "readback.service", Line: 1}
			a, err := directive.ParseAssignment(name+"="+value, src)
			Expect(err).NotTo(HaveOccurred())
			exec, err := directive.ParseAssignment("ExecStart=/usr/bin/python3 -m http.server", src)
			Expect(err).NotTo(HaveOccurred())
			assigns := []directive.Assignment{exec, a}
			s, err := directive.Resolve(assigns, true)
			Expect(err).NotTo(HaveOccurred())
			rec := runner.Run(ctx, run.Profile{Name: "readback-" + name, Assignments: assigns, Settings: s})
			AddReportEntry("record", rec, ReportEntryVisibilityNever)
			Expect(rec.Error).To(BeEmpty())
			Expect(rec.Readback).To(BeEmpty(), "systemd stored %s=%s differently", name, value)
			// The running unit is also an online parity check of the scorer.
			Expect(rec.Score.Error).To(BeEmpty())
			Expect(rec.Score.Source).To(Equal("systemd-analyze"))
			Expect(rec.Score.Disagreements).To(BeEmpty(), "scorer vs systemd-analyze for %s=%s", name, value)
		},
		readbackEntries(),
	)
})

// plainUnit sets many plain directives at once, each of a different
// converter; systemd must report every one of them as sent.
var plainUnit = []string{
	"ExecStart=/usr/bin/python3 -m http.server",
	"Restart=on-failure", "RestartSec=5s", "TimeoutStartSec=1min 30s", "TimeoutStopSec=20s", "WatchdogSec=0",
	"RuntimeMaxSec=1h", "KillMode=mixed", "KillSignal=SIGINT", "FinalKillSignal=SIGKILL", "SendSIGHUP=yes",
	"SuccessExitStatus=143 SIGTERM DATAERR", "RestartPreventExitStatus=23", "RemainAfterExit=no", "GuessMainPID=yes",
	"StateDirectory=hardenlab-rb", "StateDirectoryMode=0750", "RuntimeDirectory=hardenlab-rb", "RuntimeDirectoryPreserve=no",
	"CacheDirectory=hardenlab-rb", "LogsDirectory=hardenlab-rb",
	"LimitNOFILE=1024:4096", "LimitCORE=0", "LimitNPROC=infinity", "LimitCPU=1h", "LimitNICE=-5",
	"MemoryMax=512M", "MemoryHigh=infinity", "TasksMax=64", "CPUQuota=150%", "CPUWeight=100", "IOWeight=200",
	"MemoryAccounting=yes", "TasksAccounting=yes",
	"Nice=5", "OOMScoreAdjust=500", "IOSchedulingClass=best-effort", "IOSchedulingPriority=4", "CPUSchedulingPolicy=batch",
	"SyslogIdentifier=hardenlab-rb", "SyslogLevel=info", "SyslogFacility=daemon", "StandardOutput=journal", "StandardError=journal",
	"UnsetEnvironment=LANG", "PassEnvironment=TERM", "EnvironmentFile=-/etc/default/hardenlab-nonexistent",
	"LoadCredential=osrelease:/usr/lib/os-release", "ExecStartPre=-/bin/true", "ExecReload=/bin/kill -HUP $MAINPID",
	"TimerSlackNSec=50us", "IgnoreSIGPIPE=no", "FileDescriptorStoreMax=4", "OOMPolicy=stop", "PIDFile=/run/hardenlab-rb.pid",
}

var _ = Describe("plain directives", Label("readback"), func() {
	It("read back from one running unit exactly as sent", func(ctx SpecContext) {
		runner, err := run.New(ctx, shared, run.Options{RunID: "rbp" + randomSuffix(), Timeout: 30 * time.Second, ReadyTimeout: 10 * time.Second, SkipProbes: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(runner.Close(ctx)).To(Succeed()) })
		var assigns []directive.Assignment
		for i, l := range plainUnit {
			a, err := directive.ParseAssignment(l, directive.Source{File: "plain.service", Line: i + 1})
			Expect(err).NotTo(HaveOccurred())
			assigns = append(assigns, a)
		}
		s, err := directive.Resolve(assigns, true)
		Expect(err).NotTo(HaveOccurred())
		rec := runner.Run(ctx, run.Profile{Name: "readback-plain", Assignments: assigns, Settings: s})
		AddReportEntry("record", rec, ReportEntryVisibilityNever)
		Expect(rec.Error).To(BeEmpty())
		Expect(rec.Behavior.Started).To(BeTrue(), "%v", rec.Behavior.JournalTail)
		Expect(rec.Readback).To(BeEmpty())
	})
})

// plainEntries has one entry per row of the plain table, so that a row
// added to the table is sent to a real systemd here.
func plainEntries() []TableEntry {
	var entries []TableEntry
	for _, d := range directive.PlainDirectives() {
		entries = append(entries, Entry(d.Name+"="+d.Example, d.Name, d.Example, d.Since))
	}
	return entries
}

// plainSpecs sends every row of the plain table to the systemd of sb.
func plainSpecs(sb func() *sandbox.Sandbox) {
	var runner *run.Runner

	BeforeEach(func(ctx SpecContext) {
		var err error
		runner, err = run.New(ctx, sb(), run.Options{RunID: "rbq" + randomSuffix(), Timeout: 20 * time.Second, ReadyTimeout: 3 * time.Second, SkipProbes: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(runner.Close(ctx)).To(Succeed()) })
	})

	DescribeTable("is taken by PID 1 with its signature and reads back as sent",
		func(ctx SpecContext, name, value string, since int) {
			skipBefore(sb(), name, since)
			src := directive.Source{File: "plain.service", Line: 1}
			exec, err := directive.ParseAssignment("ExecStart=/usr/bin/python3 -m http.server", src)
			Expect(err).NotTo(HaveOccurred())
			a, err := directive.ParseAssignment(name+"="+value, src)
			Expect(err).NotTo(HaveOccurred())
			s, err := directive.Resolve([]directive.Assignment{exec, a}, true)
			Expect(err).NotTo(HaveOccurred())
			rec := runner.Run(ctx, run.Profile{Name: "plain-" + name, Assignments: []directive.Assignment{exec, a}, Settings: s})
			AddReportEntry("record", rec, ReportEntryVisibilityNever)
			// Some examples name files this sandbox lacks (a credential, a
			// namespace path, an image), so the service may fail to start;
			// what systemd stored is read back either way.
			Expect(rec.Error).To(BeEmpty())
			Expect(rec.Readback).To(BeEmpty(), "systemd stored %s=%s differently", name, value)
		},
		plainEntries(),
	)
}

// skipBefore skips a directive the sandbox's systemd is too old for.
func skipBefore(sb *sandbox.Sandbox, name string, since int) {
	major, _ := strconv.Atoi(strings.SplitN(sb.Env.SystemdVersion, ".", 2)[0])
	if since > major {
		Skip(name + " needs systemd " + strconv.Itoa(since) + "; the sandbox runs " + sb.Env.SystemdVersion)
	}
}

// bootTrixie starts a sandbox from the cached debian:trixie root (systemd
// 257), or skips when that root is not built.
// trixieRoot is the cached debian:trixie root (systemd 257); a spec
// that needs it is skipped while it is not built.
func trixieRoot() string {
	root, _, err := rootfs.Lookup(rootfs.Spec{Suite: "trixie", Packages: []string{"dbus", "python3", "systemd"}}, "")
	if err != nil {
		Skip("the debian:trixie root is not built: " + err.Error())
	}
	return root
}

func bootTrixie(ctx SpecContext, id string) *sandbox.Sandbox {
	sb, err := sandbox.Start(ctx, sandbox.Options{
		Kind:     sandbox.Nspawn,
		RunID:    id + randomSuffix(),
		Root:     trixieRoot(),
		Binaries: map[string]string{"hardenlab-probe": filepath.Join(bins, "hardenlab-probe")},
	})
	Expect(err).NotTo(HaveOccurred())
	DeferCleanup(func(ctx SpecContext) { Expect(sb.Close(ctx)).To(Succeed()) })
	return sb
}

// bySystemdVersion runs specs in the shared sandbox (the host root's
// systemd, 252) and under debian:trixie (257).
func bySystemdVersion(id string, specs func(func() *sandbox.Sandbox)) {
	Describe("in the shared sandbox", func() {
		specs(func() *sandbox.Sandbox { return shared })
	})
	Describe("under debian:trixie", Ordered, func() {
		var trixie *sandbox.Sandbox
		BeforeAll(func(ctx SpecContext) { trixie = bootTrixie(ctx, id) }, NodeTimeout(2*time.Minute))
		specs(func() *sandbox.Sandbox { return trixie })
	})
}

var _ = Describe("every plain directive", Label("readback"), func() {
	bySystemdVersion("rbt", plainSpecs)
})

// crossCheckValues are the structured settings, each with values that take
// every branch of its converter: what systemd-run -p makes of them is what
// hardenlab must send.
var crossCheckValues = []struct {
	name   string
	values []string
}{
	{"IODeviceWeight", []string{"/dev/null 100"}},
	{"IOReadBandwidthMax", []string{"/dev/null 1M"}},
	{"IOWriteBandwidthMax", []string{"/dev/null infinity"}},
	{"IOReadIOPSMax", []string{"/dev/null 1K"}},
	{"IOWriteIOPSMax", []string{"/dev/null 500"}},
	{"IODeviceLatencyTargetSec", []string{"/dev/null 25ms", "/dev/null 5"}},
	{"BlockIODeviceWeight", []string{"/dev/null 500"}},
	{"BlockIOReadBandwidth", []string{"/dev/null 1M"}},
	{"BlockIOWriteBandwidth", []string{"/dev/null 2K"}},
	{"AllowedCPUs", []string{"0", "0-1 3,5"}},
	{"StartupAllowedCPUs", []string{"0"}},
	{"AllowedMemoryNodes", []string{"0"}},
	{"StartupAllowedMemoryNodes", []string{"0"}},
	{"CPUAffinity", []string{"0", "0-40", "numa"}},
	{"NUMAPolicy", []string{"local", "interleave"}},
	{"NUMAMask", []string{"all", "0"}},
	{"CoredumpFilter", []string{"default shared-dax", "all", "0x3 elf-headers"}},
	{"SocketBindAllow", []string{"ipv4:tcp:8080-8089", "ipv6:udp:53", "1234", "tcp:80"}},
	{"SocketBindDeny", []string{"any"}},
	{"BPFProgram", []string{"egress:/sys/fs/bpf/hardenlab-egress"}},
	{"NFTSet", []string{"cgroup:inet:filter:hardenlab user:ip6:t:u"}},
	{"OpenFile", []string{"/etc/os-release:osrelease:read-only", "/etc/os-release", "/etc/hostname:hn:graceful"}},
	{"RootHash", []string{"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "/var/lib/hardenlab-image.roothash"}},
	{"RootHashSignature", []string{"/var/lib/hardenlab-image.roothash.p7s", "base64:aGVsbG8="}},
	{"RootImageOptions", []string{"root:ro,nosuid usr:nodev", "ro"}},
	{"MountImages", []string{"-/var/lib/hardenlab-image.raw:/mnt/image:root:ro", "/a.raw:/m:root:ro:usr:nosuid -/b.raw:/n"}},
	{"ExtensionImages", []string{"-/var/lib/hardenlab-ext.raw:root:nosuid", "/a.raw -/b.raw:ro"}},
}

func crossCheckEntries() []TableEntry {
	var entries []TableEntry
	for _, c := range crossCheckValues {
		for _, v := range c.values {
			entries = append(entries, Entry(c.name+"="+v, c.name, v))
		}
	}
	return entries
}

// crossCheckSpecs starts each value twice in the systemd of sb, once as
// hardenlab sends it and once through that systemd's own systemd-run -p,
// and requires the same stored properties.
func crossCheckSpecs(sb func() *sandbox.Sandbox) {
	DescribeTable("is sent as systemd-run -p sends it",
		func(ctx SpecContext, name, value string) {
			d := plainDirective(name)
			skipBefore(sb(), name, d.Since)
			c, err := systemd.Dial(ctx, sb().BusAddress)
			Expect(err).NotTo(HaveOccurred())
			DeferCleanup(c.Close)
			src := directive.Source{File: "xcheck.service", Line: 1}
			exec, err := directive.ParseAssignment("ExecStart=/usr/bin/sleep 1000", src)
			Expect(err).NotTo(HaveOccurred())
			a, err := directive.ParseAssignment(name+"="+value, src)
			Expect(err).NotTo(HaveOccurred())
			s, err := directive.Resolve([]directive.Assignment{exec, a}, true)
			Expect(err).NotTo(HaveOccurred())

			ours, theirs := systemd.UnitPrefix+"xc-ours-"+randomSuffix()+".service", systemd.UnitPrefix+"xc-run-"+randomSuffix()+".service"
			DeferCleanup(func(ctx SpecContext) {
				Expect(c.Stop(ctx, ours)).To(Succeed())
				Expect(c.Stop(ctx, theirs)).To(Succeed())
			})
			// A start job may fail here (an image or BPF program the sandbox
			// lacks); the unit and what systemd stored remain until stopped.
			if err := c.StartTransient(ctx, ours, s.Properties()); err != nil {
				var je *systemd.JobError
				Expect(errors.As(err, &je)).To(BeTrue(), "systemd refused what hardenlab sent for %s=%s: %v", name, value, err)
			}
			out := systemdRun(ctx, sb(), theirs, name+"="+value)
			Expect(out).NotTo(MatchRegexp("Unknown assignment|Failed to parse|Invalid"), "systemd-run -p %s=%s", name, value)

			mine, err := c.Service(ctx, ours)
			Expect(err).NotTo(HaveOccurred())
			Expect(directive.CheckReadback(s, mine)).To(BeEmpty(), "read-back of %s=%s", name, value)
			u, err := c.Unit(ctx, theirs)
			Expect(err).NotTo(HaveOccurred())
			Expect(u["LoadState"]).To(Equal("loaded"), "systemd-run made no unit: %s", out)
			ref, err := c.Service(ctx, theirs)
			Expect(err).NotTo(HaveOccurred())
			for _, p := range d.Properties {
				Expect(mine[p]).To(Equal(ref[p]), "%s after %s=%s: hardenlab's unit vs systemd-run's", p, name, value)
			}
		},
		crossCheckEntries(),
	)
}

func plainDirective(name string) directive.PlainDirective {
	for _, d := range directive.PlainDirectives() {
		if d.Name == name {
			return d
		}
	}
	Fail(name + " is not a row of the plain table")
	return directive.PlainDirective{}
}

// systemdRun runs the sandbox's own systemd-run (the converter of its
// release) inside the container's namespaces; its output is returned
// whether or not the start job succeeded.
func systemdRun(ctx SpecContext, sb *sandbox.Sandbox, unit, assignment string) string {
	argv := []string{"systemd-run", "--quiet", "--unit", unit, "-p", assignment, "/usr/bin/sleep", "1000"}
	if sb.Leader() != 0 {
		argv = append([]string{"nsenter", "--target", strconv.Itoa(sb.Leader()), "--mount", "--uts", "--ipc", "--net", "--pid", "--"}, argv...)
	}
	out, _ := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	return string(out)
}

var _ = Describe("a structured directive", Label("readback", "xcheck"), func() {
	bySystemdVersion("xc", crossCheckSpecs)
})
