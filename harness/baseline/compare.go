package baseline

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// Kind names what got worse.
type Kind string

const (
	DirectiveRemoved Kind = "directive-removed"
	ProfileMissing   Kind = "profile-missing"
	ServiceBroke     Kind = "service-broke"
	VerdictLost      Kind = "verdict-lost"
	ExposureRose     Kind = "exposure-rose"
	OverThreshold    Kind = "over-threshold"
	// EffectiveOverThreshold: the full unit's effective exposure (what
	// its probes show it really restricts) is above the gate's bound.
	EffectiveOverThreshold Kind = "effective-over-threshold"
	ScoreUnknown           Kind = "score-unknown"
	ExposureGrew           Kind = "exposure-grew"
)

// KindInfo explains one kind of regression.
type KindInfo struct {
	Kind  Kind
	Title string
	// Meaning is what the gate saw, for the README and --help.
	Meaning string
}

// Kinds lists every regression the gate reports, most telling first: the
// order of the diff.
func Kinds() []KindInfo {
	return []KindInfo{
		{DirectiveRemoved, "directive removed", "a hardening directive of the baseline's unit is gone from the unit"},
		{ServiceBroke, "service broke", "the demo service started under the profile in the baseline and does not now"},
		{VerdictLost, "verdict lost", "a (directive, probe) pair was enforced in the baseline and is now anything else"},
		{ExposureRose, "exposure rose", "the profile's exposure score is higher than in the baseline"},
		{OverThreshold, "over threshold", "the unit's full profile scores above --threshold"},
		{EffectiveOverThreshold, "effective over threshold", "the unit's full profile's effective exposure — with each directive its probes show not enforced counted as unset — is above --effective-threshold"},
		{ExposureGrew, "HTTP exposure grew", "the service hands out a sensitive path over HTTP that it did not in the baseline"},
		{ScoreUnknown, "score unknown", "the profile was scored in the baseline and cannot be now"},
		{ProfileMissing, "profile missing", "a profile of the baseline did not run"},
	}
}

// Regression is one way the current run is worse than the baseline.
type Regression struct {
	Kind        Kind   `json:"kind"`
	Environment string `json:"environment,omitempty"`
	Profile     string `json:"profile,omitempty"`
	Directive   string `json:"directive,omitempty"`
	Probe       string `json:"probe,omitempty"`
	Was         string `json:"was"`
	Now         string `json:"now"`
	Message     string `json:"message"`
	// FullUnit marks the profile that is the unit as written (the full
	// set, a plain run, or a ladder's last step standing for it).
	FullUnit bool `json:"full_unit,omitempty"`
	// Also lists further profiles where the very same regression showed:
	// a lost verdict shows in every ladder and leave-one-out profile that
	// carries the directive, and one line per cause reads better.
	Also []string `json:"also,omitempty"`
}

// Gates are the bounds a check holds the unit as written to, besides the
// baseline; nil is no bound.
type Gates struct {
	// Threshold bounds the declared exposure score.
	Threshold *float64
	// EffectiveThreshold bounds the effective exposure (report.Effective).
	EffectiveThreshold *float64
}

// Compare lists how current regressed against baseline. threshold, when
// set, also fails a full profile whose exposure is above it. An empty
// result means the gate passes.
func Compare(baseline, current report.Matrix, threshold *float64) []Regression {
	return CompareWith(baseline, current, Gates{Threshold: threshold})
}

