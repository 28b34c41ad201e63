package main

import (
	"bytes"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/findings"
	"github.com/hardenlab/hardenlab/harness/junit"
	"github.com/hardenlab/hardenlab/harness/sarif"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/harness/suggest"
	"github.com/hardenlab/hardenlab/harness/unitpath"
)

const scoreUsage = `Usage: hardenlab score [flags] UNIT...
       hardenlab score [flags] --all

Computes the exposure score of each unit the way systemd-analyze
security does (0.0 = every check passes, 10.0 = none does), without a
running systemd and without root, and explains it: every open check with
its share of the score and the directive that closes it, and for a single
unit (or with --suggest N) the directives that would lower it most once
the unit is rescored with each. Several units end with a table of their
scores.

The score is a weighted average of 81 checks ("is PrivateNetwork= on?",
"is CAP_SYS_ADMIN in the bounding set?", "does the syscall filter cover
@mount?"). Levels: 0.0 PERFECT, <1.0 SAFE, <5.0 OK, <7.5 MEDIUM,
<9.0 EXPOSED, <10.0 UNSAFE, 10.0 DANGEROUS.

A UNIT is a file (any argument with a "/", or a file in the current
directory) or the name of an installed unit (nginx.service), which is
found as systemctl --root finds it: the first directory of systemd's unit
search path (/etc/systemd/system.control ... /usr/lib/systemd/system)
that has it, through aliases; an instance (getty@tty1.service) is read
from its template (getty@.service); a masked unit (-> /dev/null) is an
error. The drop-ins are read too, in systemd's order: NAME.d/*.conf from
every search directory, the template's (foo@.service.d/), the dash
prefixes' (foo-.service.d/ for foo-bar.service) and service.d/.

A FILE is read as systemd-analyze reads one: its directory comes first
in the search path of this machine, so FILE.d/ beside it and the
installed drop-ins for its name (/etc/systemd/system/NAME.d/, ...) apply.

Specifiers (percent n, i, H, ...) are expanded as systemd expands them;
host facts (machine ID, os-release, root's shell) come from --root. A
template without an instance is scored as systemd-analyze --offline
scores it (252 names the instance "i", 257 "test_instance"), or with
--instance NAME.

--all scores every service unit of the root, as systemd-analyze security
without arguments lists every service; templates, masked units and
aliases are skipped, counted on one stderr line (a unit that cannot be
resolved is named with the reason), and the text output is one table of
every unit's exposure, as systemd-analyze security prints it: score a
unit by name for its checks.

Two views of the same file:
  default    what the unit scores once it runs (systemd-analyze security
             UNIT against PID 1): e.g. PrivateTmp= or ProtectSystem= imply
             PrivateMounts=, and IPAddressAllow=127.0.0.1 is not "localhost"
  --offline  what "systemd-analyze security --offline=true FILE" prints

systemd versions differ (252 and 257 are modelled; 257 offline counts an
unset PrivateMounts= as on). The default is the systemd of --root, else
the one installed here, else the newest modelled one. A SystemCallFilter= name only 257's
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
  hardenlab score nginx.service ssh.service
  hardenlab score --instance tty1 getty@.service
  hardenlab score --offline --root $(hardenlab rootfs path debian:trixie) --all

Exit status: 0 every file scored and none is above the threshold; 1 some
unit is above the threshold; 2 bad usage or policy, or some unit could not
be read or scored (each such unit is named with FILE:LINE and the reason;
the others are still scored and printed), as run refuses it; 3 the root
could not be listed or the output written.
`

// scoredFile is one FILE argument's outcome, as --json prints it.
type scoredFile struct {
	Path string `json:"path"`
	*score.Result
	Error string `json:"error,omitempty"`
	err   error  // Error's cause, for the SARIF finding at its line
}

// scoreFlags are the flags of "hardenlab score".
type scoreFlags struct {
	asJSON                              jsonFlag
	offline, all                        bool
	version, policyFile, root, instance string
	threshold, suggest                  int
	gate                                gateFlags
}

