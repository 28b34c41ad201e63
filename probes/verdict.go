package probes

import "fmt"

// VerdictKind is the judgement on one (directive, probe) pair.
type VerdictKind string

const (
	Enforced     VerdictKind = "enforced"      // allowed under control, blocked under the profile
	NotEnforced  VerdictKind = "not-enforced"  // allowed under both: declared, scored, does nothing here
	Inconclusive VerdictKind = "inconclusive"  // blocked under control too: the environment forbids it anyway
	BrokeService VerdictKind = "broke-service" // the unit failed to start or the demo stopped answering
	VerdictError VerdictKind = "error"         // the probe itself failed
)

// Evidence is everything one verdict is made of: the probe's result under
// the control profile (no hardening) and under the profile being tested,
// whether the service survived the profile, and what the profile's
// declared directives claim about the probe's item.
type Evidence struct {
	Control, Profile Result
	ServiceBroken    bool
	// Unclaimed, when set, says why none of the profile's directives that
	// the probe evidences claims to block what it attempts (e.g.
	// "RestrictNamespaces= allows net namespaces (an allow-list)"): a block
	// under the profile is then some other directive's doing, and the
	// directive is not enforcing anything here.
	Unclaimed string
}

// Verdict is the one judgement of a probe, with a one-line reason.
// For probes of Grants polarity (ReadWritePaths=, AmbientCapabilities=) the
// directive holds when the action stays allowed. A skipped probe measured
// nothing, which is inconclusive rather than an error.
func Verdict(e Evidence) (VerdictKind, string) {
	control, profile := e.Control, e.Profile
	if e.ServiceBroken {
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
	case profile.Outcome == Blocked && e.Unclaimed != "":
		return NotEnforced, e.Unclaimed + ", so it does not forbid this; the " + blockName(profile) +
			" came from elsewhere (e.g. a capability the bounding set dropped)"
	case profile.Outcome == Blocked:
		return Enforced, "allowed under the control, blocked under the profile (" + how(profile) + ")"
	}
	return NotEnforced, "allowed under both the control and the profile: declared but not enforced here"
}

// blockName names the errno or signal that blocked a result, or says
// "block" when neither was reported.
func blockName(r Result) string {
	if r.Signal == "" && r.Errno == "" {
		return "block"
	}
	return how(r)
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