// CompareWith is Compare with every gate.
func CompareWith(baseline, current report.Matrix, g Gates) []Regression {
	envOf := environmentMapping(baseline, current)
	var all []found

	removed := map[string]bool{}
	inCurrent := map[string]bool{}
	for _, d := range current.Directives {
		inCurrent[d] = true
	}
	for _, d := range baseline.Directives {
		if !inCurrent[d] && !removed[d] {
			removed[d] = true
			all = append(all, found1(Regression{
				Kind: DirectiveRemoved, Directive: d, Was: "in the unit", Now: "not in the unit",
				Message: fmt.Sprintf("%s= is hardening in the baseline's unit and missing from this one", d),
			}, -1, 0))
		}
	}

	byKey := map[profileKey]*report.Record{}
	for i := range current.Records {
		byKey[keyOf(current.Records[i])] = &current.Records[i]
	}
	for i := range baseline.Records {
		b := &baseline.Records[i]
		k := keyOf(*b)
		k.env = envOf(k.env)
		c := byKey[k]
		rank := rankOf(baseline, b)
		if c == nil {
			if b.Profile.Directive != "" && removed[b.Profile.Directive] {
				continue // said once, as the directive's removal
			}
			all = append(all, found1(Regression{
				Kind: ProfileMissing, Environment: k.env, Profile: b.Profile.Name, Directive: b.Profile.Directive,
				Was: "ran", Now: "did not run",
				Message: fmt.Sprintf("%s ran in the baseline and is not in this run", k.describe()),
			}, rank, i))
			continue
		}
		for _, r := range comparePair(k.env, b, c) {
			f := found1(r, rank, i)
			if r.Kind == ExposureRose {
				f.delta = fmt.Sprint(tenths(c.Score.Exposure) - tenths(b.Score.Exposure))
			}
			all = append(all, f)
		}
	}
	all = append(all, overThreshold(current, g)...)
	return merge(all)
}

// overThreshold holds the unit as written to the gates' bounds.
func overThreshold(current report.Matrix, g Gates) []found {
	var out []found
	for i := range current.Records {
		c := &current.Records[i]
		if !AsWritten(current, c) || !scored(c) {
			continue
		}
		if th := g.Threshold; th != nil && tenths(c.Score.Exposure) > tenths(*th) {
			out = append(out, found1(Regression{
				Kind: OverThreshold, Environment: c.Environment.Name, Profile: c.Profile.Name,
				Was: fmt.Sprintf("at most %.1f", *th), Now: fmt.Sprintf("%.1f %s", c.Score.Exposure, c.Score.Level),
				Message: fmt.Sprintf("%s scores %.1f %s, above the threshold %.1f", c.Profile.Name, c.Score.Exposure, c.Score.Level, *th),
			}, rankOf(current, c), i))
		}
		if r, ok := effectiveOver(c, g.EffectiveThreshold); ok {
			out = append(out, found1(r, rankOf(current, c), i))
		}
	}
	return out
}