func (f *scoreFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.asJSON, "json", `print [{"path", "exposure", "level", "checks": [...]}] instead of text (--json=short: on one line)`)
	fs.BoolVar(&f.offline, "offline", false, "score as systemd-analyze security --offline=true does")
	fs.StringVar(&f.version, "systemd-version", "", "systemd semantics to use: "+versionNames()+" (default: the installed systemd)")
	fs.IntVar(&f.threshold, "threshold", 100, "fail (exit 1) if a unit's exposure is above this, in tenths (0..100)")
	fs.StringVar(&f.policyFile, "security-policy", "", "JSON policy with per-check weight/range overrides")
	fs.StringVar(&f.root, "root", "", "find unit names (and host facts for specifiers) under this directory instead of /")
	fs.BoolVar(&f.all, "all", false, "score every service unit of the root (--root, default /)")
	fs.StringVar(&f.instance, "instance", "", "instance name for a template unit (foo@.service scores as foo@NAME.service)")
	fs.IntVar(&f.suggest, "suggest", -1, "text output: rescore each open check's fix and list the `N` that lower the score most; -1: 5 for one unit, none for several or --all (rescoring costs ten times the score)")
	f.gate.register(fs)
}

func cmdScore(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var f scoreFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(io.err, scoreUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, scoreExamples)
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	switch {
	case fs.NArg() == 0 && !f.all:
		errorf(io, "score needs at least one unit file or unit name, or --all")
		hintf(io, "hardenlab score fixtures/p3test-hardened.service")
		hintf(io, "hardenlab score nginx.service")
		return exitUsage
	case f.all && fs.NArg() > 0:
		errorf(io, "--all scores every service of the root; give no unit arguments with it")
		return exitUsage
	case f.all && f.suggest > 0 && !f.asJSON.on():
		errorf(io, "--suggest with --all: the table has one row per unit; score a unit by name for its checks and suggestions")
		hintf(io, "hardenlab score --suggest %d nginx.service", f.suggest)
		return exitUsage
	case f.asJSON.on() && f.suggest > 0:
		errorf(io, "--suggest lists rescored fixes in the text output; --json has none (each check's fix is in its \"fix\" field)")
		return exitUsage
	case f.all && f.instance != "":
		errorf(io, "--instance names the instance of a template given as an argument; --all skips templates")
		hintf(io, "hardenlab score --instance %s NAME@.service", f.instance)
		return exitUsage
	case f.threshold < 0 || f.threshold > 100:
		errorf(io, "--threshold=%d: want an integer from 0 to 100 (tenths: 50 means 5.0)", f.threshold)
		return exitUsage
	}
	version, ok := scoreVersion(ctx, f.version, f.root, io)
	if !ok {
		return exitUsage
	}
	policy, err := loadPolicy(f.policyFile)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	return f.run(ctx, fs.Args(), score.Options{Version: version, Offline: f.offline, Policy: policy}, io)
}

