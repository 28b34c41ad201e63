//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/suggest"
)

var _ = Describe("hardenlab suggest", Label("suggest"), func() {
	DescribeTable("suggests a drop-in that is verified on the running unit",
		func(ctx SpecContext, unit string, maxExposure float64, atBest bool) {
			dropIn := filepath.Join(GinkgoT().TempDir(), suggest.DropInName)
			start := time.Now()
			stdout, stderr, code := hardenlab(ctx, "suggest", "--json", "--write-dropin", dropIn, unit)
			Expect(code).To(Equal(0), stderr)
			var doc suggest.Document
			Expect(json.Unmarshal([]byte(stdout), &doc)).To(Succeed(), stdout)
			AddReportEntry("suggest "+unit, fmt.Sprintf("%d service starts, %d kept, %d rejected, %.1f -> %.1f, in %s",
				doc.ServiceStarts, len(doc.Kept), len(doc.Rejected), doc.Before.Exposure, doc.After.Exposure, time.Since(start)), ReportEntryVisibilityAlways)

			v := doc.Verification
			Expect(v.Error).To(BeEmpty())
			Expect(v.Behavior.Started).To(BeTrue(), "the service still starts with the drop-in")
			Expect(v.Behavior.HTTPStatus).To(Equal(200), "the service still serves with the drop-in")
			Expect(v.Score.Source).To(Equal("systemd-analyze"), "the after score is systemd-analyze's on the running unit")
			Expect(v.Score.Disagreements).To(BeEmpty())
			Expect(doc.After.Exposure).To(Equal(v.Score.Exposure))
			Expect(doc.After.Exposure).To(BeNumerically("<=", maxExposure))
			Expect(doc.Problems).To(BeEmpty())
			Expect(doc.AtBest).To(Equal(atBest))
			// The tutorial unit's ExecStart= is the demo: nothing stood in.
			Expect(doc.StandIn).To(BeEmpty())

			written, err := os.ReadFile(dropIn)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(written)).To(Equal(doc.DropIn))
			for _, d := range doc.Kept {
				Expect(d.Verdict).To(BeElementOf("enforced", "inconclusive"), d.Directive)
				if d.Verdict == "inconclusive" {
					Expect(d.Reason).NotTo(BeEmpty(), d.Directive)
				}
				for _, l := range d.Lines {
					Expect(string(written)).To(ContainSubstring(l + "\n"))
				}
			}
			for _, d := range doc.Rejected {
				Expect(d.Kept).To(BeFalse())
				Expect(d.Reason).NotTo(BeEmpty(), d.Directive)
				if d.Verdict == "broke-service" {
					Expect(d.Reason).To(HavePrefix("service broke"))
				}
				Expect(string(written)).NotTo(ContainSubstring("\n" + strings.Join(d.Lines, "\n") + "\n"))
			}
			Expect(doc.ServiceStarts).To(Equal(len(doc.Trials) + 3))
		},
		Entry("the tutorial's bare unit reaches SAFE territory", "fixtures/p3test.service", 1.0, false),
		// The tutorial's unit with the drop-in an earlier suggest wrote.
		Entry("a unit that is already at its best says so", "fixtures/suggest/p3test.service", 1.0, true),
	)
})