// effectiveOver checks a record's effective exposure against the bound.
// A record whose effective exposure is unknown (no probes ran) fails the
// bound it cannot show it meets.
func effectiveOver(c *report.Record, th *float64) (Regression, bool) {
	if th == nil {
		return Regression{}, false
	}
	r := Regression{Kind: EffectiveOverThreshold, Environment: c.Environment.Name, Profile: c.Profile.Name, Was: fmt.Sprintf("at most %.1f", *th)}
	e := c.Effective
	switch {
	case e == nil || e.Error != "":
		why := "no probe verdicts"
		if e != nil {
			why = e.Error
		}
		r.Now = "unknown"
		r.Message = fmt.Sprintf("%s has no effective exposure to hold to the threshold %.1f: %s", c.Profile.Name, *th, why)
		return r, true
	case tenths(e.Exposure) > tenths(*th):
		var gone []string
		for _, d := range e.Discounted {
			gone = append(gone, d.Directive+"=")
		}
		r.Now = fmt.Sprintf("%.1f %s", e.Exposure, e.Level)
		r.Message = fmt.Sprintf("%s is effectively %.1f %s (declared %.1f %s; not enforced here: %s), above the effective threshold %.1f",
			c.Profile.Name, e.Exposure, e.Level, c.Score.Exposure, c.Score.Level, orNone(gone), *th)
		return r, true
	}
	return Regression{}, false
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// found is a regression with what orders it: its profile's rank and
// position in the baseline.
type found struct {
	Regression
	rank, index int
	delta       string // of an exposure rise, what merges it with others
}

func found1(r Regression, rank, index int) found {
	r.FullUnit = rank == 0 && r.Profile != ""
	return found{Regression: r, rank: rank, index: index}
}

// comparePair compares one profile's record in the baseline and now.
func comparePair(env string, b, c *report.Record) []Regression {
	var out []Regression
	name := c.Profile.Name
	base := Regression{Environment: env, Profile: name}
	if k := c.Profile.Kind; k == profile.Single || k == profile.LeaveOneOut {
		// What the profile is about; a ladder step is about every
		// directive up to it, so it names none.
		base.Directive = c.Profile.Directive
	}
	broke := b.Behavior.Started && !c.Behavior.Started
	if broke {
		r := base
		r.Kind, r.Was, r.Now = ServiceBroke, "started and answered HTTP", firstNonEmpty(c.Behavior.Outcome, "did not start")
		why := firstNonEmpty(c.Error, c.Behavior.Error, "state "+c.Behavior.ActiveState+", result "+c.Behavior.Result)
		r.Message = fmt.Sprintf("the demo service started under %s in the baseline and does not now: %s", name, why)
		out = append(out, r)
	}
	switch {
	case scored(b) && !scored(c):
		r := base
		r.Kind, r.Was, r.Now = ScoreUnknown, fmt.Sprintf("%.1f %s", b.Score.Exposure, b.Score.Level), "unknown"
		r.Message = fmt.Sprintf("%s scored %.1f in the baseline and has no score now: %s", name, b.Score.Exposure, firstNonEmpty(c.Score.Error, c.Error, "not scored"))
		out = append(out, r)
	case scored(b) && scored(c) && tenths(c.Score.Exposure) > tenths(b.Score.Exposure):
		r := base
		r.Kind = ExposureRose
		r.Was = fmt.Sprintf("%.1f %s", b.Score.Exposure, b.Score.Level)
		r.Now = fmt.Sprintf("%.1f %s", c.Score.Exposure, c.Score.Level)
		r.Message = fmt.Sprintf("exposure of %s rose from %.1f to %.1f (%+.1f)", name, b.Score.Exposure, c.Score.Exposure,
			float64(tenths(c.Score.Exposure)-tenths(b.Score.Exposure))/10)
		out = append(out, r)
	}
	// A broken service fails every probe as broke-service: that is one
	// regression, already reported, not one per probe.
	if !broke {
		now := map[string]string{}
		for _, p := range c.Probes {
			now[p.ID] = p.Verdict
		}
		for _, p := range b.Probes {
			if p.Verdict != string(probes.Enforced) {
				continue
			}
			v, ok := now[p.ID]
			if !ok {
				v = "not run"
			}
			if v == string(probes.Enforced) {
				continue
			}
			r := base
			r.Kind, r.Directive, r.Probe, r.Was, r.Now = VerdictLost, strings.Join(p.Directives, ","), p.ID, string(probes.Enforced), v
			r.Message = fmt.Sprintf("%s is no longer enforced: probe %s was enforced under %s in the baseline and is now %s under %s", r.Directive, p.ID, b.Profile.Name, v, name)
			out = append(out, r)
		}
	}
	if c.Behavior.Started {
		was, now := exposedIDs(b), exposedIDs(c)
		var grew []string
		for _, id := range now {
			if !contains(was, id) {
				grew = append(grew, id)
			}
		}
		if len(grew) > 0 {
			r := base
			r.Kind = ExposureGrew
			r.Was, r.Now = listOrNone(was), listOrNone(now)
			r.Message = fmt.Sprintf("%s now hands out %s over HTTP", name, strings.Join(grew, ", "))
			out = append(out, r)
		}
	}
	return out
}

// merge folds identical regressions of several profiles into one, keeping
// the most telling profile (the full set first) and listing the others.
func merge(all []found) []Regression {
	order := map[Kind]int{}
	for i, k := range Kinds() {
		order[k.Kind] = i
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if order[a.Kind] != order[b.Kind] {
			return order[a.Kind] < order[b.Kind]
		}
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		return a.index < b.index
	})
	type sameness struct {
		kind                                  Kind
		env, directive, probe, was, now, what string
	}
	firstOf := map[sameness]int{}
	var out []Regression
	for _, f := range all {
		s := sameness{f.Kind, f.Environment, f.Directive, f.Probe, f.Was, f.Now, ""}
		switch f.Kind {
		case VerdictLost, ServiceBroke, ProfileMissing:
		case ExposureRose:
			// Removing one directive raises every profile that had it by
			// about the same amount: one cause, one entry.
			s.was, s.now, s.what = "", "", f.delta
		case ExposureGrew:
			// Profiles differ in what they exposed before; what counts is
			// what appeared.
			s.was, s.now, s.what = "", "", grewOf(f.Was, f.Now)
		default:
			out = append(out, f.Regression)
			continue
		}
		if f.Kind != VerdictLost {
			s.directive = "" // every ablation profile names its own directive
		}
		if i, ok := firstOf[s]; ok {
			out[i].Also = append(out[i].Also, f.Profile)
			continue
		}
		firstOf[s] = len(out)
		out = append(out, f.Regression)
	}
	return out
}

