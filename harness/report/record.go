// Package report defines hardenlab's versioned record — one per
// (environment, profile) — and renders it for machines and for people.
//
// Every type a document serializes is defined here, with its JSON names
// spelled out, so that changing an implementation type (a sandbox, a probe
// result) cannot change the schema silently: producers convert their
// values with the From functions.
package report

// SchemaVersion changes whenever a field changes meaning or is removed.
// Adding a field does not change it.
const SchemaVersion = 1

// Record is everything hardenlab learned about one profile in one
// environment.
type Record struct {
	Schema      int         `json:"schema"`
	RunID       string      `json:"run_id"`
	Environment Environment `json:"environment"`
	Profile     Profile     `json:"profile"`
	Unit        string      `json:"unit"`
	Score       Score       `json:"score"`
	// Effective is the score with what the probes show doing nothing here
	// counted as unset; nil when no probe verdicts were made.
	Effective *Effective `json:"effective,omitempty"`
	Behavior  Behavior   `json:"behavior"`
	// Readback lists directives that systemd stored differently from what
	// the unit file meant. Empty is the only good answer.
	Readback []Mismatch    `json:"readback_mismatches"`
	Probes   []ProbeResult `json:"probes"`
	// Bypasses are what the bypass probes got: actions that go around a
	// directive the profile declares (Works: a compromised service could
	// still do it). They are findings beside the verdicts, never one.
	Bypasses []Bypass `json:"bypasses,omitempty"`
	// ProbeResults are the raw outcomes of the probes that ran under this
	// profile: with ProbeScope "all", every probe, including those of
	// directives the profile does not declare.
	ProbeResults []ProbeOutcome `json:"probe_results,omitempty"`
	// ProbeScope says which probes ran: "all" (the control, or --all-probes)
	// or "declared" (those evidencing a directive the profile declares —
	// the only ones Probes are made of).
	ProbeScope string `json:"probe_scope,omitempty"`
	// ProbeError says why there are no probe results.
	ProbeError string `json:"probe_error,omitempty"`
	// Preflight is what the probe binary found about this environment
	// inside the unit's sandbox: why a directive may not be enforceable.
	// It describes the machine, so only runs with ProbeScope "all" take it.
	Preflight *Preflight `json:"preflight,omitempty"`
	// SandboxDiff compares the probe's posture with the service's main
	// process; a difference with must_match means the probes did not run
	// in the service's sandbox.
	SandboxDiff     []PostureDifference `json:"sandbox_diff"`
	SandboxDiffNote string              `json:"sandbox_diff_note,omitempty"`
	// SandboxCompared says whether that comparison ran: an empty
	// SandboxDiff proves the shared sandbox only when it is true.
	SandboxCompared bool `json:"sandbox_compared"`
	// SandboxError says why the service's posture could not be read.
	SandboxError string `json:"sandbox_error,omitempty"`
	// HostCheck says whether anything the probes must never change did.
	HostCheck *HostCheck `json:"host_check,omitempty"`
	Lints     []Lint     `json:"lints,omitempty"`
	Timings   Timings    `json:"timings_ms"`
	// Error is set when the run of this profile could not be completed.
	Error string `json:"error,omitempty"`
	// Incomplete marks a record cut short by an interrupt or timeout.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Profile names the directive set that was applied.
type Profile struct {
	Name string `json:"name"`
	// Kind is how a matrix generated it, one of the profile package's
	// kinds (profile.Control, ...); empty for a plain run.
	Kind string `json:"kind,omitempty"`
	// Step is the ladder step or the directive a single/leave-one-out
	// profile is about.
	Step       int          `json:"step,omitempty"`
	Directive  string       `json:"directive,omitempty"`
	Source     string       `json:"source,omitempty"` // unit file path
	Directives []Assignment `json:"directives"`
	Notes      []Note       `json:"notes,omitempty"`
}

// Assignment is one directive line as written.
type Assignment struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source,omitempty"` // "file:line"
}

