package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	goio "io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/findings"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/sweep"
	"github.com/hardenlab/hardenlab/harness/unitpath"
)

const sweepUsage = `Usage: hardenlab sweep --units DIR [flags]
       hardenlab sweep --installed [--root DIR] [flags]

Sweeps every service unit of a set — the *.service files of --units DIR,
or with --installed every service unit installed in --root (default /),
found as systemctl finds them (fragment and drop-ins; templates without an
instance, masked units and aliases are rows that say so): each unit is read, run once with
its declared directives (the demo service in place of its ExecStart=, as
hardenlab run does) beside one shared control, probed, and scored, all in
one sandbox — but for units that run as an account a volatile /etc lacks
(a package's User=redis), which run as hardenlab run would run them: in a
second sandbox that shows the root's own /etc and /var. A unit that cannot be read or run gets a row saying why; it
never stops the sweep. The table lists the most exposed units first.

For a CI job matrix, --shard I/N runs every N-th unit (by name, starting
at the I-th), so that N jobs cover the set exactly once, and
"hardenlab merge" joins their --out documents into the document of the
whole sweep. --resume FILE continues an interrupted sweep from its
document, running only the units that have no row yet.

Flags:
`

const sweepExamples = `
Examples:
  hardenlab sweep --units /lib/systemd/system --out sweep.json
  hardenlab sweep --installed --root $(hardenlab rootfs path debian:trixie) --html trixie.html
  hardenlab sweep --units units/ --shard 2/4 --out shard-2.json
  hardenlab merge --out sweep.json shard-1.json shard-2.json shard-3.json shard-4.json
  hardenlab sweep --units units/ --resume sweep.json

Exit status: 0 every unit ran; 1 some unit was refused or could not run
(its row says why); 2 bad usage; 3 no usable systemd; 130/143 interrupted
(the --out document keeps what ran: continue with --resume).
`

type sweepFlags struct {
	units, root, sandbox, out, resume, probeBin, analyze, shard, html string
	jobs                                                              int
	asJSON, installed                                                 bool
	timeout, readyTimeout                                             time.Duration
	gate                                                              gateFlags
	svc                                                               serviceFlags
}

func (f *sweepFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.units, "units", "", "directory of unit files to sweep (every *.service in it)")
	fs.BoolVar(&f.installed, "installed", false, "sweep every service unit installed in --root (default /), as systemctl finds them")
	fs.StringVar(&f.root, "root", "", "directory tree to boot with nspawn, and whose units --installed sweeps (default: the host's root)")
	fs.StringVar(&f.sandbox, "sandbox", "auto", "where systemd comes from: auto, host or nspawn")
	fs.StringVar(&f.shard, "shard", "", "run only slice I of N, e.g. 2/4 (by unit name: every N-th unit from the I-th)")
	fs.StringVar(&f.out, "out", "", "write the sweep document (JSON) here, after every unit")
	fs.StringVar(&f.resume, "resume", "", "continue the sweep whose document this is (and keep writing it, unless --out says otherwise)")
	fs.IntVar(&f.jobs, "jobs", 3, "units to run at once")
	fs.BoolVar(&f.asJSON, "json", false, "print the sweep document instead of the table")
	fs.StringVar(&f.html, "html", "", "write a self-contained HTML page: a row per unit with its verdicts")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "bound for one unit, from start to stop")
	fs.DurationVar(&f.readyTimeout, "ready-timeout", 30*time.Second, "how long the demo may take to answer HTTP before it counts as broken")
	fs.StringVar(&f.probeBin, "probe-bin", "", "the static hardenlab-probe binary (default: next to hardenlab)")
	fs.StringVar(&f.analyze, "systemd-analyze", string(run.AnalyzeNone), analyzeHelp+" (a sweep's default: none)")
	f.gate.register(fs)
	f.svc.registerService(fs)
}

func cmdSweep(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(io.err)
	var f sweepFlags
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(io.err, sweepUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, sweepExamples)
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	doc, set, code := planSweep(f, fs.NArg(), io)
	if code != exitOK {
		return code
	}
	start := time.Now()
	code = runSweep(ctx, f, &doc, set, io)
	doc.WallMillis += float64(time.Since(start).Microseconds()) / 1000
	doc.Incomplete = ctx.Err() != nil || len(sweep.Missing(doc)) > 0
	if o := writeSweepOutputs(f, doc, io); o != exitOK {
		return o
	}
	if ctx.Err() != nil {
		return interruptedExit(ctx)
	}
	return code
}