// profileKey identifies one profile across runs: kind and the directive it
// is about are stable where a ladder step's name or number is not (the
// step numbers shift when a directive is removed).
type profileKey struct {
	env, kind, ident string
}

func keyOf(r report.Record) profileKey {
	k := profileKey{env: r.Environment.Name, kind: r.Profile.Kind}
	switch r.Profile.Kind {
	case profile.Control, profile.Full:
	case profile.Single, profile.LeaveOneOut, profile.Ladder:
		k.ident = r.Profile.Directive
		if k.ident == "" {
			k.ident = fmt.Sprintf("step %d %s", r.Profile.Step, r.Profile.Name)
		}
	default:
		k.ident = r.Profile.Name
	}
	return k
}

func (k profileKey) describe() string {
	switch k.kind {
	case "":
		return "profile " + printable(k.ident)
	case profile.Control, profile.Full:
		return "the " + printable(k.kind) + " profile"
	}
	return "the " + printable(k.kind) + " profile of " + printable(k.ident)
}

// printable quotes names that a hostile file filled with control
// characters, so an error stays one honest line.
func printable(s string) string {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return s
}

// rankOf orders profiles by how directly they show the unit as written:
// the full set (or what stands for it), the control, then the ablations.
func rankOf(m report.Matrix, r *report.Record) int {
	if AsWritten(m, r) {
		return 0
	}
	for i, k := range []string{profile.Control, profile.Single, profile.LeaveOneOut, profile.Ladder} {
		if k == r.Profile.Kind {
			return i + 1
		}
	}
	return 99
}

// environmentMapping pairs the baseline's environments with the current
// ones: by name, except that two single-environment matrices are the
// same environment whatever they are called (a baseline made on a
// laptop's "host-root" gates CI's).
func environmentMapping(baseline, current report.Matrix) func(string) string {
	b, c := envNames(baseline), envNames(current)
	if len(b) == 1 && len(c) == 1 {
		only := c[0]
		return func(string) string { return only }
	}
	return func(name string) string { return name }
}

func envNames(m report.Matrix) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range m.Records {
		if !seen[r.Environment.Name] {
			seen[r.Environment.Name] = true
			out = append(out, r.Environment.Name)
		}
	}
	return out
}

// AsWritten says whether the record stands for the unit as written: the
// full profile, a plain run, or a ladder's last step when the matrix kept
// no separate full profile. The threshold applies to it, and findings
// about the unit come from it first.
func AsWritten(m report.Matrix, r *report.Record) bool {
	switch r.Profile.Kind {
	case profile.Full, "":
		return true
	case profile.Ladder:
		if r.Profile.Step != len(m.Directives) || len(m.Directives) == 0 {
			return false
		}
		for _, o := range m.Records {
			if o.Environment.Name == r.Environment.Name && o.Profile.Kind == profile.Full {
				return false
			}
		}
		return true
	}
	return false
}

func scored(r *report.Record) bool { return r.Score.Error == "" && r.Score.Level != "" }

// tenths compares scores as systemd prints them, so float noise never
// reads as a rise.
func tenths(e float64) int { return int(math.Round(e * 10)) }

// exposedIDs lists the sensitive paths a record's service handed out, by
// stable id; marker paths carry the run id, so when a record only has
// paths, the run id is taken out.
func exposedIDs(r *report.Record) []string {
	var ids []string
	if len(r.Behavior.Exposures) > 0 {
		for _, e := range r.Behavior.Exposures {
			if e.Exposed {
				ids = append(ids, e.ID)
			}
		}
		return ids
	}
	for _, p := range r.Behavior.ExposedPaths {
		if r.RunID != "" {
			p = strings.ReplaceAll(p, r.RunID, "{run}")
		}
		ids = append(ids, p)
	}
	return ids
}

// grewOf lists what is in the now-list and not in the was-list.
func grewOf(was, now string) string {
	before := strings.Split(was, ", ")
	var grew []string
	for _, id := range strings.Split(now, ", ") {
		if !contains(before, id) {
			grew = append(grew, id)
		}
	}
	return strings.Join(grew, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func listOrNone(l []string) string {
	if len(l) == 0 {
		return "nothing"
	}
	return strings.Join(l, ", ")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
