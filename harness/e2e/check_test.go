//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("hardenlab check against the committed baseline", Label("gate"), func() {
	const base = "fixtures/baselines/p3test-hardened.json"

	It("passes for the unit the baseline was made from, and writes SARIF and JUnit that agree with the JSON", func(ctx SpecContext) {
		out := gateOutputsIn(GinkgoT().TempDir())
		stdout, stderr, code := hardenlab(ctx, "check", "--jobs", "3", "--baseline", base,
			"--out", out.json, "--sarif", out.sarif, "--junit", out.junit, "fixtures/p3test-hardened.service")
		Expect(code).To(Equal(0), stdout+stderr)
		Expect(stdout).To(ContainSubstring("no regression"))
		out.expectTutorialFindings()
	}, SpecTimeout(10*time.Minute))

	It("fails, naming the directive, the lost verdict and the score change, when a directive is removed", func(ctx SpecContext) {
		data, err := os.ReadFile(filepath.Join(repo, "fixtures", "p3test-hardened.service"))
		Expect(err).NotTo(HaveOccurred())
		var kept []string
		for _, l := range strings.Split(string(data), "\n") {
			if !strings.HasPrefix(l, "ProtectClock=") {
				kept = append(kept, l)
			}
		}
		unit := filepath.Join(GinkgoT().TempDir(), "p3test-hardened.service")
		Expect(os.WriteFile(unit, []byte(strings.Join(kept, "\n")), 0o644)).To(Succeed())
		stdout, stderr, code := hardenlab(ctx, "check", "--jobs", "3", "--baseline", base, unit)
		Expect(code).To(Equal(1), stdout+stderr)
		Expect(stdout).To(ContainSubstring("ProtectClock"))
		Expect(stdout).To(ContainSubstring("sys.clock-set"))
		Expect(stdout).To(MatchRegexp(`from 4\.9 to 5\.0`))
	}, SpecTimeout(10*time.Minute))
})
