package probes

import "fmt"

// VerdictKind is the judgement on one (directive, probe) pair, exactly as
// DESIGN.md "Verdicts" defines it.
type VerdictKind string

const (
	Enforced     VerdictKind = "enforced"      // allowed under control, blocked under the profile
	NotEnforced  VerdictKind = "not-enforced"  // allowed under both: declared, scored, does nothing here
	Inconclusive VerdictKind = "inconclusive"  // blocked under control too: the environment forbids it anyway
	BrokeService VerdictKind = "broke-service" // the unit failed to start or the demo stopped answering
	VerdictError VerdictKind = "error"         // the probe itself failed
)

// Verdict judges one probe from its result under the control profile (no
// hardening) and under the profile being tested, with a one-line reason.
// For probes of Grants polarity (ReadWritePaths=, AmbientCapabilities=) the
// directive holds when the action stays allowed. A skipped probe measured
// nothing, which is inconclusive rather than an error.
func Verdict(control, profile Result, serviceBroken bool) (VerdictKind, string) {
	if serviceBroken {
		return BrokeService, "the unit failed to start or the demo service stopped answering HTTP"
	}
	if control.ID != profile.ID {
		return VerdictError, fmt.Sprintf("results of different probes compared: control %q, profile %q", control.ID, profile.ID)
	}
	p, ok := Find(control.ID)
	if !ok {
		return VerdictError, fmt.Sprintf("unknown probe id %q", control.ID)
	}
	for _, r := range []struct {
		name string
		res  Result
	}{{"control", control}, {"profile", profile}} {
		switch r.res.Outcome {
		case Errored:
			return VerdictError, fmt.Sprintf("probe failed under the %s: %s", r.name, r.res.Detail)
		case Skipped:
			return Inconclusive, fmt.Sprintf("probe skipped under the %s: %s", r.name, r.res.Detail)
		case Allowed, Blocked:
		default:
			return VerdictError, fmt.Sprintf("unknown outcome %q under the %s", r.res.Outcome, r.name)
		}
	}
	if control.Outcome == Blocked {
		return Inconclusive, "blocked under the control too (" + how(control) + "): this environment forbids it anyway"
	}
	switch {
	case p.Polarity == Grants && profile.Outcome == Allowed:
		return Enforced, "still allowed under the profile, as the directive grants: " + profile.Detail
	case p.Polarity == Grants:
		return NotEnforced, "blocked under the profile (" + how(profile) + "): the grant did not hold"
	case profile.Outcome == Blocked:
		return Enforced, "allowed under the control, blocked under the profile (" + how(profile) + ")"
	}
	return NotEnforced, "allowed under both the control and the profile: declared but not enforced here"
}

// how names the errno or signal that blocked a result, or its detail.
func how(r Result) string {
	switch {
	case r.Signal != "":
		return r.Signal
	case r.Errno != "":
		return r.Errno
	}
	return r.Detail
}

// VerdictKinds lists every verdict, in the order reports count them.
func VerdictKinds() []VerdictKind {
	return []VerdictKind{Enforced, NotEnforced, Inconclusive, BrokeService, VerdictError}
}
