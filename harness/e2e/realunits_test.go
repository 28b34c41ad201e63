//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
)

// analyzeOffline is what systemd-analyze security --offline=true of the
// installed systemd says of a unit file.
func analyzeOffline(ctx SpecContext, path string) string {
	out, _ := exec.CommandContext(ctx, "systemd-analyze", "security", "--offline=true", "--no-pager", path).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for \S+: (\d+\.\d)`).FindSubmatch(out)
	Expect(m).NotTo(BeNil(), string(out))
	return string(m[1])
}

var _ = Describe("real unit files", Label("realunits"), func() {
	It("runs the issue's web service: it starts, answers HTTP, reads back every directive, and scores as systemd-analyze does", func(ctx SpecContext) {
		rec := servedRecord(ctx, "fixtures/webservice.service")
		Expect(rec.Readback).To(BeEmpty())
		Expect(rec.Score.Source).To(Equal("systemd-analyze"))
		Expect(rec.Score.Disagreements).To(BeEmpty())
		var skipped []string
		for _, n := range rec.Profile.Notes {
			if strings.HasPrefix(n.Reason, "not run:") {
				skipped = append(skipped, n.Directive)
			}
		}
		Expect(skipped).To(ConsistOf("ExecStartPre"), "the demo does not run the unit's other commands, and says so")

		stdout, stderr, code := hardenlab(ctx, "score", "--offline", "--json", "--systemd-version", "252", "fixtures/webservice.service")
		Expect(code).To(Equal(0), stderr)
		var scored []struct {
			Exposure float64 `json:"exposure"`
		}
		Expect(json.Unmarshal([]byte(stdout), &scored)).To(Succeed())
		Expect(scored).To(HaveLen(1))
		Expect(analyzeOffline(ctx, filepath.Join(repo, "fixtures/webservice.service"))).To(Equal("8.3"))
		Expect(scored[0].Exposure).To(Equal(8.3))
	})

	It("runs the [Service] directives of redis-server's shipped unit one at a time", func(ctx SpecContext) {
		if _, err := os.Stat("/usr/bin/redis-server"); err != nil {
			Skip("redis-server is not installed (apt-get install redis-server): the unit's ExecStart and User= need it")
		}
		// The demo does not speak sd_notify, so Type=notify would never
		// become active; everything else is the file as shipped.
		body, err := os.ReadFile(filepath.Join(repo, "fixtures/redis-server.service"))
		Expect(err).NotTo(HaveOccurred())
		unit := filepath.Join(GinkgoT().TempDir(), "redis-server.service")
		Expect(os.WriteFile(unit, []byte(strings.Replace(string(body), "Type=notify", "Type=simple", 1)), 0o644)).To(Succeed())
		out := filepath.Join(GinkgoT().TempDir(), "matrix.json")
		_, stderr, _ := hardenlab(ctx, "matrix", "--out", out, "--mode", "single", "--jobs", "3", "--no-probes", "--systemd-analyze", "all", unit)
		b, err := os.ReadFile(out)
		Expect(err).NotTo(HaveOccurred(), stderr)
		var m report.Matrix
		Expect(json.Unmarshal(b, &m)).To(Succeed())
		AddReportEntry("matrix", m, ReportEntryVisibilityNever)
		// Only hardening is ablated: Restart= and friends are the unit's
		// environment in every profile.
		Expect(m.Directives).To(ContainElements("ReadWritePaths", "NoExecPaths", "SystemCallFilter", "ProtectSystem"))
		Expect(m.Directives).NotTo(ContainElements("Restart", "TimeoutStopSec", "LimitNOFILE", "RuntimeDirectory"))
		Expect(m.Records).To(HaveLen(len(m.Directives) + 2))
		// The package made its redis user in the host's /etc, which a
		// volatile root lacks: the demo's sandbox shows the root's own.
		Expect(m.Environments).To(HaveLen(1))
		Expect(m.Environments[0].RootView).To(Equal("overlay"), stderr)
		Expect(stderr).To(ContainSubstring("the unit runs as user redis, group redis, which a volatile /etc lacks"))
		for _, r := range m.Records {
			Expect(r.Error).To(BeEmpty(), r.Profile.Name)
			Expect(r.Score.Disagreements).To(BeEmpty(), r.Profile.Name)
			switch {
			case r.Profile.Name == "full" || r.Profile.Directive == "NoExecPaths":
				// NoExecPaths=/ leaves only redis-server and /usr/lib
				// executable: the demo's python3 cannot start under it,
				// which is what the directive is for.
				Expect(r.Behavior.ExecMainStatus).To(Equal(int32(203)), "%s: systemd's EXIT_EXEC", r.Profile.Name)
			default:
				Expect(r.Behavior.Started).To(BeTrue(), "%s: %v", r.Profile.Name, r.Behavior.JournalTail)
				Expect(r.Behavior.HTTPStatus).To(Equal(200), r.Profile.Name)
				Expect(r.Readback).To(BeEmpty(), r.Profile.Name)
			}
		}
	})
})

// servedRecord runs one unit with `hardenlab run` (no probes, scored by
// systemd-analyze too) and checks that it started and served.
func servedRecord(ctx SpecContext, args ...string) report.Record {
	stdout, stderr, code := hardenlab(ctx, append([]string{"run", "--json", "--no-probes", "--systemd-analyze", "all"}, args...)...)
	Expect(code).To(Equal(0), stderr)
	var recs []report.Record
	Expect(json.Unmarshal([]byte(stdout), &recs)).To(Succeed())
	Expect(recs).To(HaveLen(1))
	rec := recs[0]
	AddReportEntry("record", rec, ReportEntryVisibilityNever)
	Expect(rec.Error).To(BeEmpty())
	Expect(rec.Behavior.Started).To(BeTrue(), "%v", rec.Behavior.JournalTail)
	Expect(rec.Behavior.HTTPStatus).To(Equal(200))
	return rec
}
