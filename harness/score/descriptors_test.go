package score

import (
	"slices"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/probes"
)

// probedDirectives maps each directive a registry probe claims to the ids
// of the probes that claim it: the registry is the one place that says
// which probe evidences which directive.
func probedDirectives() map[string][]string {
	out := map[string][]string{}
	for _, p := range probes.Registry() {
		for _, d := range p.Directives() {
			out[d] = append(out[d], p.ID)
		}
	}
	return out
}

// Every probe claims a security directive that has a descriptor.
func TestProbesClaimDescriptors(t *testing.T) {
	for d, ids := range probedDirectives() {
		if !directive.Security(d) {
			t.Errorf("probes %v claim %s=, which has no security descriptor", ids, d)
		}
	}
}

// Every score row reads security directives only, and every descriptor
// the scorer reads has a probe that evidences it or says why none can.
func TestScoredDescriptorsAreProbedOrSayWhyNot(t *testing.T) {
	probed := probedDirectives()
	scored := map[string][]string{}
	for _, c := range checks() {
		for _, d := range c.directives() {
			if !directive.Security(d) {
				t.Errorf("row %s reads %s=, which has no security descriptor", c.jsonField, d)
			}
			scored[d] = append(scored[d], c.jsonField)
		}
	}
	for _, spec := range directive.Descriptors() {
		ids := probed[spec.Name]
		switch {
		case len(ids) > 0 && spec.NoProbe != "":
			t.Errorf("%s=: probes %v claim it, yet its descriptor says none can: %q", spec.Name, ids, spec.NoProbe)
		case len(ids) == 0 && spec.NoProbe == "" && len(scored[spec.Name]) > 0:
			t.Errorf("%s= feeds rows %v but no probe claims it and its descriptor gives no reason", spec.Name, scored[spec.Name])
		}
	}
}

// Each row's directives are told apart from the row's own name where the
// name alone would say too little (a row read through runsPrivileged).
func TestRowsNameTheDirectivesTheyRead(t *testing.T) {
	for _, tc := range []struct {
		row  string
		want []string
	}{
		{"PrivateDevices", []string{"PrivateDevices"}},
		{"CapabilityBoundingSet_CAP_SYS_ADMIN", []string{"CapabilityBoundingSet"}},
		{"RestrictNamespaces_user", []string{"RestrictNamespaces"}},
		{"SystemCallFilter_clock", []string{"SystemCallFilter"}},
		{"RestrictAddressFamilies_AF_UNIX", []string{"RestrictAddressFamilies"}},
		{"RemoveIPC", []string{"RemoveIPC", "User", "DynamicUser"}},
		{"DeviceAllow", []string{"DeviceAllow", "DevicePolicy"}},
	} {
		i := slices.IndexFunc(checks(), func(c check) bool { return c.jsonField == tc.row })
		if i < 0 {
			t.Fatalf("no row %s", tc.row)
		}
		if got := checks()[i].directives(); !slices.Equal(got, tc.want) {
			t.Errorf("%s reads %v, want %v", tc.row, got, tc.want)
		}
	}
}
