// Package score computes the exposure score of a service the way
// systemd-analyze security does, for systemd 252 and 257, offline (what
// `systemd-analyze security --offline=true FILE` prints) or online (what the
// running unit scores, with the settings PID 1 implies), and explains each
// check. It also reads systemd-analyze's own JSON so that the two answers
// can be compared row by row (ParseAnalyzeJSON, Compare, Analyzer).
//
// The checks are one table (checks.go); the inputs are the settings of the
// project's unit parser (harness/directive) after the implications PID 1
// applies (facts.go); what differs between versions is one table
// (version.go) plus the generated syscall group data (syscalls_*.go, made
// by internal/gensyscalls from the real systemd-analyze and libseccomp:
// `go generate ./harness/score` as root, with the trixie root built).
//
// Proof of parity, all as root on a machine with systemd-analyze:
//
//	go test -tags parity -run Parity -v ./harness/score/
//
// compares ≥1000 generated units and the real units of harness/corpus
// (every stock service unit of the host and of the trixie root, and the
// units of 30 Debian server packages of each release), every row and the
// total, with systemd-analyze 252 (host) and 257 (a cached Debian trixie
// root, see harness/rootfs), offline, with a policy, and online in booted
// containers; and the generated syscall tables against the tools. Speed
// and robustness:
//
//	hardenlab bench --score [--root DIR]
//	go test -run '^$' -bench . -benchtime 200x ./harness/score/
//	go test -run '^$' -fuzz FuzzScore -parallel 1 -fuzztime 10m ./harness/score/
package score