// Note records something hardenlab deliberately did not apply.
type Note struct {
	Source    string `json:"source,omitempty"`
	Directive string `json:"directive"`
	Reason    string `json:"reason"`
}

// Score is the exposure score of the running unit.
type Score struct {
	// Exposure and Level are the running unit's score as systemd-analyze
	// security gives it, for the systemd under test: computed by
	// systemd-analyze itself or by hardenlab's scorer, which reproduces it
	// exactly (Source says which).
	Exposure float64 `json:"exposure"`
	Level    string  `json:"level"`
	// Source is "systemd-analyze" when systemd-analyze scored the running
	// unit (and Ours was compared with it row by row), or "hardenlab" when
	// only hardenlab's scorer did (see --systemd-analyze).
	Source string `json:"source,omitempty"`
	// Checks are the per-check rows of Source.
	Checks []Check `json:"checks,omitempty"`
	// Ours is hardenlab's own scorer, online mode, for the same version.
	Ours *OwnScore `json:"ours,omitempty"`
	// Disagreements lists checks where ours and systemd's differ; any entry
	// is a hardenlab bug.
	Disagreements []string `json:"disagreements,omitempty"`
	Error         string   `json:"error,omitempty"`
}

// OwnScore is hardenlab's scorer's answer.
type OwnScore struct {
	Exposure float64 `json:"exposure"`
	Level    string  `json:"level"`
	Mode     string  `json:"mode"`
	Version  string  `json:"systemd_version"`
}

// Check is one row of systemd-analyze security.
type Check struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	Set         *bool   `json:"set"`
	Description string  `json:"description,omitempty"`
	Exposure    string  `json:"exposure,omitempty"`
	Weight      *uint64 `json:"weight,omitempty"`
	Badness     *uint64 `json:"badness,omitempty"`
	Range       *uint64 `json:"range,omitempty"`
}

// Behavior is what the demo service did.
type Behavior struct {
	Started bool `json:"started"`
	// Outcome is what became of the service, one of behavior.Outcomes
	// ("serves", "unreachable", "exited", "failed-to-start", "timed-out",
	// and for the unit's own commands "unhealthy");
	// empty when systemd refused the unit. OutcomeDetail says why in one
	// line, with systemd's result and exit-status name when it exited.
	Outcome       string `json:"outcome,omitempty"`
	OutcomeDetail string `json:"outcome_detail,omitempty"`
	// ExitStatusName is systemd's name of ExecMainStatus ("226/NAMESPACE")
	// when the main process exited.
	ExitStatusName string `json:"exit_status_name,omitempty"`
	// InsideCheck is the answer the service gave from inside its own
	// sandbox when the host could not reach it.
	InsideCheck    *InsideCheck `json:"inside_check,omitempty"`
	ActiveState    string       `json:"active_state"`
	SubState       string       `json:"sub_state,omitempty"`
	Result         string       `json:"result"`
	ExecMainCode   int32        `json:"exec_main_code,omitempty"`
	ExecMainStatus int32        `json:"exec_main_status,omitempty"`
	ReadyMillis    float64      `json:"ready_ms,omitempty"`
	// CPUMillis is the CPU time the service's main process had used when
	// hardenlab stopped it: the demo's own cost, the same for any tool
	// that starts it (the floor of hardenlab bench).
	CPUMillis    float64    `json:"cpu_ms,omitempty"`
	HTTPStatus   int        `json:"http_status"`
	ExposedPaths []string   `json:"exposed_paths"`
	Exposures    []Exposure `json:"exposures"`
	JournalTail  []string   `json:"journal_tail,omitempty"`
	Error        string     `json:"error,omitempty"`
	Port         int        `json:"port"`
	Command      []string   `json:"command"`
	// Service says what ran: "demo" (python3 -m http.server in place of
	// the unit's ExecStart=) or "unit" (the unit's own commands, judged
	// by Health).
	Service string `json:"service,omitempty"`
	// Health is each health check's outcome, for the unit's own commands.
	Health []HealthOutcome `json:"health,omitempty"`
	// Reload is the unit's ExecReload=, tried once after it was healthy.
	Reload *Reload `json:"reload,omitempty"`
}

