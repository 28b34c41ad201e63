package run

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
	"github.com/hardenlab/hardenlab/probes/linux"
)

// BoundingProbePrefix starts the id of a per-capability verdict of
// CapabilityBoundingSet=: "caps.bound-cap_sys_admin".
const BoundingProbePrefix = "caps.bound-"

// judgeBoundingSet judges CapabilityBoundingSet= once per capability it
// drops, from the CapBnd the kernel reports for the probe process under
// the control and under the profile (the posture every probe run reads,
// and which the record proves is the service's own): dropped where the
// control had it is enforced, still there is not enforced, absent from
// the control's set already is inconclusive.
func judgeBoundingSet(s *directive.Settings, control, profile probes.Posture, broken bool) []report.ProbeResult {
	if !s.Set("CapabilityBoundingSet") {
		return nil
	}
	ctl, cerr := strconv.ParseUint(control.CapBnd, 16, 64)
	got, perr := strconv.ParseUint(profile.CapBnd, 16, 64)
	var out []report.ProbeResult
	for _, c := range linux.Capabilities() {
		if s.CapabilityBoundingSet&c.Mask() != 0 {
			continue
		}
		r := report.ProbeResult{ID: BoundingProbePrefix + strings.ToLower(c.String()), Directives: []string{"CapabilityBoundingSet"}, Item: c.String()}
		r.Control, r.Outcome = capOutcome(ctl, cerr, c), capOutcome(got, perr, c)
		v, why := boundVerdict(r.Control, r.Outcome, broken)
		r.Verdict, r.Detail = string(v), fmt.Sprintf("%s: CapBnd %s under the profile, %s under the control", why, profile.CapBnd, control.CapBnd)
		out = append(out, r)
	}
	return out
}

// capOutcome says whether a bounding set lets the capability be gained:
// "allowed" when it holds it, "blocked" when not.
func capOutcome(mask uint64, err error, c linux.Capability) string {
	switch {
	case err != nil:
		return string(probes.Errored)
	case mask&c.Mask() != 0:
		return string(probes.Allowed)
	}
	return string(probes.Blocked)
}

func boundVerdict(control, profile string, broken bool) (probes.VerdictKind, string) {
	switch {
	case broken:
		return probes.BrokeService, "the unit failed to start or the demo service stopped answering HTTP"
	case control == string(probes.Errored) || profile == string(probes.Errored):
		return probes.VerdictError, "a CapBnd could not be read"
	case control != string(probes.Allowed):
		return probes.Inconclusive, "the control's bounding set lacks it already: this environment drops it anyway"
	case profile == string(probes.Allowed):
		return probes.NotEnforced, "dropped by the declared set but still in the bounding set"
	}
	return probes.Enforced, "in the control's bounding set, gone from the profile's"
}