// Real services under their own commands: every start of the search in a
// fresh container, the packaged unit never touched.
var _ = Describe("hardenlab suggest --service unit", Label("suggest-real"), func() {
	DescribeTable("suggests a drop-in for an installed real service that keeps it healthy, lowers its score and is proven",
		func(ctx SpecContext, key string, writable []string) {
			s := realServices[key]
			s.need()
			before := installedState(s.installed)
			dropIn := filepath.Join(GinkgoT().TempDir(), suggest.DropInName)
			start := time.Now()
			stdout, stderr, code := hardenlab(ctx, "suggest", "--json", "--write-dropin", dropIn, "--installed", s.installed,
				"--service", "unit", "--health", s.health)
			Expect(code).To(Equal(0), stderr)
			var doc suggest.Document
			Expect(json.Unmarshal([]byte(stdout), &doc)).To(Succeed(), stdout)
			AddReportEntry("suggest "+s.installed, fmt.Sprintf("%d service starts, %d containers, %d kept, %d rejected, %.1f -> %.1f, in %s",
				doc.ServiceStarts, doc.Sandboxes, len(doc.Kept), len(doc.Rejected), doc.Before.Exposure, doc.After.Exposure, time.Since(start)), ReportEntryVisibilityAlways)
			Expect(doc.Problems).To(BeEmpty())

			for _, rec := range []report.Record{doc.AsWritten, doc.Verification} {
				name := rec.Profile.Name
				Expect(rec.Error).To(BeEmpty(), name)
				Expect(rec.Environment.RootView).To(Equal("overlay"), name)
				Expect(rec.Behavior.Service).To(Equal("unit"), name)
				Expect(rec.Behavior.Outcome).To(Equal("serves"), "%s: %v", name, rec.Behavior.JournalTail)
				Expect(rec.Behavior.Health).NotTo(BeEmpty(), name)
				for _, h := range rec.Behavior.Health {
					Expect(h.Healthy).To(BeTrue(), "%s: %s", name, h.Detail)
				}
				Expect(rec.Score.Source).To(Equal("systemd-analyze"), name)
				Expect(rec.Score.Disagreements).To(BeEmpty(), name)
			}
			Expect(doc.Before.Exposure).To(Equal(doc.AsWritten.Score.Exposure))
			Expect(doc.After.Exposure).To(Equal(doc.Verification.Score.Exposure))
			Expect(doc.After.Exposure).To(BeNumerically("<", doc.Before.Exposure))
			Expect(doc.EffectiveAfter).NotTo(BeNil())
			Expect(doc.EffectiveAfter.Exposure).To(BeNumerically("<", doc.EffectiveBefore.Exposure))

			written, err := os.ReadFile(dropIn)
			Expect(err).NotTo(HaveOccurred())
			Expect(string(written)).To(Equal(doc.DropIn))
			Expect(doc.Kept).NotTo(BeEmpty())
			for _, d := range doc.Kept {
				Expect(d.Verdict).To(BeElementOf("enforced", "inconclusive"), d.Directive)
				Expect(d.Reason).To(HavePrefix(d.Verdict+": "), d.Directive)
				for _, l := range d.Lines {
					Expect(string(written)).To(ContainSubstring(l+"\n"), d.Directive)
				}
			}
			for _, d := range doc.Rejected {
				Expect(d.Reason).NotTo(BeEmpty(), d.Directive)
			}
			// The addresses and paths come from the unit and its checks.
			Expect(doc.Needs.Allow).To(ContainElement(HaveField("Value", "127.0.0.1")))
			var paths []string
			for _, w := range doc.Needs.Writable {
				paths = append(paths, w.Value)
				Expect(w.From).To(Or(HavePrefix("PIDFile="), HavePrefix("journal: ")), w.Value)
			}
			if len(writable) == 0 {
				Expect(paths).To(BeEmpty())
			} else {
				Expect(paths).To(ConsistOf(writable))
			}
			Expect(doc.ServiceStarts).To(Equal(len(doc.Trials) + 3))
			// The control shares the first container; every other start has one of its own.
			Expect(doc.Sandboxes).To(Equal(doc.ServiceStarts - 1))
			Expect(installedState(s.installed)).To(Equal(before), "the installed unit, its links or its service's files changed")
		},
		// redis' own unit leaves its directories writable already.
		Entry("redis-server.service", "redis-server (notify)", []string(nil), SpecTimeout(10*time.Minute)),
		// nginx' names none: /run from its PIDFile=, the others from the journal.
		Entry("nginx.service", "nginx (forking)", []string{"/run", "/var/lib/nginx", "/var/log/nginx"}, SpecTimeout(10*time.Minute)),
	)
})
