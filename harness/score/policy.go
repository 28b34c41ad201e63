package score

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Policy is a --security-policy file: per json_field, an optional weight,
// range and description texts.
type Policy struct {
	Path    string
	entries map[string]PolicyEntry
}

// PolicyEntry overrides one check. Nil fields keep systemd's values.
type PolicyEntry struct {
	Weight          *uint64
	Range           *uint64
	DescriptionGood *string
	DescriptionBad  *string
	DescriptionNA   *string
}

func (p *Policy) lookup(id string) (PolicyEntry, bool) {
	if p == nil {
		return PolicyEntry{}, false
	}
	e, ok := p.entries[id]
	return e, ok
}

func (e PolicyEntry) weight(def uint64) uint64 {
	if e.Weight != nil {
		return *e.Weight
	}
	return def
}

func (e PolicyEntry) rangeOr(def uint64) uint64 {
	if e.Range != nil {
		return *e.Range
	}
	return def
}

func (e PolicyEntry) text(override *string, def string) string {
	if override != nil {
		return *override
	}
	return def
}

// PolicySearchPath is where systemd-analyze looks for a policy when none is
// given, first match wins.
func PolicySearchPath() []string {
	return []string{
		"/etc/systemd/systemd-analyze-security.policy",
		"/run/systemd/systemd-analyze-security.policy",
		"/usr/local/lib/systemd/systemd-analyze-security.policy",
		"/usr/lib/systemd/systemd-analyze-security.policy",
	}
}

// LoadPolicy reads a policy file.
func LoadPolicy(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading security policy: %w", err)
	}
	return ParsePolicy(path, data)
}

// ParsePolicy reads policy JSON the way systemd-analyze does, ignoring
// unknown keys and values of the wrong type, but rejects what would make
// systemd-analyze crash or silently misbehave: a range of 0 or one below
// the badness the check can produce, a weight so large the sums overflow,
// and a top level that is not an object.
func ParsePolicy(path string, data []byte) (*Policy, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("%s: %w", path, jsonError(data, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: trailing data after the JSON object", path)
	}
	obj, ok := top.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: a security policy must be a JSON object keyed by json_field", path)
	}
	known := map[string]check{}
	for _, c := range checks() {
		known[c.jsonField] = c
	}
	p := &Policy{Path: path, entries: map[string]PolicyEntry{}}
	for id, v := range obj {
		fields, ok := v.(map[string]any)
		if !ok {
			continue
		}
		c, ok := known[id]
		if !ok {
			continue
		}
		var e PolicyEntry
		if n, ok := unsigned(fields["weight"]); ok {
			// Weights are summed and multiplied by badness and 100 in 64 bits.
			if n > 1<<40 {
				return nil, fmt.Errorf("%s: %s: weight %d is too large (at most %d)", path, id, n, uint64(1)<<40)
			}
			e.Weight = &n
		}
		if n, ok := unsigned(fields["range"]); ok {
			if n < c.rng {
				return nil, fmt.Errorf("%s: %s: range %d is below the largest badness this check produces (%d); systemd-analyze aborts on it", path, id, n, c.rng)
			}
			if n > 1<<20 {
				return nil, fmt.Errorf("%s: %s: range %d is too large (at most %d)", path, id, n, 1<<20)
			}
			e.Range = &n
		}
		for key, dst := range map[string]**string{"description_good": &e.DescriptionGood, "description_bad": &e.DescriptionBad, "description_na": &e.DescriptionNA} {
			if s, ok := fields[key].(string); ok {
				*dst = &s
			}
		}
		p.entries[id] = e
	}
	return p, nil
}

// unsigned accepts JSON numbers that are non-negative integers, as
// systemd's json_dispatch_uint64 does.
func unsigned(v any) (uint64, bool) {
	n, ok := v.(json.Number)
	if !ok || strings.ContainsAny(string(n), ".eE-") {
		return 0, false
	}
	var u uint64
	if _, err := fmt.Sscan(string(n), &u); err != nil {
		return 0, false
	}
	return u, true
}

// jsonError turns a decoder error into "line L, column C: ...".
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	case errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
		err = errors.New("unexpected end of input")
	}
	if off < 0 {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := int(off) - bytes.LastIndexByte(data[:off], '\n')
	return fmt.Errorf("line %d, column %d: invalid JSON: %w", line, col, err)
}
