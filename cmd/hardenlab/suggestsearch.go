package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/suggest"
)

// suggestWith runs the unit as written, searches from it and verifies
// what it kept. A unit that does not work as written has nothing to
// search from: the document then says so and nothing more runs.
func suggestWith(ctx context.Context, runP runProfile, job suggestJob, sc suggest.Scorer, progress *progress) (*suggest.Document, error) {
	u, f := job.unit, job.f
	declared, err := sc.Score()
	if err != nil {
		return nil, fmt.Errorf("scoring %s: %w", u.Path, err)
	}
	doc := &suggest.Document{Unit: u.Name, Source: u.Path, DropInPath: "/etc/systemd/system/" + u.Name + ".d/" + suggest.DropInName,
		Before: suggest.Exposure{Exposure: declared.Exposure, Level: declared.Level, Source: "hardenlab scorer, declared settings of the unit as written"}}
	if err := runAsWritten(ctx, runP, u, doc, progress); err != nil || len(doc.Problems) > 0 {
		return doc, err
	}
	bound := trialBound(f.readyTimeout, doc.AsWritten)
	trial := func(ctx context.Context, name string, cands []suggest.Candidate) (report.Record, error) {
		p, err := trialProfile(u, name, cands, bound)
		if err != nil {
			return report.Record{Schema: report.SchemaVersion, Profile: report.Profile{Name: name}, Error: err.Error()}, nil
		}
		return runP(ctx, p)
	}
	search := suggest.Search{Trial: trial, Progress: progress.linef, Target: int(f.target*10 + 0.5), Needs: job.needs, Root: orRoot(f.root)}
	res, err := search.Run(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("searching: %w", err)
	}
	predicted, err := sc.Score(res.Kept...)
	if err != nil {
		return nil, err
	}
	doc.Trials, doc.Needs, doc.Notes = res.Trials, res.Needs, suggest.OpenReasons(predicted)
	doc.Predicted = suggest.Exposure{Exposure: predicted.Exposure, Level: predicted.Level, Source: "hardenlab scorer, unit plus drop-in"}
	for _, d := range res.Decisions {
		if d.Kept {
			doc.Kept = append(doc.Kept, d)
		} else {
			doc.Rejected = append(doc.Rejected, d)
		}
	}
	doc.AtBest = len(doc.Kept) == 0
	return doc, verify(ctx, runP, u, res.Kept, doc, f, progress)
}

// runAsWritten runs the unit as it stands, as hardenlab run runs it: the
// search starts from it, and its systemd-analyze score and effective
// exposure are the "before" the verification's are compared with.
func runAsWritten(ctx context.Context, runP runProfile, u *directive.Unit, doc *suggest.Document, progress *progress) error {
	p, err := profileWith(u, strings.TrimSuffix(u.Name, ".service")+"-as-written", nil)
	if err != nil {
		return err
	}
	progress.linef("%s as written", u.Name)
	rec, err := runP(ctx, p)
	if err != nil {
		return fmt.Errorf("the unit as written: %w", err)
	}
	doc.AsWritten, doc.EffectiveBefore = rec, rec.Effective
	if rec.Score.Error == "" && rec.Score.Source != "" {
		doc.Before = suggest.Exposure{Exposure: rec.Score.Exposure, Level: rec.Score.Level, Source: rec.Score.Source + " on the running unit as written"}
	}
	if ok, why, journal := suggest.Health(rec); !ok {
		doc.Problems = append(doc.Problems, fmt.Sprintf("%s does not work here as written (%s%s): nothing to start the search from; are the --health checks right?",
			u.Name, why, strings.TrimSuffix(" | "+journal, " | ")))
	}
	doc.ServiceStarts = 2 // the control and the unit as written
	return nil
}

// trialBound is how long a trial's start job may take: a service that
// waits for READY=1 it can no longer send (RestrictAddressFamilies=
// without AF_UNIX) would otherwise hold every such trial for the unit's
// own TimeoutStartSec= (90 s by default). It leaves the unit as written
// twice its measured start, and at least the ready timeout.
func trialBound(ready time.Duration, asWritten report.Record) time.Duration {
	took := time.Duration(2 * asWritten.Timings.Start * float64(time.Millisecond))
	return time.Duration(math.Ceil(max(ready, took).Seconds())) * time.Second
}

// trialProfile is the unit with the candidates, its start job bounded.
func trialProfile(u *directive.Unit, name string, cands []suggest.Candidate, bound time.Duration) (run.Profile, error) {
	a, err := directive.ParseAssignment(fmt.Sprintf("TimeoutStartSec=%ds", int(bound.Seconds())), directive.Source{File: "(suggest trial bound)"})
	if err != nil {
		return run.Profile{}, err
	}
	withBound := *u
	withBound.Service = append(withBound.Service[:len(withBound.Service):len(withBound.Service)], a)
	p, err := profileWith(&withBound, name, cands)
	p.Kind = suggest.TrialKind
	return p, err
}
