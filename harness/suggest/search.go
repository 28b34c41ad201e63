package suggest

import (
	"context"
	"fmt"
	"slices"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// TrialKind is the profile kind of a trial: systemd-analyze does not
// score trials (only the verification run counts).
const TrialKind = "suggest-trial"

// Trial starts the service once with the base, the kept candidates and
// the batch, in that order, and returns its record.
type Trial func(ctx context.Context, name string, cands []Candidate) report.Record

// TrialLog is one service start of the search.
type TrialLog struct {
	Name       string   `json:"name"`
	Candidates []string `json:"candidates"`
	Healthy    bool     `json:"healthy"`
	Why        string   `json:"why,omitempty"`
}

// Search finds, among candidates, those the service works with, in as few
// starts as it can: a batch that works is kept whole; one that breaks is
// halved, and when the first half works, the second half is known to
// break and is halved without another start.
type Search struct {
	Trial    Trial
	Progress func(format string, a ...any)
	// Target stops adding candidates once the predicted exposure is at or
	// below it, in tenths; 0 adds every candidate.
	Target int

	kept      []Candidate
	decisions []Decision
	trials    []TrialLog
}

// Result is what a search found.
type Result struct {
	Kept      []Candidate `json:"-"`
	Decisions []Decision  `json:"decisions"`
	Trials    []TrialLog  `json:"trials"`
}

// Run searches in rounds: a candidate that broke the service is tried
// again with its row's next, weaker alternative in the next round; one
// that is not enforced is not.
func (s *Search) Run(ctx context.Context, sc Scorer) (Result, error) {
	if s.Progress == nil {
		s.Progress = func(string, ...any) {}
	}
	alt := map[string]int{}
	final := map[string]bool{}
	for round := 1; ctx.Err() == nil; round++ {
		cands, err := s.round(sc, alt, final)
		if err != nil {
			return Result{}, err
		}
		if len(cands) == 0 {
			break
		}
		s.Progress("round %d: %d candidates", round, len(cands))
		before := len(s.decisions)
		s.try(ctx, cands, nil)
		for _, d := range s.decisions[before:] {
			if d.Kept || d.Verdict != string(probes.BrokeService) {
				final[d.Directive] = true
				continue
			}
			alt[d.Directive] = d.Alternative + 1
		}
	}
	return Result{Kept: slices.Clone(s.kept), Decisions: s.decisions, Trials: s.trials}, ctx.Err()
}

// round lists the next candidates over the base and what is kept, cut
// where the prediction reaches the target.
func (s *Search) round(sc Scorer, alt map[string]int, final map[string]bool) ([]Candidate, error) {
	cands, err := Candidates(sc, s.kept, func(d string) (int, bool) {
		if final[d] || slices.ContainsFunc(s.kept, func(c Candidate) bool { return c.Directive == d }) {
			return 0, false
		}
		return alt[d], true
	})
	if err != nil || s.Target <= 0 {
		return cands, err
	}
	now, err := sc.Score(s.kept...)
	if err != nil || now.Tenths <= s.Target {
		return nil, err
	}
	for i := range cands {
		r, err := sc.Score(append(slices.Clone(s.kept), cands[:i+1]...)...)
		if err != nil {
			return nil, err
		}
		if r.Tenths <= s.Target {
			return cands[:i+1], nil
		}
	}
	return cands, nil
}

// try runs batch on top of what is kept. failed, when set, is a trial
// known to break with exactly the kept candidates plus this batch, so the
// batch need not run again before it is halved.
func (s *Search) try(ctx context.Context, batch []Candidate, failed *report.Record) bool {
	if len(batch) == 0 || ctx.Err() != nil {
		return true
	}
	inferred := failed != nil
	if !inferred {
		rec := s.start(ctx, batch)
		if ok, _, _ := Health(rec); ok {
			s.accept(batch, rec)
			return true
		}
		failed = &rec
	}
	if len(batch) == 1 {
		s.decisions = append(s.decisions, broke(batch[0], *failed, inferred))
		return false
	}
	mid := len(batch) / 2
	keptBefore := len(s.kept)
	firstWhole := s.try(ctx, batch[:mid], nil) && len(s.kept)-keptBefore == mid
	if firstWhole {
		// kept + second half is the set that failed.
		s.try(ctx, batch[mid:], failed)
	} else {
		s.try(ctx, batch[mid:], nil)
	}
	return false
}

// start runs one trial and logs it.
func (s *Search) start(ctx context.Context, batch []Candidate) report.Record {
	name := fmt.Sprintf("trial-%02d", len(s.trials)+1)
	var names []string
	for _, c := range batch {
		names = append(names, c.Directive)
	}
	s.Progress("%s: %d kept + %d candidates: %v", name, len(s.kept), len(batch), names)
	rec := s.Trial(ctx, name, append(slices.Clone(s.kept), batch...))
	ok, why, _ := Health(rec)
	s.trials = append(s.trials, TrialLog{Name: name, Candidates: names, Healthy: ok, Why: why})
	if !ok {
		s.Progress("%s: broke: %s", name, why)
	}
	return rec
}

// accept judges each candidate of a healthy batch by its probes.
func (s *Search) accept(batch []Candidate, rec report.Record) {
	for _, c := range batch {
		d := Judge(c, rec)
		s.decisions = append(s.decisions, d)
		if d.Kept {
			s.kept = append(s.kept, c)
		} else {
			s.Progress("%s= rejected: %s", c.Directive, d.Reason)
		}
	}
}