// HealthOutcome is one --health check's answer.
type HealthOutcome struct {
	Check   string  `json:"check"`
	Healthy bool    `json:"healthy"`
	Millis  float64 `json:"ms"`
	Detail  string  `json:"detail,omitempty"`
}

// Reload is what the unit's ExecReload= did.
type Reload struct {
	OK     bool    `json:"ok"`
	Millis float64 `json:"ms"`
	Detail string  `json:"detail,omitempty"`
}

// Effective is the exposure a profile really has here: hardenlab's scorer
// on the profile's assignments without the lines of each directive whose
// probes are all not-enforced (declared, credited by the score, doing
// nothing). IfInconclusive goes one step further and also drops each
// directive whose probes are all inconclusive or not-enforced: the
// exposure if what this environment forbids anyway is not the directive's
// doing either.
type Effective struct {
	Exposure       float64        `json:"exposure"`
	Level          string         `json:"level"`
	Discounted     []Discount     `json:"discounted"`
	IfInconclusive *EffectiveStep `json:"if_inconclusive,omitempty"`
	Error          string         `json:"error,omitempty"`
}

// EffectiveStep is a further recomputation: its Discounted are the
// directives it drops on top of the step before.
type EffectiveStep struct {
	Exposure   float64    `json:"exposure"`
	Level      string     `json:"level"`
	Discounted []Discount `json:"discounted"`
}

// Discount is one directive counted as unset, and why.
type Discount struct {
	Directive string   `json:"directive"`
	Verdict   string   `json:"verdict"` // "not-enforced" or "inconclusive"
	Probes    []string `json:"probes"`
	Why       string   `json:"why"`
}

// InsideCheck is a check of the service from inside its sandbox (the
// probe binary's "check"), or the error that kept it from running.
type InsideCheck struct {
	Kind       string  `json:"kind,omitempty"`
	Target     string  `json:"target,omitempty"`
	OK         bool    `json:"ok"`
	Connected  bool    `json:"connected"`
	HTTPStatus int     `json:"http_status,omitempty"`
	Errno      string  `json:"errno,omitempty"`
	Detail     string  `json:"detail,omitempty"`
	Millis     float64 `json:"ms,omitempty"`
	Error      string  `json:"error,omitempty"`
}

// ProbeResult is one probe's verdict for this profile.
type ProbeResult struct {
	ID         string   `json:"id"`
	Directives []string `json:"directives"`
	// Item is what of the directive's list the verdict is about, when it
	// is about one item: a SystemCallFilter= @group or call, an address
	// family, a namespace type.
	Item string `json:"item,omitempty"`
	// Verdict is one of probes.VerdictKinds, kept as the string it was
	// written as: a reader shows a verdict it does not know as it is.
	Verdict string `json:"verdict"`
	Outcome string `json:"outcome"`         // under this profile
	Control string `json:"control_outcome"` // under the control profile
	Errno   string `json:"errno,omitempty"`
	Signal  string `json:"signal,omitempty"`
	Detail  string `json:"detail"`
}

// Bypass is one bypass probe's answer under a profile.
type Bypass struct {
	ID string `json:"id"`
	// Directives are those of the profile the action goes around.
	Directives []string `json:"directives"`
	Outcome    string   `json:"outcome"`         // under this profile
	Control    string   `json:"control_outcome"` // under the control profile
	// Works: the action was allowed under the profile.
	Works  bool   `json:"works"`
	Errno  string `json:"errno,omitempty"`
	Signal string `json:"signal,omitempty"`
	Detail string `json:"detail"`
}

// Mismatch is a directive that systemd stored differently than meant.
type Mismatch struct {
	Directive string `json:"directive"`
	Want      string `json:"want"`
	Got       string `json:"got"`
}

