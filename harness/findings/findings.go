// Package findings turns hardenlab's records into the findings a CI gate
// shows: each one a rule, a message with its evidence, and the unit file
// and line of the directive it is about. SARIF and other gate formats
// render these; they decide nothing themselves.
package findings

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hardenlab/hardenlab/harness/baseline"
	"github.com/hardenlab/hardenlab/harness/behavior"
	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// Level is how loudly a gate shows a finding (SARIF's result levels).
type Level string

const (
	Error   Level = "error"
	Warning Level = "warning"
	Note    Level = "note"
)

// Rule is one kind of finding.
type Rule struct {
	ID    string // stable, e.g. "not-enforced"
	Name  string // CamelCase, for tools that want an identifier
	Title string // one line
	Help  string // what it means and what to do
	Level Level
}

// The rule ids.
const (
	NotEnforced   = "not-enforced"
	Lint          = "lint"
	OverThreshold = "exposure-over-threshold"
	// EffectiveOverThreshold is the effective exposure's gate.
	EffectiveOverThreshold = "effective-exposure-over-threshold"
	Regression             = "regression"
	BrokeService           = "broke-service"
	Bypass                 = "bypass"
	Refused                = "refused"
)

// Rules is the table of every kind of finding, in the order a reader
// should meet them.
func Rules() []Rule {
	return []Rule{
		{NotEnforced, "DirectiveNotEnforced", "directive declared and scored, but not enforced here",
			"A probe attempted what the directive forbids and the kernel allowed it, as it did without the directive: the exposure score credits a restriction that does not hold in this environment.", Error},
		{BrokeService, "ServiceBroke", "the service did not start or stopped answering under the unit's hardening",
			"The unit failed to start or the service stopped answering its health check with these directives; the journal tail in the record says why.", Error},
		{Regression, "RegressionAgainstBaseline", "worse than the stored baseline",
			"Against the baseline given to hardenlab check, a score rose, a verdict was lost, a directive disappeared, the service broke or it exposes more; the message says which.", Error},
		{OverThreshold, "ExposureOverThreshold", "exposure score above the threshold",
			"The unit's exposure score, as systemd-analyze security computes it, is above the --threshold the gate was given.", Error},
		{EffectiveOverThreshold, "EffectiveExposureOverThreshold", "effective exposure score above the threshold",
			"The unit's exposure scored again with each directive its probes show not enforced here counted as unset is above the --effective-threshold the gate was given: the declared score credits restrictions that do not hold.", Error},
		{Bypass, "DirectiveBypassed", "what a compromised service could still do around a directive that holds",
			"A bypass probe did, under the unit's hardening, an action that goes around a declared directive (code mapped executable from a file under MemoryDenyWriteExecute=, a system call through the i386 ABI past SystemCallFilter=): the directive is enforced for what it claims, and this is what it leaves open. Add the directive the message names, or accept the risk.", Warning},
		{Refused, "UnitRefused", "the unit could not be read or started as written",
			"A line hardenlab refuses (an unknown directive, a value systemd would reject, a template without an instance, a file that is not a service unit), or a unit that could not be handed to systemd here (its ExecStart= program is missing), so it was neither scored nor run; the message names the line or the reason.", Error},
		{Lint, "DeclaredButMeaningless", "hardening declared that cannot mean what it says",
			"A setting that scores points while doing nothing, or does the opposite of what was most likely meant; the message explains.", Warning},
	}
}

// Finding is one result of a rule.
type Finding struct {
	Rule        string
	Message     string
	File        string // the unit file; "" when unknown
	Line        int    // 0 when the finding is about the whole file
	Directive   string // "" when about the whole unit
	Environment string
	Profile     string
	Probe       string
}

// FromMatrix lists the findings of a matrix (or of plain runs wrapped in
// one) and of the regressions a check found against its baseline (where a
// threshold the full unit exceeds is one of them).
func FromMatrix(m report.Matrix, regs []baseline.Regression) []Finding {
	var out []Finding
	out = append(out, notEnforced(m)...)
	for i := range m.Records {
		r := &m.Records[i]
		if !baseline.AsWritten(m, r) {
			continue
		}
		out = append(out, brokeService(m.Source, r)...)
		out = append(out, lints(m.Source, r)...)
		out = append(out, bypasses(m.Source, r)...)
	}
	for _, g := range regs {
		out = append(out, regression(m, g))
	}
	return out
}

// FromScore lists the findings of scoring one unit file, with the
// threshold in tenths as `hardenlab score --threshold` takes it.
func FromScore(path string, tenths int, level string, threshold int) []Finding {
	if tenths <= threshold {
		return nil
	}
	return []Finding{{Rule: OverThreshold, File: path,
		Message: fmt.Sprintf("exposure %.1f %s is above the threshold %.1f", float64(tenths)/10, level, float64(threshold)/10)}}
}

// FromRefused lists the findings of a unit that could not be read: one
// per problem at its file and line (a unit's problems come joined), or
// one for the whole file when the error names no line.
func FromRefused(path string, err error) []Finding {
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var out []Finding
		for _, e := range joined.Unwrap() {
			out = append(out, FromRefused(path, e)...)
		}
		return out
	}
	var de *directive.Error
	if errors.As(err, &de) && de.Source.File != "" {
		return []Finding{{Rule: Refused, File: de.Source.File, Line: de.Source.Line, Directive: de.Directive, Message: de.Error()}}
	}
	return []Finding{{Rule: Refused, File: path, Message: err.Error()}}
}

