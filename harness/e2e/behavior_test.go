//go:build e2e

package e2e

import (
	"encoding/json"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// claimedProbes are the registry's probes that evidence one of the
// directives the record's profile declares: the verdicts it must have.
func claimedProbes(r report.Record) []string {
	declared := map[string]bool{}
	for _, d := range r.Profile.Directives {
		declared[d.Name] = true
	}
	var out []string
	for _, p := range probes.Registry() {
		for _, c := range p.Claims {
			if declared[c.Directive] && !slices.Contains(out, p.ID) {
				out = append(out, p.ID)
			}
		}
	}
	return out
}

func verdictOf(r report.Record, id string) string {
	for _, p := range r.Probes {
		if p.ID == id {
			return p.Verdict
		}
	}
	return ""
}

var _ = Describe("the behavior finding", Label("behavior"), Ordered, func() {
	var records []report.Record

	BeforeAll(func(ctx SpecContext) {
		stdout, stderr, code := hardenlab(ctx, "run", "--json",
			"harness/e2e/testdata/behavior/ipdeny.service",
			"harness/e2e/testdata/behavior/privnet.service",
			"harness/e2e/testdata/behavior/exits.service")
		Expect(code).To(Equal(0), stderr)
		Expect(json.Unmarshal([]byte(stdout), &records)).To(Succeed(), stdout)
		Expect(records).To(HaveLen(3))
	}, NodeTimeout(5*time.Minute))

	It("gives a unit with IPAddressDeny=any a verdict for every probe of its directives, and says why the host could not reach it", func() {
		r := records[0]
		ids := []string{}
		for _, p := range r.Probes {
			ids = append(ids, p.ID)
			Expect(p.Verdict).NotTo(Equal(string(probes.BrokeService)), "probe %s", p.ID)
		}
		Expect(ids).To(ConsistOf(claimedProbes(r)))
		switch verdictOf(r, "net.connect-target") {
		case string(probes.Enforced):
			Expect(r.Behavior.Outcome).To(Equal("unreachable"))
			Expect(r.Behavior.OutcomeDetail).To(ContainSubstring("the host cannot reach it"))
			Expect(r.Behavior.Error).To(ContainSubstring("listens inside its sandbox"))
			Expect(r.Behavior.OutcomeDetail).To(ContainSubstring("packets to it are dropped"))
			// The drop is seen at once, as the send's EPERM, not after a
			// TCP connect's timeout.
			Expect(rawResult(r, "net.connect-target").Errno).To(Equal("EPERM"), "%+v", rawResult(r, "net.connect-target"))
		case string(probes.NotEnforced):
			// No cgroup BPF here: the deny does nothing and the demo serves.
			Expect(r.Behavior.Outcome).To(Equal("serves"))
		default:
			Fail("net.connect-target has no enforced or not-enforced verdict: " + verdictOf(r, "net.connect-target"))
		}
		Expect(r.Timings.Ready).To(BeNumerically("<", 10000), "readiness must end once the outcome is known, not at the timeout")
	})

	It("finds a PrivateNetwork= service serving inside its own sandbox", func() {
		r := records[1]
		Expect(r.Behavior.Outcome).To(Equal("unreachable"))
		Expect(r.Behavior.InsideCheck).NotTo(BeNil())
		Expect(r.Behavior.InsideCheck.Error).To(BeEmpty())
		Expect(r.Behavior.InsideCheck.OK).To(BeTrue(), "%+v", r.Behavior.InsideCheck)
		Expect(r.Behavior.InsideCheck.HTTPStatus).To(Equal(200))
		Expect(r.Behavior.OutcomeDetail).To(ContainSubstring("from inside its sandbox it serves"))
		Expect(verdictOf(r, "net.private-network")).To(Equal(string(probes.Enforced)))
		Expect(r.Timings.Ready).To(BeNumerically("<", 5000))
	})

	It("names the exit status of a service that exited, with its journal", func() {
		r := records[2]
		Expect(r.Behavior.Outcome).To(Equal("exited"))
		Expect(r.Behavior.ExitStatusName).To(Equal("226/NAMESPACE"))
		Expect(r.Behavior.OutcomeDetail).To(ContainSubstring("226/NAMESPACE"))
		Expect(r.Behavior.JournalTail).NotTo(BeEmpty())
		Expect(r.Behavior.JournalTail).NotTo(ContainElement(HavePrefix("(journal unavailable")))
		for _, p := range r.Probes {
			Expect(p.Verdict).To(Equal(string(probes.BrokeService)), "probe %s", p.ID)
		}
	})
})
