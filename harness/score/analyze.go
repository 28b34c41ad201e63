package score

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// analyzeRow is one element of `systemd-analyze security --json=short`;
// weight, badness and range appear only with SYSTEMD_ANALYZE_DEBUG=1.
type analyzeRow struct {
	Set         *bool   `json:"set"`
	Name        string  `json:"name"`
	JSONField   string  `json:"json_field"`
	Description *string `json:"description"`
	Weight      *uint64 `json:"weight"`
	Badness     *uint64 `json:"badness"`
	Range       *uint64 `json:"range"`
	Exposure    *string `json:"exposure"`
}

// ParseAnalyzeJSON reads the output of `systemd-analyze security
// --json=short|pretty` for one or more units (arrays back to back, in the
// order the units were given) into Check rows. Without the debug fields,
// Weight, Range and Badness are left 0 and Compare does not compare them.
func ParseAnalyzeJSON(data []byte) ([][]Check, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var units [][]Check
	for {
		var rows []analyzeRow
		err := dec.Decode(&rows)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading systemd-analyze JSON (unit %d): %w", len(units)+1, err)
		}
		checks := make([]Check, 0, len(rows))
		for i, r := range rows {
			c := Check{ID: r.JSONField, Name: r.Name, Set: r.Set, NA: r.Set == nil}
			if c.ID == "" {
				return nil, fmt.Errorf("reading systemd-analyze JSON (unit %d, row %d): no json_field", len(units)+1, i+1)
			}
			if r.Description != nil {
				c.Description = *r.Description
			}
			if r.Weight != nil && r.Range != nil && r.Badness != nil {
				c.Weight, c.Range = *r.Weight, *r.Range
				if *r.Badness == math.MaxUint64 {
					c.NA = true
				} else {
					c.Badness = *r.Badness
				}
			}
			if r.Exposure != nil {
				x, err := strconv.ParseFloat(*r.Exposure, 64)
				if err != nil {
					return nil, fmt.Errorf("reading systemd-analyze JSON (unit %d, %s): exposure %q: %w", len(units)+1, c.ID, *r.Exposure, err)
				}
				c.Exposure = x
			}
			checks = append(checks, c)
		}
		units = append(units, checks)
	}
	return units, nil
}

// Totals computes the overall exposure from rows that carry weight, range
// and badness (ours, or systemd-analyze's debug JSON); ok is false when they
// do not.
func Totals(checks []Check) (tenths int, ok bool) {
	var bsum, wsum uint64
	for _, c := range checks {
		if c.Range == 0 {
			return 0, false
		}
		if c.NA {
			continue
		}
		bsum += ceilDiv(c.Badness*c.Weight, c.Range)
		wsum += c.Weight
	}
	if wsum == 0 {
		return 0, false
	}
	return int(ceilDiv(bsum*100, wsum)), true
}

// Difference is one disagreement between two breakdowns of the same unit.
type Difference struct {
	ID     string `json:"json_field"`
	Field  string `json:"field"` // "missing", "na", "badness", "weight", "range", "set", "description", "exposure"
	Ours   string `json:"ours"`
	Theirs string `json:"theirs"`
}

func (d Difference) String() string {
	return fmt.Sprintf("%s: %s: ours %s, theirs %s", d.ID, d.Field, d.Ours, d.Theirs)
}

// Compare lists where our rows and systemd-analyze's rows disagree, in our
// row order. Weight, range and badness are compared only when theirs carry
// them (debug JSON).
func Compare(ours, theirs []Check) []Difference {
	byID := make(map[string]Check, len(theirs))
	for _, c := range theirs {
		byID[c.ID] = c
	}
	var diffs []Difference
	add := func(id, field string, o, t any) {
		diffs = append(diffs, Difference{ID: id, Field: field, Ours: fmt.Sprint(o), Theirs: fmt.Sprint(t)})
	}
	seen := map[string]bool{}
	for _, o := range ours {
		seen[o.ID] = true
		t, ok := byID[o.ID]
		if !ok {
			add(o.ID, "missing", "present", "absent")
			continue
		}
		if o.NA != t.NA {
			add(o.ID, "na", o.NA, t.NA)
			continue
		}
		if t.Range != 0 {
			if o.Weight != t.Weight {
				add(o.ID, "weight", o.Weight, t.Weight)
			}
			if o.Range != t.Range {
				add(o.ID, "range", o.Range, t.Range)
			}
			if !o.NA && o.Badness != t.Badness {
				add(o.ID, "badness", o.Badness, t.Badness)
			}
		}
		if setString(o.Set) != setString(t.Set) {
			add(o.ID, "set", setString(o.Set), setString(t.Set))
		}
		if o.Description != t.Description {
			add(o.ID, "description", strconv.Quote(o.Description), strconv.Quote(t.Description))
		}
		if math.Round(o.Exposure*10) != math.Round(t.Exposure*10) {
			add(o.ID, "exposure", o.Exposure, t.Exposure)
		}
	}
	for _, t := range theirs {
		if !seen[t.ID] {
			add(t.ID, "missing", "absent", "present")
		}
	}
	return diffs
}

func setString(b *bool) string {
	if b == nil {
		return "null"
	}
	return strconv.FormatBool(*b)
}
