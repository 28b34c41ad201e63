package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
)

const scoreUsage = `Usage: hardenlab score [flags] UNITFILE...

Computes the exposure score of each unit file the way systemd-analyze
security does (0.0 = every check passes, 10.0 = none does), without a
running systemd and without root, and explains it: every open check with
its share of the score, and the directives that would lower it most.

The score is a weighted average of 81 checks ("is PrivateNetwork= on?",
"is CAP_SYS_ADMIN in the bounding set?", "does the syscall filter cover
@mount?"). Levels: 0.0 PERFECT, <1.0 SAFE, <5.0 OK, <7.5 MEDIUM,
<9.0 EXPOSED, <10.0 UNSAFE, 10.0 DANGEROUS.

Two views of the same file:
  default    what the unit scores once it runs (systemd-analyze security
             UNIT against PID 1): e.g. PrivateTmp= or ProtectSystem= imply
             PrivateMounts=, and IPAddressAllow=127.0.0.1 is not "localhost"
  --offline  what "systemd-analyze security --offline=true FILE" prints

systemd versions differ (252 and 257 are modelled; 257 offline counts an
unset PrivateMounts= as on). The default is the systemd installed here,
else the newest modelled one. A SystemCallFilter= name only 257's
libseccomp resolves (mseal, listmount, ...) is scored under 252 as
systemd-analyze 252 scores it: ignored, with a warning on stderr
("Failed to parse system call, ignoring"); hardenlab run refuses it there.

--threshold and --security-policy behave as in systemd-analyze: the
threshold is in tenths (50 means 5.0) and fails the run when a unit's
exposure is above it; the policy is a JSON object keyed by json_field
({"PrivateNetwork":{"weight":0},"UMask":{"weight":5000,"range":10}}).
Without --security-policy the first of systemd's policy files that exists
is used, as systemd-analyze does. Policies systemd-analyze would crash on
(a range of 0 or below a check's badness) are refused with a clear error.

Flags:
`

const scoreExamples = `
Examples:
  hardenlab score fixtures/p3test.service fixtures/p3test-hardened.service
  hardenlab score --offline --systemd-version 257 fixtures/p3test-hardened.service
  hardenlab score --threshold 50 --json /etc/systemd/system/*.service

Exit status: 0 every file scored and none is above the threshold; 1 some
unit is above the threshold; 2 bad usage or policy; 3 some file could not
be scored (each such file is named with the reason; the others are still
scored and printed).
`

// scoredFile is one FILE argument's outcome, as --json prints it.
type scoredFile struct {
	Path string `json:"path"`
	*score.Result
	Error string `json:"error,omitempty"`
	unit  *scoredUnit
}

func cmdScore(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(io.err)
	asJSON := fs.Bool("json", false, `print [{"path", "exposure", "level", "checks": [...]}] instead of text`)
	offline := fs.Bool("offline", false, "score as systemd-analyze security --offline=true does")
	versionFlag := fs.String("systemd-version", "", "systemd semantics to use: "+versionNames()+" (default: the installed systemd)")
	threshold := fs.Int("threshold", 100, "fail (exit 1) if a unit's exposure is above this, in tenths (0..100)")
	policyFile := fs.String("security-policy", "", "JSON policy with per-check weight/range overrides")
	fs.Usage = func() {
		fmt.Fprint(io.err, scoreUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, scoreExamples)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() == 0 {
		errorf(io, "score needs at least one unit file")
		hintf(io, "hardenlab score fixtures/p3test-hardened.service")
		return exitUsage
	}
	if *threshold < 0 || *threshold > 100 {
		errorf(io, "--threshold=%d: want an integer from 0 to 100 (tenths: 50 means 5.0)", *threshold)
		return exitUsage
	}
	version, found := score.DetectVersion(ctx)
	if *versionFlag != "" {
		v, err := score.ParseVersion(*versionFlag)
		if err != nil {
			errorf(io, "--systemd-version: %v", err)
			return exitUsage
		}
		version = v
	} else if found == 0 {
		hintf(io, "no systemd found here; scoring with systemd %s semantics (--systemd-version to choose)", version)
	} else if int(version) != found {
		hintf(io, "systemd %d is installed but not modelled; scoring with systemd %s semantics", found, version)
	}
	policy, err := loadPolicy(*policyFile)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}

	opts := score.Options{Version: version, Offline: *offline, Policy: policy}
	var files []scoredFile
	failed, above := false, false
	for _, path := range fs.Args() {
		if err := ctx.Err(); err != nil {
			errorf(io, "score: %v", err)
			return exitError
		}
		su, err := scoreFile(path, opts)
		if err != nil {
			errorf(io, "%v", err)
			files = append(files, scoredFile{Path: path, Error: err.Error()})
			failed = true
			continue
		}
		for _, w := range score.IgnoredSyscalls(su.unit.Service, version) {
			fmt.Fprintf(io.err, "hardenlab: warning: %s\n", w)
		}
		for _, a := range su.unit.Service {
			if since := directive.Since(a.Name); since > int(version) {
				fmt.Fprintf(io.err, "hardenlab: warning: %s: %s=%s: systemd %s ignores it (\"Unknown key '%s' in section [Service], ignoring.\"), as systemd-analyze %s does; only systemd %d or newer knows it\n",
					a.Source, a.Name, a.Value, version, a.Name, version, since)
			}
		}
		files = append(files, scoredFile{Path: path, Result: su.result, unit: su})
		if su.result.Tenths > *threshold {
			above = true
		}
	}

	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(files); err != nil {
			errorf(io, "writing JSON: %v", err)
			return exitError
		}
	} else {
		mode := "as the running unit would score"
		if *offline {
			mode = "as systemd-analyze security --offline=true"
		}
		policyNote := ""
		if policy != nil {
			policyNote = ", policy " + policy.Path
		}
		fmt.Fprintf(io.out, "systemd %s semantics, %s%s\n", version, mode, policyNote)
		for _, f := range files {
			if f.unit != nil {
				printScore(io.out, f.Path, f.unit)
			}
		}
	}
	switch {
	case failed:
		return exitError
	case above:
		if !*asJSON {
			fmt.Fprintf(io.out, "\nAbove the threshold of %d.%d.\n", *threshold/10, *threshold%10)
		}
		return exitFindings
	}
	return exitOK
}

