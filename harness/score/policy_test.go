package score

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestPolicyFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "fixtures", "score", "policies")
	for _, tc := range []struct {
		file    string
		wantErr string
	}{
		{"example.policy", ""},
		{"wrong-types.policy", ""},
		{"range-below-badness.policy", "below the largest badness"},
		{"range-zero.policy", "below the largest badness"},
		{"not-object.policy", "must be a JSON object"},
		{"syntax-error.policy", "line 2"},
	} {
		_, err := LoadPolicy(filepath.Join(dir, tc.file))
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.file, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.file, err, tc.wantErr)
		}
	}
}

// scoring.md §5 (k), measured with systemd-analyze 252: 52461 / 58061.
func TestPolicyExample(t *testing.T) {
	p, err := LoadPolicy(filepath.Join("..", "..", "fixtures", "score", "policies", "example.policy"))
	if err != nil {
		t.Fatal(err)
	}
	r := scoreText(t, "[Service]\nExecStart=/usr/bin/true\n", Options{Version: V252, Offline: true, Policy: p})
	if r.BadnessSum != 52461 || r.WeightSum != 58061 || r.Tenths != 91 {
		t.Errorf("got %d/%d = %d, want 52461/58061 = 91", r.BadnessSum, r.WeightSum, r.Tenths)
	}
	for _, c := range r.Checks {
		switch c.ID {
		case "PrivateNetwork":
			if !c.NA || c.Description != descExcluded {
				t.Errorf("PrivateNetwork: %+v, want excluded", c)
			}
		case "KeyringMode":
			if c.Description != "Service doesn't share key material with other services" {
				t.Errorf("KeyringMode good text changed by a description_bad override: %q", c.Description)
			}
		}
	}
}

func TestPolicyWeightOverflow(t *testing.T) {
	if _, err := ParsePolicy("p", []byte(`{"UMask":{"weight":18446744073709551615}}`)); err == nil {
		t.Error("a weight that overflows the sums was accepted")
	}
}