// run scores the arguments (or --all) with opts, writes them, the gate
// files and the threshold's verdict, and returns the exit status.
func (f *scoreFlags) run(ctx context.Context, args []string, opts score.Options, io stdio) int {
	src := unitSource{root: f.root, instance: f.instance, version: int(opts.Version), templateOK: true, hosts: map[string]directive.HostFacts{}, trees: map[string]unitpath.Tree{}}
	if f.all {
		var err error
		if args, err = listAll(&src, io); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	}
	if os.Getenv("GOGC") == "" {
		// A score run's live heap is a few MB of short-lived rows: letting
		// it grow four times before collecting took a fifth off a run over
		// a hundred units, for about 1 MB more at the peak (17 MB RSS).
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	if !f.asJSON.on() {
		printScoreHeader(io.out, opts.Version, opts.Offline, opts.Policy)
	}
	// The workers share src: its memo of host facts and search trees is
	// filled now, for the roots the units are read from, and only read
	// from then on.
	for _, root := range sourceRoots(src, args) {
		src.hostFacts(root)
		src.tree(root)
	}
	r := scoreRun{src: src, opts: opts, format: f.asJSON, suggest: suggestions(f.suggest, len(args), f.all), table: f.all && !f.asJSON.on()}
	files, err := r.writeScores(ctx, args, io)
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	failed, above := false, false
	for _, sf := range files {
		failed = failed || sf.Result == nil
		above = above || (sf.Result != nil && sf.Result.Tenths > f.threshold)
	}
	if err := writeScoreGate(f.gate, files, f.threshold); err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	switch {
	case failed:
		// A unit that cannot be read is bad input, as it is for run.
		return exitUsage
	case above:
		if !f.asJSON.on() {
			fmt.Fprintf(io.out, "\nAbove the threshold of %d.%d.\n", f.threshold/10, f.threshold%10)
		}
		return exitFindings
	}
	return exitOK
}

// sourceRoots are the roots args are read from: --root (or "/") for a
// unit name, "/" for a file: --all names units only, for which this
// machine's host facts would be read for nothing.
func sourceRoots(src unitSource, args []string) []string {
	roots := []string{orRoot(src.root)}
	if roots[0] != "/" && slices.ContainsFunc(args, func(a string) bool { return !src.isUnitName(a) }) {
		roots = append(roots, "/")
	}
	return roots
}

// writeScoreGate writes the --sarif and --junit files of a score run.
func writeScoreGate(gate gateFlags, files []scoredFile, threshold int) error {
	var fs []findings.Finding
	var cases []junit.Scored
	for _, f := range files {
		c := junit.Scored{Path: f.Path, Error: f.Error}
		if f.err != nil {
			fs = append(fs, findings.FromRefused(f.Path, f.err)...)
		}
		if f.Result != nil {
			c.Tenths, c.Level = f.Result.Tenths, f.Result.Level
			fs = append(fs, findings.FromScore(f.Path, c.Tenths, c.Level, threshold)...)
		}
		cases = append(cases, c)
	}
	if err := writeFileWith(gate.sarif, func(w io.Writer) error { return sarif.Write(w, fs) }); err != nil {
		return err
	}
	return writeFileWith(gate.junit, func(w io.Writer) error { return junit.WriteScores(w, cases, threshold) })
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

// suggestions is how many rescored suggestions each unit's text gets:
// --suggest, or by default 5 when one unit is asked about and none for
// several, where rescoring every fix would cost ten times the scores.
func suggestions(flagValue, units int, all bool) int {
	switch {
	case flagValue >= 0:
		return flagValue
	case units == 1 && !all:
		return 5
	}
	return 0
}

// listAll is --all's arguments: the service units of src's root, which
// it keeps in src by name so that scoring does not look them up again.
func listAll(src *unitSource, io stdio) ([]string, error) {
	units, err := allServices(src.tree(orRoot(src.root)), io)
	if err != nil {
		return nil, err
	}
	args := make([]string, 0, len(units))
	src.listed = make(map[string]unitpath.Unit, len(units))
	for _, u := range units {
		args = append(args, u.Asked)
		src.listed[u.Asked] = u
	}
	return args, nil
}

// allServices lists the service units of the root for --all, saying on
// stderr which it skips and why.
func allServices(tree unitpath.Tree, io stdio) ([]unitpath.Unit, error) {
	units, skipped, err := tree.List(".service")
	if err != nil {
		return nil, err
	}
	if line := skippedSummary(skipped); line != "" {
		noticef(io, "%s", line)
	}
	for _, s := range skipped {
		if s.Kind == unitpath.SkippedBroken {
			noticef(io, "skipped %s: %s", s.Name, s.Reason)
		}
	}
	return units, nil
}

// skippedKinds name each expected kind of skip in --all's summary line,
// in its order; broken units are named one a line instead.
func skippedKinds() []skippedKind {
	return []skippedKind{
		{unitpath.SkippedTemplate, "template", "templates", 3, "score one with --instance NAME"},
		{unitpath.SkippedAlias, "alias", "aliases", 0, "of units scored under their own names"},
		{unitpath.SkippedMasked, "masked unit", "masked units", 0, ""},
	}
}

type skippedKind struct {
	kind       unitpath.SkipKind
	one, many  string
	shown      int // names listed
	afterNames string
}

// skippedSummary is one line for the templates, aliases and masked units
// --all passes over (38 on a stock Debian, one stderr line each drowned
// the real errors), with the first few names of each kind.
func skippedSummary(skipped []unitpath.Skipped) string {
	var parts []string
	total := 0
	for _, k := range skippedKinds() {
		var names []string
		for _, s := range skipped {
			if s.Kind == k.kind {
				names = append(names, s.Name)
			}
		}
		if len(names) == 0 {
			continue
		}
		total += len(names)
		noun := k.many
		if len(names) == 1 {
			noun = k.one
		}
		var notes []string
		if k.shown > 0 {
			list := strings.Join(names[:min(k.shown, len(names))], ", ")
			if len(names) > k.shown {
				list += fmt.Sprintf(" and %d more", len(names)-k.shown)
			}
			notes = append(notes, list)
		}
		if k.afterNames != "" {
			notes = append(notes, k.afterNames)
		}
		part := fmt.Sprintf("%d %s", len(names), noun)
		if len(notes) > 0 {
			part += " (" + strings.Join(notes, "; ") + ")"
		}
		parts = append(parts, part)
	}
	if total == 0 {
		return ""
	}
	return fmt.Sprintf("skipped %d units: %s", total, strings.Join(parts, ", "))
}

// scoreUnit parses one unit (a file or an installed name, with its
// drop-ins) with the same parser as `hardenlab run` and scores it.
func scoreUnit(src unitSource, path string, opts score.Options) (*scoredUnit, error) {
	return scoreUnitInto(nil, src, path, opts)
}

// scoreUnitInto is scoreUnit with the result's rows written into spare
// (score.ScoreInto).
func scoreUnitInto(spare []score.Check, src unitSource, path string, opts score.Options) (*scoredUnit, error) {
	unit, err := src.load(path)
	if err != nil {
		return nil, err
	}
	if err := requireService(unit, path); err != nil {
		return nil, err
	}
	settings, err := unit.Settings()
	if err != nil {
		return nil, err
	}
	opts.UnitName = unit.Name
	res, err := score.ScoreInto(spare, settings, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &scoredUnit{unit: unit, opts: opts, result: res}, nil
}

// printScoreHeader says which semantics the text output's scores follow.
func printScoreHeader(w io.Writer, version score.Version, offline bool, policy *score.Policy) {
	mode := "as the running unit would score"
	if offline {
		mode = "as systemd-analyze security --offline=true"
	}
	policyNote := ""
	if policy != nil {
		policyNote = ", policy " + policy.Path
	}
	fmt.Fprintf(w, "systemd %s semantics, %s%s\n", version, mode, policyNote)
}

// printScore writes one unit's text block: the score, the open checks
// with each one's own fix, and with suggest > 0 the fixes that lower the
// score most once rescored.
func printScore(w io.Writer, path string, su *scoredUnit, suggest int) {
	r := su.result
	label := path
	if name := su.unit.Name; name != filepath.Base(path) {
		// An alias, a template or --instance: say what was scored.
		label += " (as " + name + ")"
	}
	fmt.Fprintf(w, "\n%s: %.1f %s %s  (%d of %d weighted badness)\n", label, r.Exposure, r.Level, score.LevelEmoji(r.Tenths), r.BadnessSum, r.WeightSum)
	open := openChecks(r)
	if len(open) == 0 {
		fmt.Fprintln(w, "  Every applicable check passes.")
		return
	}
	fmt.Fprintf(w, "\n  Open checks (%d of %d), largest share first:\n", len(open), len(r.Checks))
	if buf, ok := w.(*bytes.Buffer); ok { // the table goes straight into its spare room
		buf.Write(appendOpenChecks(buf.AvailableBuffer(), open))
	} else {
		w.Write(appendOpenChecks(nil, open))
	}
	if suggest > 0 {
		printSuggestions(w, su, open, suggest)
	}
}

// printSuggestions rescores the unit with each open check's fix added on
// its own (one resolve and score each, so only on request for many units).
func printSuggestions(w io.Writer, su *scoredUnit, openRows []*score.Check, n int) {
	open := make([]score.Check, len(openRows))
	for i, c := range openRows {
		open[i] = *c
	}
	// Machine-made giants (thousands of lines) would take long for little
	// insight.
	if len(su.unit.Service) > maxLinesForSuggestions {
		fmt.Fprintf(w, "\n  (no suggestions: more than %d assignments)\n", maxLinesForSuggestions)
		return
	}
	r := su.result
	best := suggest.Fixes(suggest.Scorer{Base: su.unit.Service, DefaultDependencies: su.unit.DefaultDependencies, Options: su.opts}, r, open, n)
	if len(best) == 0 {
		return
	}
	fmt.Fprintln(w, "\n  Directives that would lower the score most (each added on its own, rescored):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range best {
		fmt.Fprintf(tw, "  %s\t%.1f -> %.1f\n", s.Assignment, r.Exposure, float64(s.Tenths)/10)
	}
	tw.Flush()
}

// openChecks are the checks that add to the score, largest share first
// (ties in table order), as pointers into r: sorting the 136-byte rows
// themselves cost more than printing them.
func openChecks(r *score.Result) []*score.Check {
	type keyed struct{ share, row int }
	var keys []keyed
	for i := range r.Checks {
		if c := &r.Checks[i]; !c.NA && c.Badness > 0 {
			keys = append(keys, keyed{contribution(*c), i})
		}
	}
	slices.SortFunc(keys, func(a, b keyed) int { return cmp.Or(b.share-a.share, a.row-b.row) })
	open := make([]*score.Check, len(keys))
	for i, k := range keys {
		open[i] = &r.Checks[k.row]
	}
	return open
}

// appendOneDecimal is strconv.AppendFloat(b, x, 'f', 1, 64) for an
// exposure, a whole number of tenths, without general float formatting.
func appendOneDecimal(b []byte, x float64) []byte {
	n := math.Round(x * 10)
	if n < 0 || n >= 1e6 || n/10 != x {
		return strconv.AppendFloat(b, x, 'f', 1, 64)
	}
	t := int64(n)
	b = strconv.AppendInt(b, t/10, 10)
	return append(b, '.', byte('0'+t%10))
}

// appendOpenChecks lays the open checks out as text/tabwriter with padding
// 2 lays out their SHARE, CHECK, BADNESS, WHY and FIX cells (each column
// but the last as wide as its widest cell in runes, plus two spaces),
// written straight into one buffer: building the cells as strings and
// tabwriter's per-byte state machine cost more than scoring the unit.
func appendOpenChecks(b []byte, open []*score.Check) []byte {
	header := [...]string{"  SHARE", "CHECK", "BADNESS", "WHY"}
	var widths [len(header)]int
	for i, h := range header {
		widths[i] = len(h)
	}
	runes := make([][2]int, len(open)) // of each row's CHECK and WHY
	var scratch []byte
	for i, c := range open {
		runes[i] = [2]int{utf8.RuneCountInString(c.Name), utf8.RuneCountInString(why(c))}
		scratch = appendOneDecimal(scratch[:0], c.Exposure)
		widths[0] = max(widths[0], 2+len(scratch))
		widths[1] = max(widths[1], runes[i][0])
		scratch = appendBadness(scratch[:0], c)
		widths[2] = max(widths[2], len(scratch))
		widths[3] = max(widths[3], runes[i][1])
	}
	const spaces = "                                                                "
	pad := func(b []byte, used, col int) []byte {
		for n := widths[col] - used + 2; n > 0; n -= len(spaces) {
			b = append(b, spaces[:min(n, len(spaces))]...)
		}
		return b
	}
	b = slices.Grow(b, (len(open)+1)*(widths[0]+widths[1]+widths[2]+widths[3]+48))
	for i, h := range header {
		b = pad(append(b, h...), len(h), i)
	}
	b = append(b, "FIX\n"...)
	for i, c := range open {
		start := len(b)
		b = appendOneDecimal(append(b, "  "...), c.Exposure)
		b = pad(b, len(b)-start, 0)
		b = pad(append(b, c.Name...), runes[i][0], 1)
		start = len(b)
		b = appendBadness(b, c)
		b = pad(b, len(b)-start, 2)
		b = pad(append(b, why(c)...), runes[i][1], 3)
		fix := c.Fix
		if fix == "" {
			fix = "-"
		}
		b = append(append(b, fix...), '\n')
	}
	return b
}

// why is an open check's WHY cell.
func why(c *score.Check) string {
	if c.Description == "" {
		return "(partially restricted)"
	}
	return c.Description
}

// appendBadness writes the BADNESS cell, "badness/range".
func appendBadness(b []byte, c *score.Check) []byte {
	b = strconv.AppendUint(b, c.Badness, 10)
	return strconv.AppendUint(append(b, '/'), c.Range, 10)
}

// contribution is the check's term in the badness sum.
func contribution(c score.Check) int {
	return int((c.Badness*c.Weight + c.Range - 1) / c.Range)
}

const maxLinesForSuggestions = 1000

// scoreVersion is the systemd whose semantics score uses: --systemd-version,
// else the release of the root's (or this machine's) libsystemd-shared,
// else what `systemd --version` says here: running it costs more than
// scoring a hundred units, so the library's name is read first. ok is
// false for a bad --systemd-version, which it names.
func scoreVersion(ctx context.Context, flagValue, root string, io stdio) (v score.Version, ok bool) {
	if flagValue != "" {
		v, err := score.ParseVersion(flagValue)
		if err != nil {
			errorf(io, "--systemd-version: %v", err)
			return 0, false
		}
		return v, true
	}
	found := 0
	if n := rootSystemdVersion(orRoot(root)); n != 0 {
		// The units of a root are scored as its own systemd would.
		if parsed, err := score.ParseVersion(strconv.Itoa(n)); err == nil {
			v, found = parsed, n
		}
	}
	if found == 0 {
		v, found = score.DetectVersion(ctx)
	}
	switch {
	case found == 0:
		hintf(io, "no systemd found here; scoring with systemd %s semantics (--systemd-version to choose)", v)
	case int(v) != found:
		hintf(io, "systemd %d is installed but not modelled; scoring with systemd %s semantics", found, v)
	}
	return v, true
}

// rootSystemdVersion reads the systemd release of a root from the name of
// its libsystemd-shared-NNN.so; 0 when there is no root or none is found.
// The multiarch directories (x86_64-linux-gnu) are looked at first: the
// catch-all pattern stats a "systemd" in every directory of /usr/lib.
func rootSystemdVersion(root string) int {
	if root == "" {
		return 0
	}
	for _, pattern := range []string{"usr/lib/*-linux-*/systemd/libsystemd-shared-*.so", "usr/lib/systemd/libsystemd-shared-*.so",
		"usr/lib64/systemd/libsystemd-shared-*.so", "usr/lib/*/systemd/libsystemd-shared-*.so"} {
		matches, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, m := range matches {
			v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), "libsystemd-shared-"), ".so")
			if n, err := strconv.Atoi(v); err == nil {
				return n
			}
		}
	}
	return 0
}