// planSweep checks the flags, lists the shard's units and loads the
// document to resume, before anything is started.
func planSweep(f sweepFlags, nargs int, io stdio) (sweep.Document, unitSet, int) {
	if (f.units == "") == !f.installed || nargs != 0 {
		errorf(io, "sweep needs --units DIR or --installed, and no other arguments")
		hintf(io, "hardenlab sweep --units /lib/systemd/system")
		return sweep.Document{}, unitSet{}, exitUsage
	}
	shard, err := sweep.ParseShard(f.shard)
	if err == nil && (f.jobs < 1 || f.jobs > 64) {
		err = errors.New("--jobs must be between 1 and 64")
	}
	if err == nil {
		_, err = run.ParseAnalyzePolicy(f.analyze)
	}
	if err != nil {
		errorf(io, "%v", err)
		return sweep.Document{}, unitSet{}, exitUsage
	}
	set, err := sweepSet(f)
	if err != nil {
		errorf(io, "%v", err)
		return sweep.Document{}, unitSet{}, exitUsage
	}
	set.paths = sweep.Select(set.paths, shard)
	doc := sweep.Document{Schema: report.SchemaVersion, Kind: sweep.Kind, RunID: newRunID(), Source: set.source, Shard: shard}
	for _, p := range set.paths {
		doc.Units = append(doc.Units, filepath.Base(p))
	}
	if f.resume != "" {
		if doc, err = resumeDocument(f.resume, doc); err != nil {
			errorf(io, "%v", err)
			return sweep.Document{}, unitSet{}, exitUsage
		}
	}
	return doc, set, exitOK
}

// unitSet is what a sweep covers: a name for it, its units (file paths,
// or installed names) and, for installed units, those that cannot run
// with the reason (templates, masked units, aliases of a listed unit).
type unitSet struct {
	source string
	paths  []string
	skips  map[string]string
}

// sweepSet lists the units of --units or of the root's installed
// services; the skipped ones stay in the set so that their rows say why.
func sweepSet(f sweepFlags) (unitSet, error) {
	if !f.installed {
		paths, err := serviceFiles(f.units)
		return unitSet{source: filepath.Clean(f.units), paths: paths}, err
	}
	root := orRoot(f.root)
	units, skipped, err := unitpath.SystemFor(root, rootSystemdVersion(root)).List(".service")
	if err != nil {
		return unitSet{}, fmt.Errorf("--installed: %w", err)
	}
	set := unitSet{source: "installed:" + root, skips: map[string]string{}}
	for _, u := range units {
		set.paths = append(set.paths, u.Asked)
	}
	for _, s := range skipped {
		set.paths = append(set.paths, s.Name)
		set.skips[s.Name] = s.Reason
	}
	return set, nil
}

// serviceFiles lists the *.service entries of dir (files and links).
func serviceFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--units: %w", err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".service") && !e.IsDir() {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--units %s: no *.service file there", dir)
	}
	sort.Strings(out)
	return out, nil
}

// resumeDocument reads an interrupted sweep's document; it must be the
// sweep of the same units.
func resumeDocument(path string, want sweep.Document) (sweep.Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return sweep.Document{}, fmt.Errorf("--resume: %w", err)
	}
	var d sweep.Document
	if err := json.Unmarshal(data, &d); err != nil {
		return sweep.Document{}, fmt.Errorf("--resume %s: not a sweep document: %w", path, err)
	}
	switch {
	case d.Kind != sweep.Kind:
		return sweep.Document{}, fmt.Errorf("--resume %s: not a sweep document (kind %q)", path, d.Kind)
	case d.Source != want.Source || d.Shard != want.Shard:
		return sweep.Document{}, fmt.Errorf("--resume %s: a sweep of %s shard %s, not of %s shard %s", path, d.Source, d.Shard, want.Source, want.Shard)
	}
	d.Units = want.Units
	return d, nil
}

