//go:build e2e

package e2e

import (
	"encoding/json"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
)

var _ = Describe("hardenlab run --sandbox vm", Label("vm"), Ordered, func() {
	var rec report.Record

	BeforeAll(func(ctx SpecContext) {
		stdout, stderr, code := hardenlab(ctx, "run", "--sandbox", "vm", "--json", "fixtures/p3test-hardened.service")
		Expect(code).To(Equal(0), stderr)
		var recs []report.Record
		Expect(json.Unmarshal([]byte(stdout), &recs)).To(Succeed(), stdout)
		Expect(recs).To(HaveLen(1))
		rec = recs[0]
		AddReportEntry("record", rec, ReportEntryVisibilityNever)
	}, NodeTimeout(40*time.Minute))

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
