//go:build e2e

package e2e

import (
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
)

var _ = Describe("hardenlab run --sandbox vm", Label("vm"), Ordered, func() {
	// rec is the tutorial's unit, deny the deny-list filter unit of the
	// seccomp-run specs, groups the records of one unit per @group that a
	// record can judge: one VM boot for all.
	var (
		rec, deny report.Record
		groups    map[string]report.Record
		version   score.Version
	)

	BeforeAll(func(ctx SpecContext) {
		units := writeGroupUnits(257, true) // the VM image is trixie
		stdout, stderr, code := hardenlab(ctx, append([]string{"run", "--sandbox", "vm", "--json", "fixtures/p3test-hardened.service", filterUnits[0]}, units...)...)
		Expect(code).To(Equal(0), stderr)
		var recs []report.Record
		Expect(json.Unmarshal([]byte(stdout), &recs)).To(Succeed(), stdout)
		Expect(recs).To(HaveLen(2 + len(units)))
		rec, deny = recs[0], recs[1]
		groups = groupRecords(recs[2:])
		var err error
		version, err = score.ParseVersion(rec.Environment.SystemdVersion)
		Expect(err).NotTo(HaveOccurred())
		AddReportEntry("record", rec, ReportEntryVisibilityNever)
		AddReportEntry("filter record", deny, ReportEntryVisibilityNever)
		AddReportEntry("group records", recs[2:], ReportEntryVisibilityNever)
	}, NodeTimeout(40*time.Minute))

	// Each group the records can judge, on the VM's own kernel, where no
	// container filter answers a call in the control.
	groupRunSpecs(func() (map[string]report.Record, score.Version) { return groups, version }, true, true)

	// On its own kernel, with systemd as PID 1, the control reaches every
	// call: each group the filter names is enforced call by call, with the
	// declared errno, and nothing is inconclusive.
	It("enforces each group of a deny-list call by call, allowed in the control", func() {
		Expect(deny.Error).To(BeEmpty())
		Expect(deny.ProbeError).To(BeEmpty())
		vs := callVerdicts(deny)
		Expect(vs).NotTo(BeEmpty())
		for _, v := range vs {
			Expect(v.Control).To(Equal("allowed"), "%s: %s", v.ID, v.Detail)
			Expect(v.Verdict).To(Equal("enforced"), "%s: %s", v.ID, v.Detail)
			Expect(v.Errno).To(Equal("EPERM"), v.ID)
		}
		Expect(groupsEnforced(deny)).To(ConsistOf("@swap", "@debug", "@raw-io"))
	})

	It("gives the deny-list no verdict about a group it does not name, and none inconclusive", func() {
		for _, p := range deny.Probes {
			Expect(p.Item).NotTo(Equal("@cpu-emulation"), p.ID)
			Expect(p.ID).NotTo(BeElementOf("sys.filter-cpu-emulation", "sys.syscall-modify_ldt"))
			Expect(p.Verdict).To(Equal("enforced"), "%s: %s", p.ID, p.Detail)
		}
	})

	It("ran in a VM with systemd as PID 1 and says how it was accelerated", func() {
		Expect(rec.Environment.Sandbox).To(BeEquivalentTo("host"))
		Expect(rec.Environment.Virtualization).To(BeElementOf("qemu", "kvm"))
		Expect(rec.Environment.Accelerator).To(BeElementOf("kvm", "tcg"))
		Expect(rec.Environment.SystemdVersion).NotTo(BeEmpty())
	})

	It("scores the tutorial's hardened unit 4.9 and shows /etc/shadow exposed", func() {
		Expect(rec.Error).To(BeEmpty())
		Expect(rec.Score.Exposure).To(Equal(4.9))
		Expect(rec.Score.Disagreements).To(BeEmpty())
		Expect(rec.Behavior.Started).To(BeTrue())
		Expect(rec.Behavior.ExposedPaths).To(ContainElement("/etc/shadow"))
	})

	It("leaves no tutorial directive inconclusive", func() {
		Expect(rec.ProbeError).To(BeEmpty())
		Expect(len(rec.Probes)).To(BeNumerically(">=", 16))
		for _, p := range rec.Probes {
			Expect(p.Verdict).NotTo(Equal("inconclusive"), "%s: %s", p.ID, p.Detail)
		}
	})

	DescribeTable("gives each tutorial directive the VM's expected verdict",
		func(e expectation) {
			var got *report.ProbeResult
			for i := range rec.Probes {
				if rec.Probes[i].ID == e.probe {
					got = &rec.Probes[i]
				}
			}
			Expect(got).NotTo(BeNil(), "probe %s not reported", e.probe)
			Expect(got.Directives).To(ContainElement(e.directive))
			Expect(got.Verdict).To(Equal(e.verdict), got.Detail)
		},
		expectationEntries("vm"),
	)
})
