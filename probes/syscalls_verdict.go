package probes

import "fmt"

// ActionKill is the action of a SystemCallFilter= without
// SystemCallErrorNumber=: the process dies of SIGSYS.
const ActionKill = "kill"

// CallVerdict judges one system call of a SystemCallFilter= from its result
// under the control (no filter) and under the profile. denied says whether
// the filter, as the systemd under test resolves it, denies the call;
// action is what a denied call must get: the unit's SystemCallErrorNumber=
// as an errno name ("EPERM"), or ActionKill without one. The errno itself
// is checked: a denied call answered with another errno is not enforced.
// denied must come from all the profile's filters, SystemCallFilter= and
// those that directives such as ProtectClock= add: the kernel applies the
// strictest action of all of them.
func CallVerdict(control, profile CallResult, denied bool, action string) (VerdictKind, string) {
	if control.Name != profile.Name {
		return VerdictError, fmt.Sprintf("results of different calls compared: control %q, profile %q", control.Name, profile.Name)
	}
	for _, r := range []struct {
		name string
		res  CallResult
	}{{"control", control}, {"profile", profile}} {
		switch r.res.Outcome {
		case CallNotProbed:
			return Inconclusive, "not probed: " + r.res.Detail
		case CallError:
			return VerdictError, fmt.Sprintf("the call failed under the %s: %s", r.name, r.res.Detail)
		case CallAllowed, CallBlocked, CallKilled:
		default:
			return VerdictError, fmt.Sprintf("unknown outcome %q under the %s", r.res.Outcome, r.name)
		}
	}
	if control.Outcome != CallAllowed {
		if denied && control.Outcome == CallBlocked && getsAction(profile, action) && control.Errno != action {
			// A filter acts before the kernel looks the call up: a kernel
			// that lacks it (ENOSYS) or refuses it anyway (EPERM) answers the
			// control so, but only the filter turns that into its own action.
			return Enforced, fmt.Sprintf("the control got %s (%s); the profile got %s, which only the filter gives",
				callHow(control), control.Detail, callHow(profile))
		}
		return Inconclusive, fmt.Sprintf("the control got %s (%s): this environment answers it so without any filter", callHow(control), control.Detail)
	}
	if !denied {
		switch {
		case profile.Outcome == CallAllowed:
			return Enforced, "allowed by the filter and allowed: " + profile.Detail
		case profile.Errno == "EPERM" && profile.Capability != "" && !profile.CapabilityHeld:
			return Inconclusive, "the filter allows it; the EPERM is the kernel's, for the missing " + profile.Capability
		}
		return NotEnforced, fmt.Sprintf("the filter allows it but it got %s: %s", callHow(profile), profile.Detail)
	}
	if action != ActionKill && action == profile.Expected {
		return Inconclusive, fmt.Sprintf("the filter's errno %s is also the kernel's answer to the harmless arguments", action)
	}
	switch {
	case action == ActionKill && profile.Outcome == CallKilled:
		return Enforced, "denied and killed by SIGSYS, as the filter declares"
	case profile.Outcome == CallBlocked && profile.Errno == action:
		if action == "EPERM" && profile.Capability != "" && !profile.CapabilityHeld {
			return Inconclusive, "answered EPERM as the filter declares, but the kernel checks " + profile.Capability + " first and the profile lacks it: the EPERM may be the kernel's"
		}
		return Enforced, "denied with " + action + ", the unit's SystemCallErrorNumber="
	case profile.Outcome == CallAllowed:
		return NotEnforced, "denied by the filter but reached the kernel: " + profile.Detail
	}
	return NotEnforced, fmt.Sprintf("denied by the filter, which must answer %s, but it got %s: %s", action, callHow(profile), profile.Detail)
}

// getsAction says whether the call got the filter's action: the kill,
// or the errno.
func getsAction(r CallResult, action string) bool {
	if action == ActionKill {
		return r.Outcome == CallKilled
	}
	return r.Outcome == CallBlocked && r.Errno == action
}

func callHow(r CallResult) string {
	switch {
	case r.Outcome == CallKilled:
		return "SIGSYS"
	case r.Errno != "":
		return r.Errno
	}
	return string(r.Outcome)
}
