package suggest

import "github.com/hardenlab/hardenlab/harness/report"

// Exposure is one score of the unit, and where it comes from.
type Exposure struct {
	Exposure float64 `json:"exposure"`
	Level    string  `json:"level"`
	// Source says who scored what: hardenlab's scorer on the declared
	// settings, or systemd-analyze on the running unit.
	Source string `json:"source"`
}

// Document is what `hardenlab suggest --json` prints.
type Document struct {
	Unit           string `json:"unit"`
	Source         string `json:"source"`
	SystemdVersion string `json:"systemd_version"`
	// Before is the unit as written: systemd-analyze's score of it running
	// (the scorer's of its declared settings if that has none); Predicted
	// the scorer's answer for the unit plus the drop-in; After the
	// verification run's.
	Before    Exposure `json:"before"`
	Predicted Exposure `json:"predicted"`
	After     Exposure `json:"after"`
	// EffectiveBefore and EffectiveAfter are the effective exposure of the
	// unit as written and of the verification run: the score without what
	// their probes show doing nothing here.
	EffectiveBefore *report.Effective `json:"effective_before,omitempty"`
	EffectiveAfter  *report.Effective `json:"effective_after,omitempty"`
	// AtBest says that no candidate was kept: the unit is already the
	// strongest that works here.
	AtBest   bool       `json:"at_best"`
	Kept     []Decision `json:"kept"`
	Rejected []Decision `json:"rejected"`
	Trials   []TrialLog `json:"trials"`
	// ServiceStarts counts every start of the service: the control the
	// probes are judged against, the unit as written, the trials and the
	// verification.
	ServiceStarts int `json:"service_starts"`
	// Sandboxes counts the containers booted when every start had a fresh
	// one (the unit's own commands in nspawn); 0 when all ran in one.
	Sandboxes int `json:"sandboxes,omitempty"`
	// Needs are the addresses and paths the candidates left the service,
	// and what showed each was needed.
	Needs      Needs    `json:"needs"`
	Seconds    float64  `json:"seconds"`
	DropIn     string   `json:"dropin"`
	DropInPath string   `json:"dropin_path"`
	Notes      []string `json:"notes,omitempty"`
	// AsWritten is the record of the unit as it stands, the search's
	// starting point; Verification that of the unit plus the drop-in, both
	// run as `hardenlab run` runs them.
	AsWritten    report.Record `json:"as_written"`
	Verification report.Record `json:"verification"`
	// Problems are reasons the suggestion is not proven (the unit does not
	// work as written, the verification broke, a kept directive was not
	// enforced there, the target missed).
	Problems []string `json:"problems,omitempty"`
	// StandIn is set when the demo ran in place of the unit's own
	// ExecStart=: the drop-in is proven for the demo, not for the service.
	StandIn string `json:"stand_in,omitempty"`
}
