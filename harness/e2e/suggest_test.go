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
			Expect(doc.ServiceStarts).To(Equal(len(doc.Trials) + 2))
		},
		Entry("the tutorial's bare unit reaches SAFE territory", "fixtures/p3test.service", 1.0, false),
		// The tutorial's unit with the drop-in an earlier suggest wrote.
		Entry("a unit that is already at its best says so", "fixtures/suggest/p3test.service", 1.0, true),
	)
})