// runSweep reads every unit not yet done, runs the readable ones in one
// sandbox and puts a row for each into doc.
func runSweep(ctx context.Context, f sweepFlags, doc *sweep.Document, set unitSet, io stdio) int {
	done := sweep.Done(*doc)
	var profiles []run.Profile
	var rows []sweep.Row
	for _, p := range set.paths {
		name := filepath.Base(p)
		if done[name] {
			continue
		}
		if why, ok := set.skips[p]; ok {
			sweep.Put(doc, sweep.Row{Unit: name, Path: p, State: sweep.Skipped, Reason: why})
			continue
		}
		prof, row := loadSweepUnit(f, p)
		if row.State != "" {
			sweep.Put(doc, row)
			continue
		}
		profiles = append(profiles, prof)
		rows = append(rows, row)
	}
	code := exitOK
	for _, r := range doc.Rows {
		if r.State == sweep.Refused || r.State == sweep.Failed {
			code = exitFindings
		}
	}
	if len(profiles) == 0 {
		return code
	}
	save := func() {
		if err := saveSweep(f, *doc); err != nil {
			errorf(io, "%v", err)
		}
	}
	save()
	groups, err := sweepGroups(f, profiles)
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	progress := newProgress(io.err)
	defer progress.done()
	n := 0
	for _, g := range groups {
		if g.why != "" {
			progress.linef("%s", g.why)
		}
		err := withRunner(ctx, f, g.choice, progress, io, func(r *run.Runner) {
			r.RunAll(ctx, g.profiles(profiles), f.jobs, func(i int, rec report.Record) {
				n++
				row := rows[g.index[i]]
				row.State, row.Record = sweep.Ran, &rec
				if rec.Error != "" {
					row.State, row.Reason, code = sweep.Failed, firstLineOf(rec.Error), exitFindings
				}
				if !rec.Incomplete {
					sweep.Put(doc, row)
					save()
				}
				progress.linef("%s %s: %s", progress.bar(n, len(profiles)), row.Unit, firstNonEmpty(row.Reason, fmt.Sprintf("%.1f %s", rec.Score.Exposure, rec.Score.Level)))
			})
		})
		if err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		if ctx.Err() != nil {
			break
		}
	}
	return code
}

// sweepGroup is the units of a sweep that share a sandbox: those that
// need the same root view.
type sweepGroup struct {
	choice serviceChoice
	why    string // why this group's view is not the sweep's own, or ""
	index  []int  // the group's units, as indices into the sweep's profiles
}

func (g sweepGroup) profiles(all []run.Profile) []run.Profile {
	out := make([]run.Profile, len(g.index))
	for i, j := range g.index {
		out[i] = all[j]
	}
	return out
}

// sweepGroups gives each unit the root view run would give it alone: the
// demo's volatile view, or the overlay view for a unit that runs as an
// account a volatile /etc lacks (fitAccounts). Deciding per unit keeps
// each row the same whichever shard or resume runs it, and the other
// units keep the view they would have had without it; each view gets a
// sandbox of its own.
func sweepGroups(f sweepFlags, profiles []run.Profile) ([]sweepGroup, error) {
	kind, err := sandbox.ParseKind(f.sandbox)
	if err != nil {
		return nil, err
	}
	choice, err := f.svc.resolve()
	if err != nil {
		return nil, err
	}
	all := []sweepGroup{{choice: choice, index: indices(len(profiles))}}
	if !choice.volatileDemo(kind, f.root) {
		return all, nil
	}
	accounts, err := volatileAccounts(f.root)
	if err != nil {
		return nil, err
	}
	own, overlay := sweepGroup{choice: choice}, sweepGroup{choice: choice}
	overlay.choice.view = sandbox.Overlay
	var names, missing []string
	for i, p := range profiles {
		m := missingAccounts(accounts, []profile.Profile{p})
		if len(m) == 0 {
			own.index = append(own.index, i)
			continue
		}
		overlay.index = append(overlay.index, i)
		names = append(names, p.Name)
		for _, a := range m {
			if !slices.Contains(missing, a) {
				missing = append(missing, a)
			}
		}
	}
	if len(overlay.index) == 0 {
		return all, nil
	}
	overlay.why = fmt.Sprintf("%d of %d units (%s) run as accounts a volatile /etc lacks (%s): they run in a sandbox of their own that shows the root's own /etc and /var (root view %s, writes thrown away)",
		len(overlay.index), len(profiles), strings.Join(names, ", "), strings.Join(missing, ", "), overlay.choice.view)
	if len(own.index) == 0 {
		return []sweepGroup{overlay}, nil
	}
	return []sweepGroup{own, overlay}, nil
}