// Lint flags configuration that is declared but cannot mean what it says.
type Lint struct {
	ID        string `json:"id"`
	Directive string `json:"directive"`
	Message   string `json:"message"`
}

// Timings are wall-clock milliseconds per phase.
type Timings struct {
	Start  float64 `json:"start"`
	Ready  float64 `json:"ready"`
	Probes float64 `json:"probes"`
	Score  float64 `json:"score"`
	Stop   float64 `json:"stop"`
	Total  float64 `json:"total"`
}

// Environment is where the record was made: the systemd under test and
// how its sandbox was set up.
type Environment struct {
	// Name identifies the environment in cross-environment reports, e.g.
	// "host-root" or "debian:trixie".
	Name           string `json:"name"`
	Sandbox        string `json:"sandbox"` // host, nspawn or vm
	SystemdVersion string `json:"systemd_version"`
	Virtualization string `json:"virtualization"`
	Kernel         string `json:"kernel"`
	CgroupMode     string `json:"cgroup_mode"`
	ManagerCapBnd  string `json:"manager_capability_bounding_set"`
	Root           string `json:"root"`
	// RootView is how nspawn showed Root to the container: volatile (an
	// almost empty /etc and /var) or overlay (the root as it is, every
	// write thrown away).
	RootView   string   `json:"root_view,omitempty"`
	BootMillis float64  `json:"boot_ms,omitempty"`
	NspawnArgs []string `json:"nspawn_args,omitempty"`
	NspawnEnv  []string `json:"nspawn_env,omitempty"`
	// Accelerator is set for records made in a QEMU VM: kvm or tcg, and why.
	Accelerator       string `json:"accelerator,omitempty"`
	AcceleratorReason string `json:"accelerator_reason,omitempty"`
}

// Exposure is what the demo served for one sensitive path.
type Exposure struct {
	ID     string `json:"id"`
	Path   string `json:"path"`
	URL    string `json:"url,omitempty"`
	Status int    `json:"http_status,omitempty"`
	// Exposed is true when the service answered 200 with content.
	Exposed bool `json:"exposed"`
	// Bytes and SHA256Prefix identify what was served without putting a
	// secret into the report.
	Bytes        int64  `json:"bytes,omitempty"`
	SHA256Prefix string `json:"sha256_prefix,omitempty"`
	Detail       string `json:"detail,omitempty"`
}

// ProbeOutcome is one probe's raw result under one profile, before it is
// judged against the control.
type ProbeOutcome struct {
	ID      string `json:"id"`
	Outcome string `json:"outcome"` // a probes.Outcome
	Errno   string `json:"errno"`   // e.g. "EROFS"; empty when none
	Signal  string `json:"signal"`  // e.g. "SIGSYS"; empty when none
	Detail  string `json:"detail"`  // one line
}

// Preflight is what the probe binary found about the machine from inside
// the unit's sandbox.
type Preflight struct {
	Kernel         string        `json:"kernel"`
	Arch           string        `json:"arch"`
	CgroupMode     string        `json:"cgroup_mode"` // unified, hybrid, legacy, unknown
	IPFiltering    PreflightFact `json:"ip_filtering"`
	Modules        PreflightFact `json:"modules"`
	UserNamespaces PreflightFact `json:"user_namespaces"`
	Seccomp        PreflightFact `json:"seccomp"`
}

// PreflightFact is one preflight finding.
type PreflightFact struct {
	Available bool   `json:"available"`
	Detail    string `json:"detail"`
}

// PostureDifference is one way the probe's process differs from the
// service's main process.
type PostureDifference struct {
	Field     string `json:"field"`
	Probe     string `json:"probe"`
	Service   string `json:"service"`
	MustMatch bool   `json:"must_match"` // false: differs per process by systemd's design
	Why       string `json:"why"`
}

// HostCheck says whether anything the probes must never change did.
type HostCheck struct {
	Unchanged bool     `json:"unchanged"`
	Changes   []string `json:"changes"`
}
