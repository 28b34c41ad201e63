package run

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/probes"
)

func TestBoundingSetJudgedPerDroppedCapability(t *testing.T) {
	s := profileOf(t, "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_DAC_READ_SEARCH").Settings
	// The control lacks CAP_SYS_MODULE (bit 16); the profile kept
	// CAP_SYS_ADMIN (bit 21) against the declared set.
	control := probes.Posture{CapBnd: "000001ffffeeffff"}
	profile := probes.Posture{CapBnd: "0000000000200404"}
	got := map[string]string{}
	for _, v := range judgeBoundingSet(s, control, profile, false) {
		got[v.Item] = v.Verdict
		if v.Directives[0] != "CapabilityBoundingSet" || v.ID != BoundingProbePrefix+strings.ToLower(v.Item) {
			t.Errorf("%+v", v)
		}
	}
	for item, want := range map[string]string{"CAP_CHOWN": "enforced", "CAP_SYS_MODULE": "inconclusive", "CAP_SYS_ADMIN": "not-enforced"} {
		if got[item] != want {
			t.Errorf("%s: %q, want %q", item, got[item], want)
		}
	}
	for _, kept := range []string{"CAP_NET_BIND_SERVICE", "CAP_DAC_READ_SEARCH"} {
		if _, ok := got[kept]; ok {
			t.Errorf("%s is kept by the declared set, yet judged", kept)
		}
	}
	if v := judgeBoundingSet(profileOf(t, "ProtectSystem=strict").Settings, control, profile, false); v != nil {
		t.Errorf("no CapabilityBoundingSet=, yet %v", v)
	}
}
