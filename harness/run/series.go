package run

import (
	"context"
	"fmt"

	"github.com/hardenlab/hardenlab/harness/report"
)

// Series runs profiles one at a time, each in a fresh sandbox of its own
// (see RunFresh), for a caller that chooses each profile only after the
// last one's record is in: suggest's search. The first sandbox makes the
// control and every later profile is judged against it.
type Series struct {
	boot Boot
	opts Options
	n    int
	base *Baseline
}

// NewSeries is a series whose n-th sandbox boot(ctx, n) starts.
func NewSeries(boot Boot, opts Options) *Series {
	return &Series{boot: boot, opts: opts}
}

// Run boots a sandbox, runs p in it and tears the sandbox down. An error
// is the sandbox's (it did not boot or did not go away), not the
// service's: those are in the record.
func (s *Series) Run(ctx context.Context, p Profile) (report.Record, error) {
	rec, made, err := runOneFresh(ctx, s.boot, s.n, s.opts, p, s.base)
	s.n++
	if s.base == nil && made != nil {
		s.base = made
	}
	if err != nil {
		return rec, fmt.Errorf("profile %s: %w", p.Name, err)
	}
	return rec, nil
}

// Sandboxes is how many sandboxes the series has booted.
func (s *Series) Sandboxes() int { return s.n }