// notEnforced reports each (environment, directive, probe) once, from the
// profile that shows it most directly: the unit as written if it ran,
// else the directive's own single profile, else any other.
func notEnforced(m report.Matrix) []Finding {
	type key struct{ env, directive, probe string }
	best := map[key]int{}
	found := map[key]Finding{}
	var order []key
	for i := range m.Records {
		r := &m.Records[i]
		for _, p := range r.Probes {
			if p.Verdict != string(probes.NotEnforced) {
				continue
			}
			for _, d := range p.Directives {
				k := key{r.Environment.Name, d, p.ID}
				rank := directness(m, r, d)
				if prev, ok := best[k]; ok && prev <= rank {
					continue
				}
				if _, ok := best[k]; !ok {
					order = append(order, k)
				}
				best[k] = rank
				file, line := directiveLine(m.Source, r, d)
				found[k] = Finding{Rule: NotEnforced, File: file, Line: line, Directive: d,
					Environment: r.Environment.Name, Profile: r.Profile.Name, Probe: p.ID,
					Message: fmt.Sprintf("%s= is not enforced in %s: probe %s %s (profile %s)", d, envName(r), p.ID, p.Detail, r.Profile.Name)}
			}
		}
	}
	out := make([]Finding, 0, len(order))
	for _, k := range order {
		out = append(out, found[k])
	}
	return out
}

func directness(m report.Matrix, r *report.Record, directive string) int {
	switch {
	case baseline.AsWritten(m, r):
		return 0
	case r.Profile.Kind == profile.Single && r.Profile.Directive == directive:
		return 1
	}
	return 2
}

func brokeService(source string, r *report.Record) []Finding {
	b := r.Behavior
	broken := !b.Started || (b.HTTPStatus == 0 && r.Error == "")
	if b.Outcome == string(behavior.Unreachable) {
		// Running and serving inside its sandbox: cut off, not broken.
		broken = false
	}
	if !broken || r.Profile.Kind == profile.Control {
		return nil
	}
	if r.Error != "" && b.ActiveState == "" {
		// Never handed to systemd (its ExecStart= program is missing
		// here, say): nothing broke under the hardening.
		return []Finding{{Rule: Refused, File: sourceFile(source, r), Environment: r.Environment.Name, Profile: r.Profile.Name,
			Message: fmt.Sprintf("profile %s could not run in %s: %s", r.Profile.Name, envName(r), strings.SplitN(r.Error, "\n", 2)[0])}}
	}
	why := firstNonEmpty(b.Error, r.Error, "result "+b.Result)
	if len(b.JournalTail) > 0 {
		why += "; journal: " + b.JournalTail[len(b.JournalTail)-1]
	}
	return []Finding{{Rule: BrokeService, File: sourceFile(source, r), Environment: r.Environment.Name, Profile: r.Profile.Name,
		Message: fmt.Sprintf("the service broke under profile %s in %s (%s, %s): %s", r.Profile.Name, envName(r), firstNonEmpty(b.ActiveState, "no state"), firstNonEmpty(b.Result, "no result"), why)}}
}

// bypasses reports each bypass that worked under the unit as written,
// once per directive it goes around; one the control could not do either
// is the environment's, not the unit's, and never worked.
func bypasses(source string, r *report.Record) []Finding {
	var out []Finding
	for _, b := range r.Bypasses {
		if !b.Works {
			continue
		}
		for _, d := range b.Directives {
			file, line := directiveLine(source, r, d)
			out = append(out, Finding{Rule: Bypass, File: file, Line: line, Directive: d,
				Environment: r.Environment.Name, Profile: r.Profile.Name, Probe: b.ID,
				Message: fmt.Sprintf("%s= holds, but probe %s goes around it in %s: %s (profile %s)", d, b.ID, envName(r), b.Detail, r.Profile.Name)})
		}
	}
	return out
}

func lints(source string, r *report.Record) []Finding {
	var out []Finding
	for _, l := range r.Lints {
		file, line := directiveLine(source, r, l.Directive)
		out = append(out, Finding{Rule: Lint, File: file, Line: line, Directive: l.Directive,
			Environment: r.Environment.Name, Profile: r.Profile.Name,
			Message: fmt.Sprintf("%s (%s)", l.Message, l.ID)})
	}
	return out
}

func regression(m report.Matrix, g baseline.Regression) Finding {
	rule := Regression
	switch g.Kind {
	case baseline.OverThreshold:
		rule = OverThreshold
	case baseline.EffectiveOverThreshold:
		rule = EffectiveOverThreshold
	}
	f := Finding{Rule: rule, Directive: g.Directive, Environment: g.Environment, Profile: g.Profile, Probe: g.Probe,
		Message: fmt.Sprintf("%s: %s (was %s, now %s)", g.Kind, g.Message, g.Was, g.Now)}
	f.File = m.Source
	for i := range m.Records {
		r := &m.Records[i]
		if !baseline.AsWritten(m, r) {
			continue
		}
		f.File = sourceFile(m.Source, r)
		if g.Directive != "" {
			f.File, f.Line = directiveLine(m.Source, r, g.Directive)
		}
		break
	}
	return f
}

// directiveLine finds where the record's profile assigned the directive:
// the last line, the one whose value systemd keeps.
func directiveLine(source string, r *report.Record, directive string) (string, int) {
	file, line := sourceFile(source, r), 0
	for _, a := range r.Profile.Directives {
		if a.Name != directive || a.Source == "" {
			continue
		}
		if f, l, ok := splitSource(a.Source); ok {
			file, line = f, l
		}
	}
	return file, line
}

// splitSource reads the "file:line" form of report.Assignment.Source.
func splitSource(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(s[i+1:])
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return s[:i], n, true
}

func sourceFile(source string, r *report.Record) string {
	return firstNonEmpty(r.Profile.Source, source)
}

func envName(r *report.Record) string {
	return firstNonEmpty(r.Environment.Name, "this environment")
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Sort orders findings by file, line and rule, so that output is stable.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Rule < b.Rule
	})
}
