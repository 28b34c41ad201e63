//go:build e2e

package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/sandbox"
)

// realService is a packaged daemon .ci/setup installs, with its hardened
// fixture and the health check that proves it works.
type realService struct {
	binary, fixture, installed, health string
}

var realServices = map[string]realService{
	"redis-server (notify)": {"/usr/bin/redis-server", "redis-hardened", "redis-server.service", "tcp:127.0.0.1:6379,send=PING,expect=+PONG"},
	"nginx (forking)":       {"/usr/sbin/nginx", "nginx-hardened", "nginx.service", "http://127.0.0.1:80/"},
	"sshd (notify)":         {"/usr/sbin/sshd", "ssh-hardened", "ssh.service", "tcp:127.0.0.1:22,expect=SSH-2.0"},
}

func (s realService) need() {
	if _, err := os.Stat(s.binary); err != nil {
		Skip(s.binary + " is not installed: .ci/setup installs it")
	}
}

// decodeMatrix reads a matrix document hardenlab wrote.
func decodeMatrix(path, stderr string) report.Matrix {
	b, err := os.ReadFile(path)
	Expect(err).NotTo(HaveOccurred(), stderr)
	var m report.Matrix
	Expect(json.Unmarshal(b, &m)).To(Succeed())
	AddReportEntry("matrix", m, ReportEntryVisibilityNever)
	return m
}

// expectServiceMatrix checks what every profile of a --service unit single
// matrix must have, and that its full profile serves; it returns the
// records by profile name.
func expectServiceMatrix(m report.Matrix, binary string) map[string]report.Record {
	Expect(m.Environments).To(HaveLen(1))
	Expect(m.Records).To(HaveLen(len(m.Directives) + 2))
	byName := map[string]report.Record{}
	for _, rec := range m.Records {
		name := rec.Profile.Name
		byName[name] = rec
		Expect(rec.Error).To(BeEmpty(), name)
		Expect(rec.Behavior.Service).To(Equal("unit"), name)
		Expect(rec.Behavior.Command[0]).To(Equal(binary), name)
		Expect(rec.Score.Source).To(Equal("systemd-analyze"), name)
		Expect(rec.Score.Disagreements).To(BeEmpty(), name)
		Expect(rec.Readback).To(BeEmpty(), name)
		if rec.Behavior.Started {
			Expect(rec.Behavior.Health).To(HaveLen(1), name)
			Expect(rec.Behavior.Health[0].Healthy).To(BeTrue(), name)
		} else {
			Expect(rec.Behavior.Error).NotTo(BeEmpty(), name)
		}
	}
	full := byName["full"]
	Expect(full.Behavior.Started).To(BeTrue(), "%v", full.Behavior.JournalTail)
	Expect(full.Behavior.Health[0].Healthy).To(BeTrue())
	Expect(full.SandboxCompared).To(BeTrue())
	Expect(full.Probes).NotTo(BeEmpty())
	return byName
}

