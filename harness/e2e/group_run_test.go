//go:build e2e

package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

// demoNeeds are the groups outside run.ProbeNeeds without which the demo
// service of the group units (python3 -m http.server) does not serve: a
// unit denying one gets broke-service verdicts. The specs check both ways.
// (Under a group of run.ProbeNeeds the in-sandbox HTTP check, which is
// hardenlab-probe, cannot run either, so the demo's state is not judged.)
func demoNeeds() []string { return []string{"@network-io"} }

const groupUnitPrefix = "group-"

// writeGroupUnits writes one unit per group of allGroups that systemd v
// defines, each denying that group alone with EPERM, and returns their
// paths.
// judgedOnly leaves out the groups no record can judge (those of
// run.ProbeNeeds and demoNeeds), which the probe units show in nspawn:
// each unit costs the VM about 4 s under TCG.
func writeGroupUnits(v score.Version, judgedOnly bool) []string {
	GinkgoHelper()
	dir := GinkgoT().TempDir()
	var paths []string
	for _, g := range allGroups() {
		if groupFilter(g, v).Members(g) == nil || judgedOnly && unjudged(g) {
			continue
		}
		p := filepath.Join(dir, groupUnitPrefix+strings.TrimPrefix(g, "@")+".service")
		unit := fmt.Sprintf("[Unit]\nDescription=hardenlab e2e: a deny-list of %s alone\n\n[Service]\nExecStart=/usr/bin/python3 -m http.server\nSystemCallFilter=~%s\nSystemCallErrorNumber=EPERM\n", g, g)
		Expect(os.WriteFile(p, []byte(unit), 0o644)).To(Succeed())
		paths = append(paths, p)
	}
	return paths
}

// unjudged says whether no record of ~GROUP gets per-call verdicts: the
// probe cannot run under it, or the demo does not serve.
func unjudged(group string) bool {
	_, needed := run.ProbeNeeds()[group]
	return needed || slices.Contains(demoNeeds(), group)
}

// groupRecords are the records of the group units, by group.
func groupRecords(recs []report.Record) map[string]report.Record {
	out := map[string]report.Record{}
	for _, r := range recs {
		if g, ok := strings.CutPrefix(r.Profile.Name, groupUnitPrefix); ok {
			out["@"+g] = r
		}
	}
	return out
}

// groupRunSpecs check hardenlab run's record of each group unit. ownKernel:
// the sandbox has its own kernel and no container filter (a VM), so every
// group the probe can be judged under must get an enforced call; in nspawn
// a group whose every call the container's filter or the kernel answers
// itself is skipped, its verdicts inconclusive.
//
// onlyJudged: the records are those of writeGroupUnits(true).
func groupRunSpecs(records func() (map[string]report.Record, score.Version), ownKernel, onlyJudged bool) {
	DescribeTable("judges ~@GROUP by the calls of that group only",
		func(group string) {
			recs, v := records()
			f := groupFilter(group, v)
			if f.Members(group) == nil {
				Skip(fmt.Sprintf("systemd %s has no %s", v, group))
			}
			if err := parsedGroup(group); err != nil {
				Fail(fmt.Sprintf("systemd %s defines %s, but hardenlab refuses a unit naming it: %v", v, group, err))
			}
			r, ok := recs[group]
			if !ok && onlyJudged && unjudged(group) {
				Skip(fmt.Sprintf("no unit of %s runs here: under it the probe cannot run or the demo does not serve, as the nspawn specs show", group))
			}
			Expect(ok).To(BeTrue(), "no record of the %s unit", group)
			Expect(r.Error).To(BeEmpty())
			for _, p := range r.Probes {
				Expect(p.Verdict).NotTo(Equal("not-enforced"), "%s (%s): %s", p.ID, p.Item, p.Detail)
			}
			vs := callVerdicts(r)
			AddReportEntry(group, verdictCounts(r))
			for _, p := range vs {
				Expect(p.Item).To(Equal(group), "%s: a verdict about a group the filter does not name", p.ID)
			}
			if _, needed := run.ProbeNeeds()[group]; needed {
				// No per-call check is planned, and the record's note says
				// why, also when the filter made the probe unit fail.
				Expect(vs).To(BeEmpty())
				noted := slices.ContainsFunc(r.Profile.Notes, func(n report.Note) bool {
					return strings.Contains(n.Reason, "it denies "+group+", which hardenlab-probe needs")
				})
				Expect(noted).To(BeTrue(), "%s: no note (probe error %q): %+v", group, r.ProbeError, r.Profile.Notes)
				return
			}
			Expect(r.Behavior.Broke()).To(Equal(slices.Contains(demoNeeds(), group)), "%s: %s", r.Behavior.Outcome, r.Behavior.OutcomeDetail)
			if r.Behavior.Broke() {
				for _, p := range vs {
					Expect(p.Verdict).To(Equal(string(probes.BrokeService)), p.ID)
				}
				Skip(fmt.Sprintf("the demo does not serve without %s: the probe units judge it", group))
			}
			Expect(r.ProbeError).To(BeEmpty())
			judgedByTheFilter(r, "EPERM")
			if len(groupsEnforced(r)) == 0 && !ownKernel {
				Skip(fmt.Sprintf("this environment answers every call of %s itself: no verdict here", group))
			}
			Expect(groupsEnforced(r)).To(Equal([]string{group}))
		},
		groupRunEntries(),
	)
}

