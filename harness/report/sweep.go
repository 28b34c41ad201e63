package report

import "fmt"

// SweepKind marks a sweep document, so that a matrix or a records file
// given in its place is refused by name.
const SweepKind = "sweep"

// Sweep row states.
const (
	SweepRan     = "ran"     // the unit ran; Record holds what was found
	SweepRefused = "refused" // hardenlab cannot read the unit file; Reason says why
	SweepSkipped = "skipped" // nothing to run (a template without an instance, a masked unit)
	SweepFailed  = "failed"  // the unit was read but its run could not complete
)

// Sweep is the document of `hardenlab sweep`: a whole sweep, or one shard
// of it (schema version 1, like records and matrices).
type Sweep struct {
	Schema int    `json:"schema"`
	Kind   string `json:"kind"`
	RunID  string `json:"run_id"`
	// Source names the set: a directory of unit files, or "installed:ROOT".
	Source string `json:"source"`
	Shard  Shard  `json:"shard"`
	// Units is every unit of the set this document covers, in sweep
	// order: what a resumed or merged sweep must end up with a row for.
	Units      []string   `json:"units"`
	Rows       []SweepRow `json:"rows"`
	Incomplete bool       `json:"incomplete,omitempty"`
	WallMillis float64    `json:"wall_ms"`
}

// SweepRow is one unit's result.
type SweepRow struct {
	Unit   string  `json:"unit"` // e.g. "nginx.service"
	Path   string  `json:"path"` // the unit file read
	State  string  `json:"state"`
	Reason string  `json:"reason,omitempty"`
	Record *Record `json:"record,omitempty"`
}

// Shard is slice Index (1-based) of Count; the zero value is the whole set.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

func (s Shard) String() string {
	if s.Count == 0 {
		return "all"
	}
	return fmt.Sprintf("%d/%d", s.Index, s.Count)
}
