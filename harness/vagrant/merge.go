package vagrant

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hardenlab/hardenlab/harness/report"
)

// ComparisonSchema versions Comparison like report.SchemaVersion versions
// records.
const ComparisonSchema = 1

// Files a machine brings back under out/<machine>/, written by guest.sh.
const (
	machineFile = "machine.json"
	stepsFile   = "steps.json"
	runFile     = "run.json"
	matrixGlob  = "matrix-*.json"
)

// Comparison puts the machines' reports side by side: per profile, what each
// machine measured, and which of those measurements differ.
type Comparison struct {
	Schema   int              `json:"schema"`
	Machines []MachineSummary `json:"machines"`
	Profiles []ProfileRow     `json:"profiles"`
	// Differing counts the profiles whose measurements differ between
	// machines.
	Differing int `json:"differing"`
}

// MachineSummary is what one machine is and how its steps went.
type MachineSummary struct {
	Name           string `json:"name"`
	OS             string `json:"os,omitempty"`
	Systemd        string `json:"systemd,omitempty"` // systemctl --version's first line
	SystemdVersion string `json:"systemd_version,omitempty"`
	Kernel         string `json:"kernel,omitempty"`
	PID1           string `json:"pid1,omitempty"`
	Prebuilt       bool   `json:"prebuilt"`
	Steps          []Step `json:"steps"`
	// Failed lists the steps that exited non-zero.
	Failed  []string `json:"failed"`
	Records int      `json:"records"`
	// Problems are reports that were missing or unreadable.
	Problems []string `json:"problems,omitempty"`
}

// Step is one command guest.sh ran.
type Step struct {
	Step    string `json:"step"`
	Command string `json:"command"`
	Exit    int    `json:"exit"`
	Seconds int    `json:"seconds"`
}

// ProfileRow is one profile (a unit of the tutorial run, or one profile of
// a matrix) across machines.
type ProfileRow struct {
	// Key is the profile's name, prefixed by the matrix file's name for
	// matrix profiles ("matrix-single/...").
	Key       string          `json:"key"`
	ByMachine map[string]Cell `json:"by_machine"`
	// Differences names the measurements that are not the same on every
	// machine that has the profile: exposure, level, started, http_status,
	// exposed_paths, error, verdict:<probe id>; and "missing" when some
	// machines lack the profile.
	Differences []string `json:"differences"`
}

// Cell is what one machine measured for one profile.
type Cell struct {
	Exposure     float64           `json:"exposure"`
	Level        string            `json:"level"`
	Started      bool              `json:"started"`
	HTTPStatus   int               `json:"http_status"`
	ExposedPaths []string          `json:"exposed_paths"`
	Verdicts     map[string]string `json:"verdicts"`
	Error        string            `json:"error,omitempty"`
}

// Merge reads every out/<machine>/ directory under dir that guest.sh wrote
// and compares the machines. A machine with missing or unreadable reports
// is listed with its problems; Merge fails only when dir holds no machine.
func Merge(ctx context.Context, dir string) (Comparison, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return Comparison{}, fmt.Errorf("listing machine reports: %w", err)
	}
	c := Comparison{Schema: ComparisonSchema}
	rows := map[string]*ProfileRow{}
	var order []string
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return Comparison{}, fmt.Errorf("merging machine reports: %w", err)
		}
		mdir := filepath.Join(dir, e.Name())
		if !e.IsDir() || !exists(filepath.Join(mdir, machineFile)) {
			continue
		}
		summary, records := readMachine(e.Name(), mdir)
		summary.Records = len(records)
		for _, rec := range records {
			row, ok := rows[rec.key]
			if !ok {
				row = &ProfileRow{Key: rec.key, ByMachine: map[string]Cell{}}
				rows[rec.key] = row
				order = append(order, rec.key)
			}
			row.ByMachine[summary.Name] = cellOf(rec.Record)
		}
		c.Machines = append(c.Machines, summary)
	}
	if len(c.Machines) == 0 {
		return Comparison{}, fmt.Errorf("merging machine reports: no %s/<machine>/%s found (has a machine been provisioned?)", dir, machineFile)
	}
	sort.Slice(c.Machines, func(i, j int) bool { return c.Machines[i].Name < c.Machines[j].Name })
	for _, key := range order {
		row := rows[key]
		row.Differences = differences(row.ByMachine, len(c.Machines))
		if len(row.Differences) > 0 {
			c.Differing++
		}
		c.Profiles = append(c.Profiles, *row)
	}
	return c, nil
}

type keyedRecord struct {
	key string
	report.Record
}