func indices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// loadSweepUnit reads one unit (a file, or an installed name) with its
// drop-ins; a unit that cannot run comes back as its final row, one that
// can as a profile and the row to fill.
func loadSweepUnit(f sweepFlags, path string) (run.Profile, sweep.Row) {
	name := filepath.Base(path)
	row := sweep.Row{Unit: name, Path: path}
	src := unitSource{version: rootSystemdVersion(orRoot(f.root))}
	if f.installed {
		src.root = orRoot(f.root)
		if u, err := unitpath.SystemFor(src.root, src.version).Find(name); err == nil {
			row.Path = u.Fragment
		}
	}
	if target, err := filepath.EvalSymlinks(row.Path); err == nil && target == os.DevNull {
		row.State, row.Reason = sweep.Skipped, "masked (a link to /dev/null)"
		return run.Profile{}, row
	}
	if n, err := directive.SplitUnitName(name); err == nil && n.Template {
		row.State, row.Reason = sweep.Skipped, "a template: it runs only as an instance"
		return run.Profile{}, row
	}
	u, err := src.load(path)
	if err == nil {
		var p run.Profile
		if p, err = profile.FromUnit(u, strings.TrimSuffix(name, ".service")); err == nil {
			return p, row
		}
	}
	row.State, row.Reason = sweep.Refused, strings.ReplaceAll(err.Error(), "\n", "; ")
	if errors.Is(err, unitpath.ErrMasked) {
		row.State, row.Reason = sweep.Skipped, "masked"
	}
	return run.Profile{}, row
}

// withRunner boots the sandbox, makes a runner in it, hands it to use and
// tears both down, whatever happens.
func withRunner(ctx context.Context, f sweepFlags, choice serviceChoice, progress *progress, io stdio, use func(*run.Runner)) error {
	kind, err := sandbox.ParseKind(f.sandbox)
	if err != nil {
		return err
	}
	bin, err := findProbeBinary(f.probeBin)
	if err != nil {
		return err
	}
	runID := newRunID()
	if _, err := collectGarbage(ctx, false, progress.linef); err != nil {
		errorf(io, "cleaning up after earlier runs: %v", err)
	}
	progress.linef("booting %s sandbox (run %s)", kind, runID)
	sb, err := sandbox.Start(ctx, sandbox.Options{Kind: kind, RunID: runID, Root: f.root, Binaries: map[string]string{run.ProbeBinary: bin}, RootView: choice.view})
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := sb.Close(cctx); err != nil {
			errorf(io, "tearing down the sandbox: %v", err)
		}
	}()
	r, err := run.New(ctx, sb, run.Options{RunID: runID, Timeout: f.timeout, ReadyTimeout: f.readyTimeout,
		Progress: func(string, ...any) {}, Analyze: run.AnalyzePolicy(f.analyze), Service: choice.service, Health: choice.health})
	if err != nil {
		return err
	}
	defer r.Close(context.WithoutCancel(ctx))
	use(r)
	return nil
}

// saveSweep writes the document where the sweep keeps it: --out, else the
// file being resumed. It replaces the file whole, so an interrupt never
// leaves half a document.
func saveSweep(f sweepFlags, d sweep.Document) error {
	path := firstNonEmpty(f.out, f.resume)
	if path == "" {
		return nil
	}
	tmp := path + ".tmp"
	if err := writeJSONFile(tmp, d); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeSweepOutputs(f sweepFlags, d sweep.Document, io stdio) int {
	if err := saveSweep(f, d); err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	var records []report.Record
	var refused []findings.Finding
	for _, r := range d.Rows {
		if r.Record != nil {
			records = append(records, *r.Record)
		}
		if r.State == sweep.Refused {
			refused = append(refused, findings.FromRefused(r.Path, errors.New(r.Reason))...)
		}
	}
	if err := f.gate.writeMatrixAnd(report.Matrix{Schema: report.SchemaVersion, Records: records}, nil, "", refused); err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	if err := writeFileWith(f.html, func(w goio.Writer) error { return report.WriteSweepHTML(w, d) }); err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	if f.asJSON {
		if err := writeJSON(io.out, d); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
		return exitOK
	}
	report.WriteSweepText(io.out, d)
	return exitOK
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