func versionNames() string {
	var s []string
	for _, v := range score.Versions() {
		s = append(s, v.String())
	}
	return strings.Join(s, ", ")
}

// loadPolicy reads the named policy, or the first of systemd's default
// policy files that exists, as systemd-analyze does.
func loadPolicy(path string) (*score.Policy, error) {
	if path != "" {
		p, err := score.LoadPolicy(path)
		if err != nil {
			return nil, fmt.Errorf("--security-policy: %w", err)
		}
		return p, nil
	}
	for _, candidate := range score.PolicySearchPath() {
		if _, err := os.Stat(candidate); err == nil {
			p, err := score.LoadPolicy(candidate)
			if err != nil {
				return nil, fmt.Errorf("default security policy: %w", err)
			}
			return p, nil
		}
	}
	return nil, nil
}

// scoredUnit keeps what suggestions need to rescore the unit.
type scoredUnit struct {
	unit   *directive.Unit
	opts   score.Options
	result *score.Result
}

// scoreFile parses one unit file with the same parser as `hardenlab run`
// and scores it.
func scoreFile(path string, opts score.Options) (*scoredUnit, error) {
	if target, err := filepath.EvalSymlinks(path); err == nil && target == "/dev/null" {
		return nil, fmt.Errorf("%s: unit is masked (a symlink to /dev/null), nothing to score", path)
	}
	unit, err := directive.ParseFile(path)
	if err != nil {
		return nil, err
	}
	if len(unit.Service) == 0 {
		return nil, fmt.Errorf("%s: no [Service] settings, nothing to score (is this a service unit?)", path)
	}
	settings, err := directive.Resolve(unit.Service, unit.DefaultDependencies)
	if err != nil {
		return nil, err
	}
	opts.UnitName = filepath.Base(path)
	res, err := score.Score(settings, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &scoredUnit{unit: unit, opts: opts, result: res}, nil
}

func printScore(w io.Writer, path string, su *scoredUnit) {
	r := su.result
	fmt.Fprintf(w, "\n%s: %.1f %s %s  (%d of %d weighted badness)\n", path, r.Exposure, r.Level, score.LevelEmoji(r.Tenths), r.BadnessSum, r.WeightSum)
	open := openChecks(r)
	if len(open) == 0 {
		fmt.Fprintln(w, "  Every applicable check passes.")
		return
	}
	fmt.Fprintf(w, "\n  Open checks (%d of %d), largest share first:\n", len(open), len(r.Checks))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  SHARE\tCHECK\tBADNESS\tWHY")
	for _, c := range open {
		why := c.Description
		if why == "" {
			why = "(partially restricted)"
		}
		fmt.Fprintf(tw, "  %.1f\t%s\t%d/%d\t%s\n", c.Exposure, c.Name, c.Badness, c.Range, why)
	}
	tw.Flush()

	// Each suggestion rescores the whole unit; for machine-made giants
	// (thousands of lines) that would take long for little insight.
	if len(su.unit.Service) > maxLinesForSuggestions {
		fmt.Fprintf(w, "\n  (no suggestions: more than %d assignments)\n", maxLinesForSuggestions)
		return
	}
	best := suggestions(su, 5)
	if len(best) == 0 {
		return
	}
	fmt.Fprintln(w, "\n  Directives that would lower the score most (each added on its own, rescored):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range best {
		fmt.Fprintf(tw, "  %s\t%.1f -> %.1f\n", s.fix, r.Exposure, float64(s.tenths)/10)
	}
	tw.Flush()
}

func openChecks(r *score.Result) []score.Check {
	var open []score.Check
	for _, c := range r.Checks {
		if !c.NA && c.Badness > 0 {
			open = append(open, c)
		}
	}
	slices.SortStableFunc(open, func(a, b score.Check) int { return contribution(b) - contribution(a) })
	return open
}

// contribution is the check's term in the badness sum.
func contribution(c score.Check) int {
	return int((c.Badness*c.Weight + c.Range - 1) / c.Range)
}

const maxLinesForSuggestions = 1000

type suggestion struct {
	fix    string
	tenths int
}

// suggestions appends each open check's fix to the unit's own lines,
// rescores, and keeps the n that lower the score most: a fix's real effect
// includes what it implies (DynamicUser= turns on half a dozen checks).
func suggestions(su *scoredUnit, n int) []suggestion {
	seen := map[string]bool{}
	var out []suggestion
	for _, c := range openChecks(su.result) {
		if c.Fix == "" || seen[c.Fix] {
			continue
		}
		seen[c.Fix] = true
		a, err := directive.ParseAssignment(c.Fix, directive.Source{File: "suggestion"})
		if err != nil {
			continue
		}
		s, err := directive.Resolve(append(slices.Clone(su.unit.Service), a), su.unit.DefaultDependencies)
		if err != nil {
			continue
		}
		r, err := score.Score(s, su.opts)
		if err != nil || r.Tenths >= su.result.Tenths {
			continue
		}
		out = append(out, suggestion{fix: c.Fix, tenths: r.Tenths})
	}
	slices.SortStableFunc(out, func(a, b suggestion) int { return a.tenths - b.tenths })
	return out[:min(n, len(out))]
}
