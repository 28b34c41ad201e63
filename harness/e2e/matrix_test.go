//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
)

// matrixOf runs "hardenlab matrix" as a user would and reads its document.
func matrixOf(ctx SpecContext, args ...string) report.Matrix {
	out := filepath.Join(GinkgoT().TempDir(), "matrix.json")
	_, stderr, code := hardenlab(ctx, append(append([]string{"matrix", "--out", out}, args...), "fixtures/p3test-hardened.service")...)
	Expect(code).To(Equal(0), stderr)
	b, err := os.ReadFile(out)
	Expect(err).NotTo(HaveOccurred())
	var m report.Matrix
	Expect(json.Unmarshal(b, &m)).To(Succeed())
	AddReportEntry("matrix", m, ReportEntryVisibilityNever)
	return m
}

var _ = Describe("hardenlab matrix on the tutorial's hardened unit", Label("run", "matrix"), func() {
	It("climbs the ladder from 9.6 to 4.9, every step scored alike by systemd-analyze and hardenlab's scorer", func(ctx SpecContext) {
		m := matrixOf(ctx, "--mode", "ladder", "--jobs", "3", "--no-probes", "--systemd-analyze", "all")
		steps := append([]report.Record(nil), m.Records...)
		sort.SliceStable(steps, func(i, j int) bool { return steps[i].Profile.Step < steps[j].Profile.Step })
		Expect(steps).To(HaveLen(len(m.Directives) + 1))
		Expect(steps[0].Profile.Kind).To(Equal(profile.Control))
		Expect(steps[0].Score.Exposure).To(Equal(9.6))
		Expect(steps[len(steps)-1].Score.Exposure).To(Equal(4.9))
		for _, r := range steps {
			Expect(r.Error).To(BeEmpty(), r.Profile.Name)
			Expect(r.Score.Source).To(Equal("systemd-analyze"), r.Profile.Name)
			Expect(r.Score.Ours).NotTo(BeNil(), r.Profile.Name)
			Expect(r.Score.Ours.Exposure).To(Equal(r.Score.Exposure), r.Profile.Name)
			Expect(r.Score.Disagreements).To(BeEmpty(), r.Profile.Name)
		}
	}, NodeTimeout(5*time.Minute))

	It("by default scores with hardenlab's scorer, has systemd-analyze check the unit as written, and probes each profile's own directives", func(ctx SpecContext) {
		m := matrixOf(ctx, "--mode", "single", "--jobs", "3")
		Expect(m.Records).To(HaveLen(len(m.Directives) + 2))
		for _, r := range m.Records {
			Expect(r.Error).To(BeEmpty(), r.Profile.Name)
			Expect(r.ProbeError).To(BeEmpty(), r.Profile.Name)
			Expect(r.Score.Ours).NotTo(BeNil(), r.Profile.Name)
			Expect(r.Score.Disagreements).To(BeEmpty(), r.Profile.Name)
			Expect(r.Behavior.CPUMillis).To(BeNumerically(">", 0), "%s: the demo's CPU time", r.Profile.Name)
			switch r.Profile.Kind {
			case profile.Control:
				Expect(r.ProbeScope).To(Equal("all"))
				Expect(r.Preflight).NotTo(BeNil(), "the control takes the environment preflight")
				Expect(r.Score.Source).To(Equal("hardenlab"))
			case profile.Full:
				Expect(r.Score.Source).To(Equal("systemd-analyze"))
				Expect(r.Score.Exposure).To(Equal(4.9))
				Expect(r.ProbeScope).To(Equal("declared"))
			default:
				Expect(r.Score.Source).To(Equal("hardenlab"), r.Profile.Name)
				Expect(r.ProbeScope).To(Equal("declared"), r.Profile.Name)
				Expect(r.Preflight).To(BeNil(), r.Profile.Name)
				// Exactly the probes of its one directive ran, and each
				// has a verdict or, for a bypass row, a bypass entry; the
				// per-item verdicts (sys.syscall-*, caps.bound-*) come
				// beside them.
				judged := map[string]bool{}
				for _, p := range r.Probes {
					judged[p.ID] = true
					Expect(p.Directives).To(ConsistOf(r.Profile.Directive), r.Profile.Name)
				}
				for _, b := range r.Bypasses {
					judged[b.ID] = true
					Expect(b.Directives).To(ConsistOf(r.Profile.Directive), r.Profile.Name)
				}
				for _, res := range r.ProbeResults {
					Expect(judged).To(HaveKey(res.ID), r.Profile.Name)
				}
			}
		}
	}, NodeTimeout(5*time.Minute))
})

