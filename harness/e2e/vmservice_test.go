//go:build e2e

package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
)

// expectVMGuest checks that a record was made by the VM image's own
// systemd, each profile with fresh overlays of the guest's root.
func expectVMGuest(env report.Environment, name string) {
	Expect(env.Name).To(Equal("vm:trixie"), name)
	Expect(env.Sandbox).To(BeEquivalentTo("host"), name)
	Expect(env.RootView).To(BeEquivalentTo("overlay"), name)
	Expect(env.SystemdVersion).To(HavePrefix("257"), name)
	Expect(env.Accelerator).To(BeElementOf("kvm", "tcg"), name)
}

// expectNoErrorVerdict fails on a probe the run could not judge: on its
// own kernel every probe the profile planned has a control to compare with.
func expectNoErrorVerdict(rec report.Record) {
	for _, p := range rec.Probes {
		Expect(p.Verdict).NotTo(Equal("error"), "%s: %s: %s", rec.Profile.Name, p.ID, p.Detail)
	}
}

// The VM image carries the fixtures' packaged services (redis-server,
// nginx, openssh-server), none enabled at boot. Label vm: one boot, in CI.
var _ = Describe("--service unit in the VM: an installed unit's clone", Label("vm", "service"), func() {
	It("runs the VM's installed redis-server.service as a transient clone, healthy, scored by systemd-analyze 257, its files unchanged",
		func(ctx SpecContext) {
			s := realServices["redis-server (notify)"]
			stdout, stderr, code := hardenlab(ctx, "run", "--sandbox", "vm", "--json", "--installed", s.installed,
				"--service", "unit", "--health", s.health)
			Expect(code).To(Equal(0), stderr)
			var recs []report.Record
			Expect(json.Unmarshal([]byte(stdout), &recs)).To(Succeed(), stdout)
			Expect(recs).To(HaveLen(1))
			rec := recs[0]
			AddReportEntry("record", rec, ReportEntryVisibilityNever)
			expectVMGuest(rec.Environment, rec.Profile.Name)
			Expect(rec.Unit).To(HavePrefix("hardenlab-"))
			Expect(rec.Unit).To(HaveSuffix("-redis-server.service"))
			// The guest's own package's unit, not this machine's.
			Expect(rec.Profile.Source).To(HaveSuffix("/systemd/system/redis-server.service"))
			Expect(rec.Error).To(BeEmpty())
			Expect(rec.Behavior.Command[0]).To(Equal("/usr/bin/redis-server"))
			Expect(rec.Behavior.Started).To(BeTrue(), "%v", rec.Behavior.JournalTail)
			Expect(rec.Behavior.Health).To(HaveLen(1))
			Expect(rec.Behavior.Health[0].Detail).To(ContainSubstring("+PONG"))
			Expect(rec.Score.Source).To(Equal("systemd-analyze"))
			Expect(rec.Score.Disagreements).To(BeEmpty())
			Expect(rec.Probes).NotTo(BeEmpty())
			expectNoErrorVerdict(rec)
			// The guest compared the unit's fragment, links and the files
			// of its directories before and after the run.
			Expect(stderr).To(MatchRegexp(`installed redis-server\.service unchanged in the guest: [1-9]\d* files and links compared`))
		}, SpecTimeout(15*time.Minute))
})

// The whole single matrix is about 31 guest profiles, 2-4 minutes under
// TCG: label vm-matrix, to run it alone with
//
//	-args -bin-dir=$PWD/bin -ginkgo.label-filter=vm-matrix
var _ = Describe("--service unit in the VM: redis-server's single matrix", Label("vm-matrix", "service"), func() {
	It("records verdicts, systemd-analyze 257's score and a health outcome for every profile, each from a fresh guest state",
		func(ctx SpecContext) {
			s := realServices["redis-server (notify)"]
			out := filepath.Join(GinkgoT().TempDir(), "matrix.json")
			start := time.Now()
			_, stderr, code := hardenlab(ctx, "matrix", "--sandbox", "vm", "--mode", "single", "--service", "unit", "--health", s.health,
				"--systemd-analyze", "all", "--out", out, "fixtures/"+s.fixture+".service")
			Expect(code).To(Equal(0), stderr)
			m := decodeMatrix(out, stderr)
			AddReportEntry("wall", time.Since(start).String())
			byName := expectServiceMatrix(m, s.binary)
			for name, rec := range byName {
				expectVMGuest(rec.Environment, name)
				expectNoErrorVerdict(rec)
			}
			full := byName["full"]
			Expect(full.Behavior.Health[0].Detail).To(ContainSubstring("+PONG"))
			// The control runs redis as root; had its log and dump stayed
			// in the guest, redis as User=redis could not open them.
			Expect(byName["single-User"].Behavior.Started).To(BeTrue(), "%v", byName["single-User"].Behavior.JournalTail)
			// As in nspawn, ProtectSystem=strict alone leaves redis no log.
			Expect(byName["single-ProtectSystem"].Behavior.Started).To(BeFalse())
			Expect(strings.Join(byName["single-ProtectSystem"].Behavior.JournalTail, "\n")).To(ContainSubstring("Read-only file system"))
			// Per call, on its own kernel: the filter's denied calls are
			// enforced one by one, but for a call this kernel does not
			// have (uselib without CONFIG_USELIB): the control is blocked
			// with ENOSYS too, so nothing can be said.
			enforced := 0
			for _, p := range byName["single-SystemCallFilter"].Probes {
				if !strings.HasPrefix(p.ID, "sys.syscall-") {
					continue
				}
				if p.Verdict == "inconclusive" {
					Expect(p.Control).To(Equal("blocked"), "%s: %s", p.ID, p.Detail)
					Expect(p.Detail).To(ContainSubstring("the control got ENOSYS"), p.ID)
					continue
				}
				Expect(p.Verdict).To(Equal("enforced"), "%s: %s", p.ID, p.Detail)
				enforced++
			}
			Expect(enforced).To(BeNumerically(">=", 30))
		}, SpecTimeout(30*time.Minute))
})