import (
	"errors"
	"fmt"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// Options selects the semantics to score with. The zero value scores
// online with the newest modelled version.
type Options struct {
	Version  Version // 0 means Newest()
	Offline  bool    // reproduce --offline=true instead of the running unit's score
	UnitName string  // e.g. "p3test.service"; names the DynamicUser= user
	Policy   *Policy // nil: systemd's built-in weights and ranges
}

// Check is one row of the breakdown.
type Check struct {
	ID          string  `json:"json_field"` // systemd-analyze's json_field, the policy key
	Name        string  `json:"name"`       // as systemd-analyze prints it, e.g. "PrivateDevices="
	Weight      uint64  `json:"weight"`
	Range       uint64  `json:"range"`
	Badness     uint64  `json:"badness"` // meaningless when NA
	NA          bool    `json:"na"`
	Set         *bool   `json:"set"`         // true: good, false: bad, null: not applicable
	Description string  `json:"description"` // "" where systemd-analyze prints none
	Exposure    float64 `json:"exposure"`    // this row's share as systemd-analyze shows it, 0 if none
	Fix         string  `json:"fix,omitempty"`
}

// Result is a unit's score.
type Result struct {
	Version    Version `json:"systemd_version"`
	Offline    bool    `json:"offline"`
	Exposure   float64 `json:"exposure"` // e.g. 9.6
	Tenths     int     `json:"tenths"`   // e.g. 96
	Level      string  `json:"level"`    // e.g. "UNSAFE"
	BadnessSum uint64  `json:"badness_sum"`
	WeightSum  uint64  `json:"weight_sum"`
	Checks     []Check `json:"checks"` // in systemd's table order
}

// level is one row of the exposure-to-word table.
type level struct {
	min   int // in tenths
	word  string
	emoji string
	ascii string
}

// levels, highest first: the first row whose minimum is reached wins.
func levels() []level {
	return []level{
		{100, "DANGEROUS", "🤢", ":-["},
		{90, "UNSAFE", "😨", ":-{"},
		{75, "EXPOSED", "🙁", ":-("},
		{50, "MEDIUM", "😐", ":-|"},
		{10, "OK", "🙂", ":-)"},
		{1, "SAFE", "😀", ":-}"},
		{0, "PERFECT", "😇", ":-]"},
	}
}

func levelOf(tenths int) level {
	for _, l := range levels() {
		if tenths >= l.min {
			return l
		}
	}
	return levels()[len(levels())-1]
}

// LevelWord returns the word systemd-analyze uses for an exposure in tenths.
func LevelWord(tenths int) string { return levelOf(tenths).word }

// LevelEmoji returns the face systemd-analyze prints next to the word.
func LevelEmoji(tenths int) string { return levelOf(tenths).emoji }

func ceilDiv(a, b uint64) uint64 { return (a + b - 1) / b }

// Score rates the settings of one service.
func Score(s *directive.Settings, opts Options) (*Result, error) { return ScoreInto(nil, s, opts) }

// ScoreInto is Score writing the result's rows into spare's backing array
// when it has room: a caller that scores many units, done with an earlier
// result's rows, hands them back. Fresh rows (81 of 136 bytes per unit)
// were a third of a short run's new memory, so of its page faults.
func ScoreInto(spare []Check, s *directive.Settings, opts Options) (*Result, error) {
	if s == nil {
		return nil, errors.New("scoring: no settings")
	}
	v := opts.Version
	if v == 0 {
		v = Newest()
	}
	sem, err := semanticsOf(v)
	if err != nil {
		return nil, fmt.Errorf("scoring %s: %w", opts.UnitName, err)
	}
	f := deriveFacts(s, opts.UnitName, sem, !opts.Offline)
	rows := checkTable()
	if cap(spare) < len(rows) {
		spare = make([]Check, 0, len(rows))
	}
	res := &Result{Version: v, Offline: opts.Offline, Checks: spare[:0]}
	for _, c := range rows {
		w, r, good, bad, na := c.weight, c.rng, c.good, c.bad, c.na
		if p, ok := opts.Policy.lookup(c.jsonField); ok {
			w, r = p.weight(w), p.rangeOr(r)
			good, bad, na = p.text(p.DescriptionGood, good), p.text(p.DescriptionBad, bad), p.text(p.DescriptionNA, na)
		}
		var o outcome
		switch {
		case c.ddOnly && !f.defaultDependencies:
			o = outcome{na: true, desc: descBootPhase}
		case w == 0:
			o = outcome{na: true, desc: descExcluded}
		default:
			o = c.assess(f)
		}
		if !o.na && (r == 0 || o.badness > r) {
			return nil, fmt.Errorf("scoring %s: policy range %d of %s is below its badness %d", opts.UnitName, r, c.jsonField, o.badness)
		}
		row := Check{ID: c.jsonField, Name: c.name, Weight: w, Range: r, Badness: o.badness, NA: o.na, Description: o.desc, Fix: c.fix}
		switch {
		case o.na:
			if row.Description == "" {
				row.Description = na
			}
		case o.badness == 0:
			row.Set = ptr(true)
			if row.Description == "" {
				row.Description = good
			}
		default:
			row.Set = ptr(false)
			// A partial badness has no fixed text: it is neither good nor bad.
			if row.Description == "" && o.badness == c.rng {
				row.Description = bad
			}
		}
		if !o.na {
			res.BadnessSum += ceilDiv(o.badness*w, r)
			res.WeightSum += w
		}
		res.Checks = append(res.Checks, row)
	}
	if res.WeightSum == 0 {
		return nil, fmt.Errorf("scoring %s: every check is excluded, nothing to score", opts.UnitName)
	}
	res.Tenths = int(ceilDiv(res.BadnessSum*100, res.WeightSum))
	res.Exposure = float64(res.Tenths) / 10
	res.Level = LevelWord(res.Tenths)
	for i := range res.Checks {
		if c := &res.Checks[i]; !c.NA && c.Badness > 0 {
			x := ceilDiv(ceilDiv(c.Badness*c.Weight*100, c.Range), res.WeightSum)
			c.Exposure = float64(x) / 10
		}
	}
	return res, nil
}

func ptr[T any](v T) *T { return &v }
