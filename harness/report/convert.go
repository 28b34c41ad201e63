package report

import (
	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/probes"
)

// The From functions are the one place where implementation values become
// schema values. A nil input stays nil, an empty one empty: the document
// tells "not measured" (null) from "none found" ([]).

// FromEnvironment converts a sandbox's description.
func FromEnvironment(e sandbox.Environment) Environment {
	return Environment{
		Name:              e.Name,
		Sandbox:           string(e.Sandbox),
		SystemdVersion:    e.SystemdVersion,
		Virtualization:    e.Virtualization,
		Kernel:            e.Kernel,
		CgroupMode:        e.CgroupMode,
		ManagerCapBnd:     e.ManagerCapBnd,
		Root:              e.Root,
		RootView:          string(e.RootView),
		BootMillis:        e.BootMillis,
		NspawnArgs:        e.NspawnArgs,
		NspawnEnv:         e.NspawnEnv,
		Accelerator:       e.Accelerator,
		AcceleratorReason: e.AcceleratorReason,
	}
}

// FromExposures converts the demo's answers for the sensitive paths.
func FromExposures(in []behavior.Exposure) []Exposure {
	return convertAll(in, func(e behavior.Exposure) Exposure {
		return Exposure{
			ID: e.ID, Path: e.Path, URL: e.URL, Status: e.Status, Exposed: e.Exposed,
			Bytes: e.Bytes, SHA256Prefix: e.SHA256Prefix, Detail: e.Detail,
		}
	})
}

// FromProbeResults converts the probe binary's raw results.
func FromProbeResults(in []probes.Result) []ProbeOutcome {
	return convertAll(in, func(r probes.Result) ProbeOutcome {
		return ProbeOutcome{ID: r.ID, Outcome: string(r.Outcome), Errno: r.Errno, Signal: r.Signal, Detail: r.Detail}
	})
}

// FromPreflight converts the probe binary's preflight.
func FromPreflight(e *probes.Environment) *Preflight {
	if e == nil {
		return nil
	}
	fact := func(f probes.Fact) PreflightFact { return PreflightFact{Available: f.Available, Detail: f.Detail} }
	return &Preflight{
		Kernel: e.Kernel, Arch: e.Arch, CgroupMode: e.CgroupMode,
		IPFiltering: fact(e.IPFiltering), Modules: fact(e.Modules),
		UserNamespaces: fact(e.UserNamespaces), Seccomp: fact(e.Seccomp),
	}
}

// FromDifferences converts the comparison of the probe's posture with the
// service's.
func FromDifferences(in []probes.Difference) []PostureDifference {
	return convertAll(in, func(d probes.Difference) PostureDifference {
		return PostureDifference{Field: d.Field, Probe: d.Probe, Service: d.Service, MustMatch: d.MustMatch, Why: d.Why}
	})
}

// FromHostCheck converts the probe binary's before/after host check.
func FromHostCheck(h *probes.HostCheck) *HostCheck {
	if h == nil {
		return nil
	}
	return &HostCheck{Unchanged: h.Unchanged, Changes: h.Changes}
}

func convertAll[T, S any](in []T, convert func(T) S) []S {
	if in == nil {
		return nil
	}
	out := make([]S, len(in))
	for i, v := range in {
		out[i] = convert(v)
	}
	return out
}

// FromHealth converts the health checks' outcomes.
func FromHealth(in []health.Outcome) []HealthOutcome {
	return convertAll(in, func(o health.Outcome) HealthOutcome {
		return HealthOutcome{Check: o.Check, Healthy: o.Healthy, Millis: o.Millis, Detail: o.Detail}
	})
}

// FromCheck converts an inside check's answer, or the error that kept it
// from running; nil when neither.
func FromCheck(c *probes.CheckResult, err error) *InsideCheck {
	switch {
	case c != nil:
		return &InsideCheck{Kind: c.Kind, Target: c.Target, OK: c.OK, Connected: c.Connected, HTTPStatus: c.HTTPStatus, Errno: c.Errno, Detail: c.Detail, Millis: c.Millis}
	case err != nil:
		return &InsideCheck{Error: err.Error()}
	}
	return nil
}