func groupRunEntries() []TableEntry {
	var out []TableEntry
	for _, g := range allGroups() {
		out = append(out, Entry(g, g))
	}
	return out
}

// runGroupUnits runs the group units with hardenlab run and the flags.
func runGroupUnits(ctx SpecContext, v score.Version, flags ...string) (map[string]report.Record, score.Version) {
	GinkgoHelper()
	units := writeGroupUnits(v, false)
	recs := runUnits(ctx, append(flags, units...)...)
	Expect(recs).To(HaveLen(len(units)))
	got, err := score.ParseVersion(recs[0].Environment.SystemdVersion)
	Expect(err).NotTo(HaveOccurred())
	Expect(got).To(Equal(v), "the units were written for systemd %s", v)
	return groupRecords(recs), v
}

var _ = Describe("hardenlab run judges a deny-list of each group alone", Label("seccomp", "seccomp-groups"), func() {
	Describe("in the host root", Ordered, func() {
		var recs map[string]report.Record
		var v score.Version
		BeforeAll(func(ctx SpecContext) { recs, v = runGroupUnits(ctx, 252) }, NodeTimeout(5*time.Minute))
		groupRunSpecs(func() (map[string]report.Record, score.Version) { return recs, v }, false, false)
	})
	Describe("under debian:trixie", Ordered, func() {
		var recs map[string]report.Record
		var v score.Version
		BeforeAll(func(ctx SpecContext) { recs, v = runGroupUnits(ctx, 257, "--root", trixieRoot()) }, NodeTimeout(5*time.Minute))
		groupRunSpecs(func() (map[string]report.Record, score.Version) { return recs, v }, false, false)
	})
})

// runUnits is "hardenlab run --json ARGS", which must exit 0.
func runUnits(ctx SpecContext, args ...string) []report.Record {
	GinkgoHelper()
	stdout, stderr, code := hardenlab(ctx, append([]string{"run", "--json"}, args...)...)
	Expect(code).To(Equal(0), stderr)
	var recs []report.Record
	Expect(json.Unmarshal([]byte(stdout), &recs)).To(Succeed(), stdout)
	AddReportEntry("records", recs, ReportEntryVisibilityNever)
	return recs
}

// verdictCounts sums up a group unit's record for the report.
func verdictCounts(r report.Record) string {
	n := map[string]int{}
	for _, v := range callVerdicts(r) {
		n[v.Verdict]++
	}
	return fmt.Sprintf("per-call verdicts %v; behavior %s; probe error %q; notes %d", n, r.Behavior.Outcome, r.ProbeError, len(r.Profile.Notes))
}
