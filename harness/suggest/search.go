package suggest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// TrialKind is the profile kind of a trial: systemd-analyze does not
// score trials (only the verification run counts).
const TrialKind = "suggest-trial"

// Trial starts the service once with the base, the kept candidates and
// the batch, in that order, and returns its record. An error (the sandbox
// did not boot) ends the search: the record would say nothing of the
// candidates.
type Trial func(ctx context.Context, name string, cands []Candidate) (report.Record, error)

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
	// Needs are what the candidates leave the service; the search adds the
	// paths a trial's journal shows it could not write.
	Needs Needs
	// Root is the tree the service's files are in ("" is /), where a
	// journal's path is looked up.
	Root string

	kept      []Candidate
	decisions []Decision
	trials    []TrialLog
	err       error
}

// Result is what a search found.
type Result struct {
	Kept      []Candidate `json:"-"`
	Decisions []Decision  `json:"decisions"`
	Trials    []TrialLog  `json:"trials"`
	Needs     Needs       `json:"needs"`
}

// maxRelearn bounds how often one candidate is tried again with paths its
// failures named: each try is a service start.
const maxRelearn = 6

// Run searches in rounds: a candidate that broke the service is tried
// again with its row's next, weaker alternative in the next round — or
// with the same one, if it made the root read-only and the journal named
// paths the service could not write, which are then left writable; one
// that is not enforced is not tried again.
func (s *Search) Run(ctx context.Context, sc Scorer) (Result, error) {
	if s.Progress == nil {
		s.Progress = func(string, ...any) {}
	}
	alt := map[string]int{}
	relearnt := map[string]int{}
	final := map[string]bool{}
	for round := 1; ctx.Err() == nil && s.err == nil; round++ {
		cands, err := s.round(sc, alt, final)
		if err != nil {
			return Result{}, err
		}
		if len(cands) == 0 {
			break
		}
		s.Progress("round %d: %d candidates", round, len(cands))
		before := len(s.decisions)
		tried := s.Needs
		s.try(ctx, cands, nil)
		for _, d := range s.decisions[before:] {
			switch {
			case d.Kept || d.Verdict != string(probes.BrokeService):
				final[d.Directive] = true
			case relearnt[d.Directive] < maxRelearn && s.relearn(d, tried):
				relearnt[d.Directive]++
			default:
				alt[d.Directive] = d.Alternative + 1
			}
		}
	}
	res := Result{Kept: slices.Clone(s.kept), Decisions: s.decisions, Trials: s.trials, Needs: s.Needs}
	if s.err != nil {
		return res, s.err
	}
	return res, ctx.Err()
}

// relearn takes the paths a broken candidate's journal named, if the
// candidate made the root read-only, and says whether any was not
// writable when it was tried (with the needs tried).
func (s *Search) relearn(d Decision, tried Needs) bool {
	if !slices.ContainsFunc(d.Lines, func(l string) bool { return slices.Contains(readOnlyRoot, l) }) {
		return false
	}
	if tried.covers(d.ReadOnly) {
		return false
	}
	s.Needs.learn(d.ReadOnly)
	s.Progress("%s= is tried again with %s writable", d.Directive, strings.Join(values(s.Needs.Writable), " "))
	return true
}

// round lists the next candidates over the base and what is kept, cut
// where the prediction reaches the target.
func (s *Search) round(sc Scorer, alt map[string]int, final map[string]bool) ([]Candidate, error) {
	cands, err := Candidates(sc, s.Needs, s.kept, func(d string) (int, bool) {
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
	if len(batch) == 0 || ctx.Err() != nil || s.err != nil {
		return true
	}
	inferred := failed != nil
	if !inferred {
		rec, err := s.start(ctx, batch)
		if err != nil {
			s.err = err
			return true
		}
		if ok, _, _ := Health(rec); ok {
			s.accept(batch, rec)
			return true
		}
		failed = &rec
	}
	if len(batch) == 1 {
		s.decisions = append(s.decisions, broke(batch[0], *failed, inferred, s.Root))
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
func (s *Search) start(ctx context.Context, batch []Candidate) (report.Record, error) {
	name := fmt.Sprintf("trial-%02d", len(s.trials)+1)
	var names []string
	for _, c := range batch {
		names = append(names, c.Directive)
	}
	s.Progress("%s: %d kept + %d candidates: %v", name, len(s.kept), len(batch), names)
	rec, err := s.Trial(ctx, name, append(slices.Clone(s.kept), batch...))
	if err != nil {
		return rec, fmt.Errorf("%s: %w", name, err)
	}
	ok, why, _ := Health(rec)
	s.trials = append(s.trials, TrialLog{Name: name, Candidates: names, Healthy: ok, Why: why})
	if !ok {
		s.Progress("%s: broke: %s", name, why)
	}
	return rec, nil
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
