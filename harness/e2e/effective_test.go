//go:build e2e

package e2e

import (
	"encoding/json"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
)

var _ = Describe("the effective exposure", Label("effective"), Ordered, func() {
	var records []report.Record
	var text string

	BeforeAll(func(ctx SpecContext) {
		units := []string{"fixtures/p3test-hardened.service", "harness/e2e/testdata/behavior/protectproc-root.service"}
		stdout, stderr, code := hardenlab(ctx, append([]string{"run", "--json"}, units...)...)
		Expect(code).To(Equal(0), stderr)
		Expect(json.Unmarshal([]byte(stdout), &records)).To(Succeed(), stdout)
		Expect(records).To(HaveLen(2))
		text, stderr, code = hardenlab(ctx, append([]string{"run"}, units...)...)
		Expect(code).To(Equal(0), stderr)
	}, NodeTimeout(8*time.Minute))

	It("is in the tutorial unit's record and text", func() {
		r := records[0]
		Expect(r.Effective).NotTo(BeNil())
		Expect(r.Effective.Error).To(BeEmpty())
		Expect(r.Effective.Exposure).To(BeNumerically(">=", r.Score.Exposure))
		for _, d := range r.Effective.Discounted {
			Expect(d.Why).NotTo(BeEmpty())
			for _, p := range r.Probes {
				if len(p.Directives) == 1 && p.Directives[0] == d.Directive {
					Expect(p.Verdict).To(Equal("not-enforced"), "%s was discounted though %s is %s", d.Directive, p.ID, p.Verdict)
				}
			}
		}
		Expect(text).To(ContainSubstring("declared 4.9 OK · effective"))
	})

	It("is above the declared score for ProtectProc=invisible running as root", func() {
		r := records[1]
		Expect(verdictOf(r, "proc.hidepid")).To(Equal("not-enforced"))
		Expect(r.Effective).NotTo(BeNil())
		Expect(r.Effective.Error).To(BeEmpty())
		Expect(r.Effective.Exposure).To(BeNumerically(">", r.Score.Exposure))
		var gone []string
		for _, d := range r.Effective.Discounted {
			gone = append(gone, d.Directive)
		}
		Expect(gone).To(ContainElement("ProtectProc"))
		Expect(gone).NotTo(ContainElement("NoNewPrivileges"))
		Expect(strings.Count(text, "counted as unset")).To(BeNumerically(">=", 1))
	})
})
