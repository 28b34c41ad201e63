package report

// Matrix is the result of `hardenlab matrix`: one record per generated
// profile (the control first), in one environment or several, plus what
// each directive is credited with.
type Matrix struct {
	Schema int    `json:"schema"`
	RunID  string `json:"run_id"`
	// Source is the unit file the profiles were generated from.
	Source string `json:"source"`
	// Mode is ladder, single, leave-one-out or all.
	Mode         string        `json:"mode"`
	Environments []Environment `json:"environments"`
	// Directives are the unit's hardening directives, in file order: the
	// rows of every table and chart.
	Directives []string `json:"directives"`
	Records    []Record `json:"records"`
	// Attribution has one entry per (environment, directive).
	Attribution []Attribution `json:"attribution"`
	Incomplete  bool          `json:"incomplete,omitempty"`
	// Timings: wall time of the whole matrix and per profile.
	WallMillis       float64 `json:"wall_ms"`
	PerProfileMillis float64 `json:"per_profile_ms"`
	Jobs             int     `json:"jobs"`
}

// Attribution is what one directive does, measured by ablation.
type Attribution struct {
	Environment string `json:"environment"` // Environment.Name of the record
	Directive   string `json:"directive"`
	// AloneDelta is exposure(control + directive) - exposure(control):
	// negative is better. Nil when the single profile did not run.
	AloneDelta *float64 `json:"alone_delta,omitempty"`
	// LeaveOneOutDelta is exposure(full - directive) - exposure(full):
	// positive means the directive lowers the full profile's score.
	LeaveOneOutDelta *float64 `json:"leave_one_out_delta,omitempty"`
	// LadderExposure is the exposure after adding this directive in the
	// unit's order.
	LadderExposure *float64 `json:"ladder_exposure,omitempty"`
	// Verdicts are the probe verdicts of the directive's single profile
	// (probe id -> verdict).
	Verdicts map[string]string `json:"verdicts"`
	// BrokeService is true when the directive alone stopped the demo from
	// starting or answering.
	BrokeService bool `json:"broke_service"`
	// Hides lists sensitive paths the control exposes over HTTP and the
	// directive alone hides.
	Hides []string `json:"hides"`
}