var _ = Describe("hardenlab matrix under systemd 257", Label("run", "matrix", "versions"), func() {
	It("scores every profile alike with 257's systemd-analyze and hardenlab's 257 scorer", func(ctx SpecContext) {
		// The debian:trixie root is the one the scorer parity tests build
		// (cached under /var/lib/hardenlab); on a machine without it this
		// builds it first.
		m := matrixOf(ctx, "--mode", "single", "--jobs", "3", "--no-probes", "--systemd-analyze", "all", "--env", "debian:trixie")
		Expect(m.Environments).To(HaveLen(1))
		Expect(m.Environments[0].SystemdVersion).To(HavePrefix("257"))
		Expect(m.Records).To(HaveLen(len(m.Directives) + 2))
		for _, r := range m.Records {
			Expect(r.Error).To(BeEmpty(), r.Profile.Name)
			Expect(r.Score.Source).To(Equal("systemd-analyze"), r.Profile.Name)
			Expect(r.Score.Ours).NotTo(BeNil(), r.Profile.Name)
			Expect(r.Score.Ours.Version).To(Equal("257"), r.Profile.Name)
			Expect(r.Score.Ours.Exposure).To(Equal(r.Score.Exposure), r.Profile.Name)
			Expect(r.Score.Disagreements).To(BeEmpty(), r.Profile.Name)
			if r.Profile.Kind == profile.Full {
				Expect(r.Score.Exposure).To(Equal(4.9))
			}
		}
	}, NodeTimeout(20*time.Minute))

	It("runs a SystemCallFilter= name only 257's libseccomp knows on 257, and refuses it on 252 before starting", func(ctx SpecContext) {
		unit := filepath.Join(GinkgoT().TempDir(), "mseal.service")
		Expect(os.WriteFile(unit, []byte("[Service]\nExecStart=/usr/bin/python3 -m http.server\nSystemCallFilter=@system-service mseal\n"), 0o644)).To(Succeed())
		out := filepath.Join(GinkgoT().TempDir(), "m.json")
		_, stderr, code := hardenlab(ctx, "matrix", "--mode", "single", "--no-probes", "--systemd-analyze", "all",
			"--env", "host-root,debian:trixie", "--out", out, unit)
		Expect(code).To(Equal(1), "the 252 profiles cannot run: %s", stderr)
		b, err := os.ReadFile(out)
		Expect(err).NotTo(HaveOccurred())
		var m report.Matrix
		Expect(json.Unmarshal(b, &m)).To(Succeed())
		var on252, on257 int
		for _, r := range m.Records {
			switch {
			case strings.HasPrefix(r.Environment.SystemdVersion, "257"):
				on257++
				Expect(r.Error).To(BeEmpty(), r.Profile.Name)
				Expect(r.Behavior.Started).To(BeTrue(), r.Profile.Name)
				Expect(r.Score.Disagreements).To(BeEmpty(), r.Profile.Name)
			case r.Profile.Kind != profile.Control:
				on252++
				Expect(r.Error).To(ContainSubstring(`ignores system call "mseal"`), r.Profile.Name)
				Expect(r.Error).To(ContainSubstring("mseal.service:3"), r.Profile.Name)
				Expect(r.Behavior.Started).To(BeFalse(), "%s: refused before anything started", r.Profile.Name)
			}
		}
		Expect(on257).To(BeNumerically(">=", 3))
		Expect(on252).To(BeNumerically(">=", 2))
	}, NodeTimeout(20*time.Minute))
})

var _ = Describe("hardenlab bench", Label("run", "bench"), func() {
	It("runs the naive loop and the matrix on the same profiles, and both score each alike", func(ctx SpecContext) {
		stdout, stderr, code := hardenlab(ctx, "bench", "--json", "--jobs", "3", "--mode", "ladder", "fixtures/p3test-hardened.service")
		Expect(code).To(Equal(0), stderr)
		var res struct {
			Profiles int `json:"profiles"`
			Rows     []struct {
				Profile       string  `json:"profile"`
				NaiveMillis   float64 `json:"naive_ms"`
				NaiveExposure string  `json:"naive_exposure"`
				Millis        float64 `json:"hardenlab_ms"`
				Exposure      string  `json:"hardenlab_exposure"`
				Error         string  `json:"error"`
			} `json:"rows"`
			DemoCPU    float64  `json:"demo_cpu_ms"`
			PeakRSS    float64  `json:"peak_rss_mib"`
			Mismatches []string `json:"score_mismatches"`
		}
		Expect(json.Unmarshal([]byte(stdout), &res)).To(Succeed(), stdout)
		AddReportEntry("bench", res, ReportEntryVisibilityNever)
		Expect(res.Rows).To(HaveLen(res.Profiles))
		Expect(res.Mismatches).To(BeEmpty())
		for _, r := range res.Rows {
			Expect(r.Error).To(BeEmpty(), r.Profile)
			// systemd-analyze in the naive loop and hardenlab's scorer.
			Expect(r.Exposure).To(Equal(r.NaiveExposure), r.Profile)
			Expect(r.NaiveMillis).To(BeNumerically(">", 0), r.Profile)
			Expect(r.Millis).To(BeNumerically(">", 0), r.Profile)
		}
		Expect(res.Rows[0].NaiveExposure).To(Equal("9.6"))
		Expect(res.Rows[len(res.Rows)-1].NaiveExposure).To(Equal("4.9"))
		Expect(res.DemoCPU).To(BeNumerically(">", 0))
		Expect(res.PeakRSS).To(BeNumerically(">", 0))
	}, NodeTimeout(5*time.Minute))
})