func readMachine(name, dir string) (MachineSummary, []keyedRecord) {
	s := MachineSummary{Name: name, Steps: []Step{}, Failed: []string{}}
	var facts struct {
		Machine  string `json:"machine"`
		OS       string `json:"os"`
		Systemd  string `json:"systemd"`
		Kernel   string `json:"kernel"`
		PID1     string `json:"pid1"`
		Prebuilt bool   `json:"prebuilt"`
	}
	if err := readJSON(filepath.Join(dir, machineFile), &facts); err != nil {
		s.Problems = append(s.Problems, err.Error())
	}
	if facts.Machine != "" && facts.Machine != name {
		s.Problems = append(s.Problems, fmt.Sprintf("%s says it is machine %q, not %q", machineFile, facts.Machine, name))
	}
	s.OS, s.Systemd, s.Kernel, s.PID1, s.Prebuilt = facts.OS, facts.Systemd, facts.Kernel, facts.PID1, facts.Prebuilt

	if err := readJSON(filepath.Join(dir, stepsFile), &s.Steps); err != nil {
		s.Problems = append(s.Problems, err.Error())
	}
	for _, st := range s.Steps {
		if st.Exit != 0 {
			s.Failed = append(s.Failed, st.Step)
		}
	}

	var records []keyedRecord
	var run []report.Record
	if err := readJSON(filepath.Join(dir, runFile), &run); err != nil {
		s.Problems = append(s.Problems, err.Error())
	}
	for _, r := range run {
		records = append(records, keyedRecord{r.Profile.Name, r})
	}
	matrices, _ := filepath.Glob(filepath.Join(dir, matrixGlob))
	sort.Strings(matrices)
	for _, path := range matrices {
		var m report.Matrix
		if err := readJSON(path, &m); err != nil {
			s.Problems = append(s.Problems, err.Error())
			continue
		}
		prefix := strings.TrimSuffix(filepath.Base(path), ".json") + "/"
		for _, r := range m.Records {
			records = append(records, keyedRecord{prefix + r.Profile.Name, r})
		}
	}
	for _, r := range records {
		if r.Environment.SystemdVersion != "" {
			s.SystemdVersion = r.Environment.SystemdVersion
			break
		}
	}
	return s, records
}

// runPlaceholder replaces a record's run id in the paths it exposes: the
// marker files hardenlab plants are named after the run, which differs on
// every machine.
const runPlaceholder = "<run>"

func cellOf(r report.Record) Cell {
	c := Cell{
		Exposure:     r.Score.Exposure,
		Level:        r.Score.Level,
		Started:      r.Behavior.Started,
		HTTPStatus:   r.Behavior.HTTPStatus,
		ExposedPaths: []string{},
		Verdicts:     map[string]string{},
		Error:        r.Error,
	}
	for _, p := range r.Behavior.ExposedPaths {
		if r.RunID != "" {
			p = strings.ReplaceAll(p, r.RunID, runPlaceholder)
		}
		c.ExposedPaths = append(c.ExposedPaths, p)
	}
	slices.Sort(c.ExposedPaths)
	for _, p := range r.Probes {
		c.Verdicts[p.ID] = p.Verdict
	}
	return c
}

// differences compares the cells of one profile; machines is how many
// machines were merged.
func differences(cells map[string]Cell, machines int) []string {
	diff := []string{}
	if len(cells) < machines {
		diff = append(diff, "missing")
	}
	names := slices.Sorted(maps.Keys(cells))
	if len(names) < 2 {
		return diff
	}
	first := cells[names[0]]
	differs := func(same func(a, b Cell) bool) bool {
		for _, n := range names[1:] {
			if !same(first, cells[n]) {
				return true
			}
		}
		return false
	}
	fields := []struct {
		name string
		same func(a, b Cell) bool
	}{
		{"exposure", func(a, b Cell) bool { return a.Exposure == b.Exposure }},
		{"level", func(a, b Cell) bool { return a.Level == b.Level }},
		{"started", func(a, b Cell) bool { return a.Started == b.Started }},
		{"http_status", func(a, b Cell) bool { return a.HTTPStatus == b.HTTPStatus }},
		{"exposed_paths", func(a, b Cell) bool { return slices.Equal(a.ExposedPaths, b.ExposedPaths) }},
		{"error", func(a, b Cell) bool { return a.Error == b.Error }},
	}
	for _, f := range fields {
		if differs(f.same) {
			diff = append(diff, f.name)
		}
	}
	probes := map[string]bool{}
	for _, n := range names {
		for id := range cells[n].Verdicts {
			probes[id] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(probes)) {
		if differs(func(a, b Cell) bool { return a.Verdicts[id] == b.Verdicts[id] }) {
			diff = append(diff, "verdict:"+id)
		}
	}
	return diff
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s is missing", filepath.Base(path))
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding %s: %w", filepath.Base(path), err)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
