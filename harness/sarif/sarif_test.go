package sarif

import (
	"bytes"
	"encoding/json"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/findings"
)

func tutorialLog(t *testing.T) []byte {
	t.Helper()
	m, err := baseline.Load("../report/testdata/matrix-p3test-hardened.json")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, findings.FromMatrix(m, nil)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The bytes written, read back strictly, validate against the SARIF 2.1.0
// JSON schema (gojsonschema with the OASIS schema go-sarif ships).
func TestTutorialLogValidates(t *testing.T) {
	rep, err := gosarif.FromBytes(tutorialLog(t), gosarif.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatal(err)
	}
}

// A broken log must fail the same check, or the test above proves nothing.
func TestValidationCatchesABrokenLog(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(tutorialLog(t), &doc); err != nil {
		t.Fatal(err)
	}
	doc["version"] = "2.0.0"
	broken, _ := json.Marshal(doc)
	rep, err := gosarif.FromBytes(broken, gosarif.WithStrictValidation())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Validate() == nil {
		t.Fatal("a log with version 2.0.0 validated")
	}
}

type log struct {
	Runs []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct {
				Text string `json:"text"`
			} `json:"message"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			Properties map[string]any `json:"properties"`
		} `json:"results"`
	} `json:"runs"`
}

func TestTutorialFindingsOnTheirLines(t *testing.T) {
	var l log
	if err := json.Unmarshal(tutorialLog(t), &l); err != nil {
		t.Fatal(err)
	}
	if len(l.Runs) != 1 {
		t.Fatalf("%d runs", len(l.Runs))
	}
	run := l.Runs[0]
	if len(run.Tool.Driver.Rules) != len(findings.Rules()) {
		t.Errorf("%d rules, want every rule of the table", len(run.Tool.Driver.Rules))
	}
	lines := map[string]map[int]bool{}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s points at rule %d", r.RuleID, r.RuleIndex)
		}
		if len(r.Locations) != 1 || r.Locations[0].PhysicalLocation.ArtifactLocation.URI != "fixtures/p3test-hardened.service" {
			t.Errorf("result %s: locations %+v", r.RuleID, r.Locations)
			continue
		}
		d, _ := r.Properties["directive"].(string)
		if lines[d] == nil {
			lines[d] = map[int]bool{}
		}
		lines[d][r.Locations[0].PhysicalLocation.Region.StartLine] = true
	}
	for d, line := range map[string]int{"IPAddressAllow": 20, "RestrictNamespaces": 14} {
		if len(lines[d]) != 1 || !lines[d][line] {
			t.Errorf("%s= results on lines %v, want only %d", d, lines[d], line)
		}
	}
}

func TestFileURI(t *testing.T) {
	for in, want := range map[string]string{
		"fixtures/p3test.service":                "fixtures/p3test.service",
		"/lib/systemd/system/ssh.service":        "file:///lib/systemd/system/ssh.service",
		"units/getty@tty 1.service":              "units/getty@tty%201.service",
		"/etc/systemd/system/a.service.d/x.conf": "file:///etc/systemd/system/a.service.d/x.conf",
	} {
		if got := fileURI(in); got != want {
			t.Errorf("fileURI(%q) = %q, want %q", in, got, want)
		}
	}
}
