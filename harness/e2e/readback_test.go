//go:build e2e

package e2e

import (
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/run"
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

var _ = Describe("every plain directive", Label("readback"), func() {
	var runner *run.Runner

	BeforeEach(func(ctx SpecContext) {
		var err error
		runner, err = run.New(ctx, shared, run.Options{RunID: "rbq" + randomSuffix(), Timeout: 20 * time.Second, ReadyTimeout: 3 * time.Second, SkipProbes: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(runner.Close(ctx)).To(Succeed()) })
	})

	DescribeTable("is taken by PID 1 with its signature and reads back as sent",
		func(ctx SpecContext, name, value string, since int) {
			major, _ := strconv.Atoi(strings.SplitN(shared.Env.SystemdVersion, ".", 2)[0])
			if since > major {
				Skip(name + " needs systemd " + strconv.Itoa(since) + "; the sandbox runs " + shared.Env.SystemdVersion)
			}
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
			// namespace path), so the service may fail to start; what
			// systemd stored is read back either way.
			Expect(rec.Error).To(BeEmpty())
			Expect(rec.Readback).To(BeEmpty(), "systemd stored %s=%s differently", name, value)
		},
		plainEntries(),
	)
})