var _ = Describe("--service unit: real services under their own commands", Label("service"), func() {
	DescribeTable("runs the hardened unit one directive at a time: verdicts, systemd-analyze's scores and a health outcome for every profile",
		func(ctx SpecContext, key string, more func(byName map[string]report.Record)) {
			s := realServices[key]
			s.need()
			out := filepath.Join(GinkgoT().TempDir(), "matrix.json")
			_, stderr, code := hardenlab(ctx, "matrix", "--mode", "single", "--service", "unit", "--health", s.health,
				"--systemd-analyze", "all", "--out", out, "fixtures/"+s.fixture+".service")
			Expect(code).To(Equal(0), stderr)
			m := decodeMatrix(out, stderr)
			Expect(m.Environments[0].RootView).To(Equal("overlay"))
			byName := expectServiceMatrix(m, s.binary)
			for _, p := range byName["full"].Probes {
				Expect(p.Verdict).NotTo(Equal("error"), "%s: %s", p.ID, p.Detail)
			}
			more(byName)
		},
		Entry("redis-server (Type=notify)", "redis-server (notify)", func(byName map[string]report.Record) {
			Expect(byName["full"].Behavior.Health[0].Detail).To(ContainSubstring("+PONG"))
			// Alone, without its ReadWritePaths=, ProtectSystem=strict leaves
			// redis no log file: the measured reason a real service breaks.
			Expect(byName["single-ProtectSystem"].Behavior.Started).To(BeFalse())
			Expect(byName["single-ProtectSystem"].Behavior.JournalTail).To(ContainElement(ContainSubstring("Read-only file system")))
		}, SpecTimeout(15*time.Minute)),
		Entry("nginx (Type=forking)", "nginx (forking)", func(byName map[string]report.Record) {
			Expect(byName["full"].Behavior.Health[0].Detail).To(ContainSubstring("200 OK"))
			// Its ExecStartPre= config test and PIDFile= ran in every profile.
			Expect(byName["control"].Behavior.Started).To(BeTrue(), "%v", byName["control"].Behavior.JournalTail)
			// ProtectSystem=strict without its ReadWritePaths= leaves the
			// master no PID file or log to write.
			Expect(byName["single-ProtectSystem"].Behavior.Started).To(BeFalse())
		}, SpecTimeout(15*time.Minute)),
		Entry("sshd (Type=notify, ExecStartPre=)", "sshd (notify)", func(byName map[string]report.Record) {
			Expect(byName["full"].Behavior.Health[0].Detail).To(ContainSubstring("SSH-2.0"))
			Expect(byName["control"].Behavior.Started).To(BeTrue(), "%v", byName["control"].Behavior.JournalTail)
		}, SpecTimeout(15*time.Minute)),
	)

	DescribeTable("passes check against its committed baseline",
		func(ctx SpecContext, key string) {
			s := realServices[key]
			s.need()
			stdout, stderr, code := hardenlab(ctx, "check", "--service", "unit", "--health", s.health,
				"--baseline", "fixtures/baselines/"+s.fixture+".json", "fixtures/"+s.fixture+".service")
			Expect(code).To(Equal(0), stdout+stderr)
			Expect(stdout).To(ContainSubstring("no regression"))
		},
		Entry("redis-server", "redis-server (notify)", SpecTimeout(15*time.Minute)),
		Entry("nginx", "nginx (forking)", SpecTimeout(15*time.Minute)),
		Entry("sshd", "sshd (notify)", SpecTimeout(15*time.Minute)),
	)

	DescribeTable("runs the installed unit as a transient clone and leaves the unit and its files as they were",
		func(ctx SpecContext, key string) {
			s := realServices[key]
			s.need()
			before := installedState(s.installed)
			stdout, stderr, code := hardenlab(ctx, "run", "--json", "--installed", s.installed, "--service", "unit", "--health", s.health)
			Expect(code).To(Equal(0), stderr)
			var recs []report.Record
			Expect(json.Unmarshal([]byte(stdout), &recs)).To(Succeed(), stdout)
			Expect(recs).To(HaveLen(1))
			rec := recs[0]
			AddReportEntry("record", rec, ReportEntryVisibilityNever)
			Expect(rec.Unit).To(HaveSuffix("-" + strings.TrimSuffix(s.installed, ".service") + ".service"))
			Expect(rec.Unit).To(HavePrefix("hardenlab-"))
			Expect(rec.Error).To(BeEmpty())
			Expect(rec.Environment.RootView).To(Equal("overlay"))
			Expect(rec.Behavior.Started).To(BeTrue(), "%v", rec.Behavior.JournalTail)
			Expect(rec.Behavior.Health[0].Healthy).To(BeTrue())
			if rec.Behavior.Reload != nil {
				Expect(rec.Behavior.Reload.OK).To(BeTrue(), rec.Behavior.Reload.Detail)
			}
			Expect(installedState(s.installed)).To(Equal(before), "the installed unit, its links or its service's files changed")
		},
		Entry("nginx.service", "nginx (forking)", SpecTimeout(5*time.Minute)),
		Entry("redis-server.service", "redis-server (notify)", SpecTimeout(5*time.Minute)),
		Entry("ssh.service", "sshd (notify)", SpecTimeout(5*time.Minute)),
	)

	It("refuses a clone of an installed unit on the host's own systemd, naming what the real unit owns", func(ctx SpecContext) {
		realServices["nginx (forking)"].need()
		_, stderr, code := hardenlab(ctx, "run", "--sandbox", "host", "--installed", "nginx.service", "--service", "unit",
			"--health", "http://127.0.0.1:80/")
		Expect(code).To(Equal(2), stderr)
		Expect(stderr).To(ContainSubstring("PIDFile=/run/nginx.pid"))
		Expect(stderr).To(ContainSubstring("the listening port 80"))
		Expect(stderr).To(ContainSubstring("--sandbox nspawn"))
	})

	It("refuses a health check that leaves loopback", func(ctx SpecContext) {
		_, stderr, code := hardenlab(ctx, "run", "--service", "unit", "--health", "tcp:192.0.2.1:6379", "fixtures/redis-hardened.service")
		Expect(code).To(Equal(2), stderr)
		Expect(stderr).To(ContainSubstring("not a loopback address"))
	})
})

