package run

import (
	"context"
	"sort"
	"sync"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
)

// RunAll runs profiles with at most jobs at a time and returns their
// records in the profiles' order. The control runs beside the others,
// which wait for it only to judge their probes. Profiles with identical content run
// once; their records are copied under each name. done is called after
// each record (from one goroutine at a time).
func (r *Runner) RunAll(ctx context.Context, profiles []Profile, jobs int, done func(i int, rec report.Record)) []report.Record {
	if jobs < 1 {
		jobs = 1
	}
	records := make([]report.Record, len(profiles))
	var mu sync.Mutex
	finish := func(i int, rec report.Record) {
		mu.Lock()
		defer mu.Unlock()
		records[i] = rec
		if done != nil {
			done(i, rec)
		}
	}
	first, order := runOrder(profiles)
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for _, i := range order {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		job := r.Run
		// Claimed here, before any other profile's goroutine exists: a
		// profile that got to Run first would start a bare control of its
		// own, and the matrix's control would only wait for it.
		if profiles[i].Kind == profile.Control && r.claimControl() {
			job = func(ctx context.Context, p Profile) report.Record {
				return r.makeControl(ctx, p, r.controlPaths(p, profiles))
			}
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			finish(i, job(ctx, profiles[i]))
		}(i)
	}
	wg.Wait()
	// Copies for the duplicates, renamed as their own profile.
	for i, p := range profiles {
		j := first[profile.Key(p)]
		if j == i || records[j].Schema == 0 {
			continue
		}
		rec := records[j]
		rec.Profile = profileRecord(p)
		rec.Profile.Notes = append(rec.Profile.Notes, report.Note{Directive: "(profile)", Reason: "same directives as " + profiles[j].Name + "; its run is reused"})
		finish(i, rec)
	}
	return records
}

// runOrder picks one profile of each content (first maps a content key to
// the index of the profile that runs it) and orders them so that the
// slowest start first and none of them is left running alone at the end:
// the control runs every probe, and the unit as written has the most
// probes and a systemd-analyze run.
func runOrder(profiles []Profile) (first map[string]int, order []int) {
	first = map[string]int{}
	for i, p := range profiles {
		if _, dup := first[profile.Key(p)]; dup {
			continue
		}
		first[profile.Key(p)] = i
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool { return weight(profiles[order[a]]) > weight(profiles[order[b]]) })
	return first, order
}

// weight orders profiles by expected cost: the control, then by the
// number of directives.
func weight(p Profile) int {
	if p.Kind == profile.Control {
		return 1 << 20
	}
	return len(p.Assignments)
}
