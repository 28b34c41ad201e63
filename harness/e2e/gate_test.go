//go:build e2e

package e2e

import (
	"encoding/xml"
	"os"
	"path/filepath"

	. "github.com/onsi/gomega"
	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/hardenlab/hardenlab/harness/baseline"
)

// gateOutputs are the files one check run writes.
type gateOutputs struct{ json, sarif, junit string }

func gateOutputsIn(dir string) gateOutputs {
	return gateOutputs{filepath.Join(dir, "m.json"), filepath.Join(dir, "m.sarif"), filepath.Join(dir, "m.xml")}
}

// expectTutorialFindings: the SARIF log validates against the 2.1.0
// schema and puts the tutorial unit's IPAddressAllow= (line 20) and
// RestrictNamespaces= (line 14) findings on their lines; the JUnit report
// counts as many (directive, probe) cases and failures as the JSON has.
func (o gateOutputs) expectTutorialFindings() {
	rep, err := gosarif.Open(o.sarif, gosarif.WithStrictValidation())
	Expect(err).NotTo(HaveOccurred())
	Expect(rep.Validate()).To(Succeed())
	lines := map[string][]int{}
	for _, r := range rep.Runs[0].Results {
		d, _ := r.Properties.Properties["directive"].(string)
		loc := r.Locations[0].PhysicalLocation
		Expect(*loc.ArtifactLocation.URI).To(Equal("fixtures/p3test-hardened.service"))
		lines[d] = append(lines[d], *loc.Region.StartLine)
	}
	Expect(lines["IPAddressAllow"]).NotTo(BeEmpty())
	Expect(lines["RestrictNamespaces"]).NotTo(BeEmpty())
	for _, l := range lines["IPAddressAllow"] {
		Expect(l).To(Equal(20))
	}
	for _, l := range lines["RestrictNamespaces"] {
		Expect(l).To(Equal(14))
	}

	m, err := baseline.Load(o.json)
	Expect(err).NotTo(HaveOccurred())
	pairs, failures := 0, 0
	for _, r := range m.Records {
		for _, p := range r.Probes {
			pairs += len(p.Directives)
			if p.Verdict == "not-enforced" || p.Verdict == "broke-service" {
				failures += len(p.Directives)
			}
		}
	}
	var suites struct {
		Suites []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	data, err := os.ReadFile(o.junit)
	Expect(err).NotTo(HaveOccurred())
	Expect(xml.Unmarshal(data, &suites)).To(Succeed())
	// Every profile has two behaviour cases, and a check one for its
	// baseline comparison.
	Expect(suites.Suites).To(HaveLen(len(m.Records) + 1))
	cases, failed := 0, 0
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			cases++
			if c.Failure != nil {
				failed++
			}
		}
	}
	Expect(cases).To(Equal(pairs + 2*len(m.Records) + 1))
	Expect(failed).To(Equal(failures), "the tutorial's services all serve, so only not-enforced verdicts fail")
	Expect(failures).To(BeNumerically(">", 0))
}