// installedState fingerprints what running a clone must never change on
// the host: the unit file and its drop-ins and links, and the files its
// service keeps under /etc, /var and /run.
func installedState(unit string) map[string]string {
	out := map[string]string{}
	name := strings.TrimSuffix(unit, ".service")
	globs := []string{
		"/lib/systemd/system/" + unit, "/etc/systemd/system/" + unit, "/etc/systemd/system/" + unit + ".d/*",
		"/etc/systemd/system/*.wants/" + unit, "/run/systemd/system/" + unit,
		"/var/log/" + name + "/*", "/var/lib/" + name + "/*", "/run/" + name + "*", "/run/" + name + "/*",
		"/var/log/redis/*", "/var/lib/redis/*", "/run/redis/*", "/run/sshd*",
	}
	for _, g := range globs {
		paths, _ := filepath.Glob(g)
		for _, p := range paths {
			fi, err := os.Lstat(p)
			if err != nil {
				continue
			}
			sum := fi.Mode().String() + " " + fi.ModTime().UTC().String()
			if fi.Mode().IsRegular() {
				b, _ := os.ReadFile(p)
				h := sha256.Sum256(b)
				sum += " " + hex.EncodeToString(h[:])
			} else if fi.Mode()&os.ModeSymlink != 0 {
				t, _ := os.Readlink(p)
				sum += " -> " + t
			}
			out[p] = sum
		}
	}
	return out
}

var _ = Describe("--service unit: hostile services", Label("hostile"), Ordered, func() {
	var byName map[string]report.Record
	const timeout = 40 * time.Second

	BeforeAll(func(ctx SpecContext) {
		units, err := filepath.Glob(filepath.Join(repo, "fixtures", "hostile", "*.service"))
		Expect(err).NotTo(HaveOccurred())
		Expect(units).To(HaveLen(5))
		start := time.Now()
		stdout, stderr, code := hardenlab(ctx, append([]string{"run", "--json", "--service", "unit", "--health", "active:3s",
			"--timeout", timeout.String()}, units...)...)
		Expect(code).To(Equal(0), stderr)
		var recs []report.Record
		Expect(json.Unmarshal([]byte(stdout), &recs)).To(Succeed(), stdout)
		AddReportEntry("records", recs, ReportEntryVisibilityNever)
		Expect(recs).To(HaveLen(5))
		Expect(time.Since(start)).To(BeNumerically("<", 5*timeout), "the hostile services together must end within their timeouts")
		byName = map[string]report.Record{}
		for _, rec := range recs {
			Expect(rec.Error).To(BeEmpty(), rec.Profile.Name)
			Expect(rec.Incomplete).To(BeFalse(), rec.Profile.Name)
			Expect(rec.Timings.Total).To(BeNumerically("<", timeout.Milliseconds()), rec.Profile.Name)
			byName[rec.Profile.Name] = rec
		}
	}, NodeTimeout(8*time.Minute))

	It("records a notify service that never sends READY=1 as failed to start at TimeoutStartSec=", func() {
		b := byName["never-ready"].Behavior
		Expect(b.Started).To(BeFalse())
		Expect(b.Result).To(Equal("timeout"))
		Expect(byName["never-ready"].Timings.Start).To(BeNumerically(">=", 3000))
	})

	It("records a crash loop under Restart=always as never healthy", func() {
		b := byName["crash-loop"].Behavior
		Expect(b.Started).To(BeFalse())
		Expect(b.Health).To(HaveLen(1))
		Expect(b.Health[0].Healthy).To(BeFalse())
		Expect(b.Health[0].Detail).To(ContainSubstring("no longer active"))
	})

	It("stops a forking service without PIDFile= and every process it left", func() {
		b := byName["forks-away"].Behavior
		Expect(b.Started).To(BeTrue(), "%v", b.JournalTail)
		Expect(b.Health[0].Healthy).To(BeTrue())
	})

	It("ends a service that ignores SIGTERM at its TimeoutStopSec=", func() {
		rec := byName["ignores-sigterm"]
		Expect(rec.Behavior.Started).To(BeTrue())
		Expect(rec.Timings.Stop).To(BeNumerically(">=", 2000), "the stop waited for TimeoutStopSec=2s")
		Expect(rec.Timings.Stop).To(BeNumerically("<", 10000), "and no longer")
	})

	It("holds a fork bomb at TasksMax= and stops it", func() {
		rec := byName["fork-bomb"]
		Expect(rec.Behavior.ActiveState).To(Equal("active"), "%v", rec.Behavior.JournalTail)
		Expect(rec.Timings.Stop).To(BeNumerically("<", 10000))
	})

	It("leaves no process, container or mount behind", func() {
		out, _ := exec.Command("pgrep", "-af", "hardenlab-hostile-").Output()
		Expect(strings.TrimSpace(string(out))).To(BeEmpty(), "a hostile service's process survived its run")
		mounts, err := os.ReadFile("/proc/self/mountinfo")
		Expect(err).NotTo(HaveOccurred())
		for _, l := range strings.Split(string(mounts), "\n") {
			// Only --service unit mounts an overlay root view there.
			if strings.Contains(l, "/run/hardenlab/") {
				Expect(l).NotTo(MatchRegexp(` - (overlay|tmpfs) `), "an overlay root view of a run is still mounted")
			}
		}
		Expect(sandbox.OrphanContainers()).To(BeEmpty())
	})
})
