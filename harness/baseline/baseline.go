// Package baseline stores a matrix as the reference a later run must not
// fall behind, and says precisely how a new run regressed against it: the
// regression gate of `hardenlab check`.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hardenlab/hardenlab/harness/report"
)

// Load reads a baseline written by Save (or by `hardenlab matrix --json`).
// Errors name the file and, for bad JSON, the line.
func Load(path string) (report.Matrix, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return report.Matrix{}, fmt.Errorf("reading baseline: %w", err)
	}
	return decode(path, data)
}

// ErrEmpty is returned for a baseline with nothing to compare against.
var ErrEmpty = errors.New("baseline is empty")

// ErrSchema is returned for a baseline of another schema version.
var ErrSchema = errors.New("baseline schema version not supported")

// decode is Load without the file system, so the fuzzer can reach it.
func decode(path string, data []byte) (report.Matrix, error) {
	var m report.Matrix
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return m, fmt.Errorf("%s: %w: the file has no content", path, ErrEmpty)
	}
	if first, _, _ := bytes.Cut(trimmed, []byte("\n")); bytes.HasSuffix(bytes.TrimSpace(first), []byte("]")) && !json.Valid(trimmed) {
		// "[Service]": the unit and the baseline swapped places.
		return m, fmt.Errorf("%s:1: this is a unit file, not a baseline; a baseline is the matrix document (JSON) that check --update-baseline writes, and the unit is check's last argument", path)
	}
	if trimmed[0] == '[' {
		return m, fmt.Errorf("%s:1: this is a list of records (hardenlab run --json); a baseline is a matrix document (hardenlab matrix --json or check --update-baseline)", path)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return report.Matrix{}, fmt.Errorf("%s: not a hardenlab matrix document: %w", positionOf(path, data, err), err)
	}
	if dec.More() {
		off := dec.InputOffset()
		return report.Matrix{}, fmt.Errorf("%s:%d: unexpected content after the matrix document", path, lineOf(data, off))
	}
	if m.Schema == 0 {
		return report.Matrix{}, fmt.Errorf("%s: %w: no \"schema\" field (want %d); is this a hardenlab matrix document?", path, ErrSchema, report.SchemaVersion)
	}
	if m.Schema != report.SchemaVersion {
		return report.Matrix{}, fmt.Errorf("%s: %w: schema %d, this hardenlab reads schema %d; rerun with --update-baseline to rewrite it", path, ErrSchema, m.Schema, report.SchemaVersion)
	}
	if len(m.Records) == 0 {
		return report.Matrix{}, fmt.Errorf("%s: %w: no records, so there is nothing to compare against", path, ErrEmpty)
	}
	seen := map[profileKey]int{}
	for i, r := range m.Records {
		if r.Schema != 0 && r.Schema != report.SchemaVersion {
			return report.Matrix{}, fmt.Errorf("%s: record %d (%q): %w: schema %d, want %d", path, i, r.Profile.Name, ErrSchema, r.Schema, report.SchemaVersion)
		}
		if r.Profile.Name == "" {
			return report.Matrix{}, fmt.Errorf("%s: record %d has no profile name", path, i)
		}
		k := keyOf(r)
		if j, dup := seen[k]; dup {
			return report.Matrix{}, fmt.Errorf("%s: records %d and %d are both %s in environment %q: a baseline holds each profile once", path, j, i, k.describe(), r.Environment.Name)
		}
		seen[k] = i
		probeAt := map[string]int{}
		for j, p := range r.Probes {
			if at, dup := probeAt[p.ID]; dup {
				return report.Matrix{}, fmt.Errorf("%s: record %d (%q) lists probe %q twice (entries %d and %d): which verdict counts would be a guess", path, i, r.Profile.Name, p.ID, at, j)
			}
			probeAt[p.ID] = j
		}
	}
	return m, nil
}

// positionOf turns a JSON error's byte offset into "file:line".
func positionOf(path string, data []byte, err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("%s:%d", path, lineOf(data, syntax.Offset))
	case errors.As(err, &typ):
		return fmt.Sprintf("%s:%d", path, lineOf(data, typ.Offset))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Sprintf("%s:%d", path, lineOf(data, int64(len(data))))
	}
	return path
}

func lineOf(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	if offset < 0 {
		offset = 0
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

// Save writes m to path atomically: a reader (or a crash) never sees half
// a baseline, because the new file replaces the old one in one rename.
func Save(path string, m report.Matrix) error {
	if len(m.Records) == 0 {
		return fmt.Errorf("saving baseline %s: %w: the matrix has no records", path, ErrEmpty)
	}
	if m.Schema == 0 {
		m.Schema = report.SchemaVersion
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("saving baseline %s: encoding: %w", path, err)
	}
	data = append(data, '\n')
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("saving baseline %s: %w", path, err)
	}
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("saving baseline %s: writing %s: %w", path, tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("saving baseline %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("saving baseline %s: syncing %s: %w", path, tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving baseline %s: closing %s: %w", path, tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("saving baseline %s: replacing it: %w", path, err)
	}
	done = true
	// The rename is durable only once the directory entry is.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
