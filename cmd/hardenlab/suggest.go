package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/harness/suggest"
)

const suggestUsage = `Usage: hardenlab suggest [flags] UNIT

Finds the strongest hardening the service still works under, and proves
it: a drop-in for /etc/systemd/system/UNIT.d/50-hardenlab.conf.

Candidates come from the exposure score's checks (PrivateTmp=,
ProtectSystem=strict, CapabilityBoundingSet=, SystemCallFilter= groups,
RestrictAddressFamilies=, IPAddressDeny=any with 127.0.0.1 allowed,
DynamicUser=, ...), each scored before anything runs and tried largest
gain first. Trials start the service with many candidates at once; a
batch the service breaks under is halved until the candidates that break
it are found, so the number of starts grows with the logarithm of the
number of candidates. A candidate that broke the service is tried again
with its weaker alternative (ProtectSystem=full after strict). A
candidate is kept only if the service stays healthy and its probes say
enforced (or inconclusive, with the reason); one a probe shows doing
nothing here is not suggested.

The drop-in is then verified: the unit plus the drop-in runs once more as
hardenlab run runs it (the record is in --json), and "after" is
systemd-analyze security's score of that running unit.

The service is the demo (python3 -m http.server, as hardenlab run starts
it), healthy when it answers HTTP, or with --service unit the unit's own
commands judged by --health, as hardenlab run runs them; in nspawn each
start then gets a fresh container (a real service binds fixed ports and
writes its state). IPAddressDeny=any comes with IPAddressAllow= for the
addresses of the health checks; a candidate that makes the whole root
read-only (ProtectSystem=strict, DynamicUser=) with ReadWritePaths= for
the directory of the unit's PIDFile= and for every path the service's
journal shows it failing to write ("Read-only file system"), tried again
with each newly named path before a weaker alternative.

Flags:
`

const suggestExamples = `
Examples:
  hardenlab suggest fixtures/p3test.service
  hardenlab suggest --target 1.0 --write-dropin 50-hardenlab.conf fixtures/p3test.service
  hardenlab suggest --json fixtures/p3test-hardened.service > suggestion.json
  hardenlab suggest --installed nginx.service --service unit --health http://127.0.0.1:80/
  hardenlab suggest --installed redis-server.service --service unit \
      --health tcp:127.0.0.1:6379,send=PING,expect=+PONG

Exit status: 0 the drop-in is verified (and reaches --target); 1 the
verification broke, a kept directive was not enforced in it, or the target
was missed; 2 bad usage or unit file; 3 no usable systemd or another setup
failure; 130/143 interrupted.
`

// suggestFlags are the command's options.
type suggestFlags struct {
	sandbox, root, instance, probeBin, writeDropIn string
	svc                                            serviceFlags
	target                                         float64
	asJSON                                         bool
	timeout, readyTimeout                          time.Duration
}

func parseSuggestFlags(args []string, io stdio) (suggestFlags, string, int) {
	var f suggestFlags
	fs := flag.NewFlagSet("suggest", flag.ContinueOnError)
	fs.SetOutput(io.err)
	fs.StringVar(&f.sandbox, "sandbox", "auto", "where systemd comes from: auto, host or nspawn")
	fs.StringVar(&f.root, "root", "", "directory tree to boot with nspawn, and where unit names are found (default: the host's root)")
	fs.StringVar(&f.instance, "instance", "", "instance name for a template unit")
	f.svc.register(fs)
	fs.Float64Var(&f.target, "target", 0, "stop adding candidates once the predicted exposure is at or below this (e.g. 1.0); 0: go as far as the service allows")
	fs.StringVar(&f.writeDropIn, "write-dropin", "", "write the drop-in to this file")
	fs.BoolVar(&f.asJSON, "json", false, "print the whole result as JSON")
	fs.StringVar(&f.probeBin, "probe-bin", "", "the static hardenlab-probe binary (default: next to hardenlab)")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "bound for one service start, from start to stop")
	// A trial that cuts the service off from its health check (PrivateNetwork=)
	// costs the whole wait; the demo answers in well under a second.
	fs.DurationVar(&f.readyTimeout, "ready-timeout", 5*time.Second, "how long the service may take to answer before it counts as broken")
	fs.Usage = func() {
		fmt.Fprint(io.err, suggestUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, suggestExamples)
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return f, "", code
	}
	unit, err := f.svc.single(fs.Args())
	switch {
	case err != nil:
		errorf(io, "suggest %v", err)
		hintf(io, "hardenlab suggest fixtures/p3test.service")
	case f.target < 0 || f.target > 10:
		errorf(io, "--target=%g: want an exposure from 0.0 to 10.0", f.target)
	default:
		return f, unit, exitOK
	}
	return f, "", exitUsage
}

func cmdSuggest(ctx context.Context, args []string, io stdio) int {
	f, path, code := parseSuggestFlags(args, io)
	if code != exitOK || path == "" {
		return code // "" after -h
	}
	kind, err := sandbox.ParseKind(f.sandbox)
	if err != nil || kind == sandbox.VM {
		errorf(io, "--sandbox %s: want auto, host or nspawn", f.sandbox)
		return exitUsage
	}
	choice, err := f.svc.resolve()
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	u, err := unitSource{root: f.root, instance: f.instance}.load(path)
	var asIs profile.Profile
	if err == nil {
		asIs, err = profile.FromUnit(u, "check")
	}
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			errorf(io, "%s", line)
		}
		hintf(io, "nothing was started")
		return exitUsage
	}
	if err := refuseHostClone(kind, f.root, f.svc, choice, []profile.Profile{asIs}); err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	why, err := choice.fitAccounts(kind, f.root, []profile.Profile{asIs})
	if err != nil {
		errorf(io, "%v", err)
		return exitError
	}
	if why != "" {
		noticef(io, "%s", why)
	}
	bin, err := findProbeBinary(f.probeBin)
	if err != nil {
		errorf(io, "%v", err)
		return exitUsage
	}
	needs := suggest.DemoNeeds()
	if choice.service == run.ServiceUnit {
		needs = suggest.NeedsOf(asIs.Settings, choice.health)
	}
	start := time.Now()
	progress := newProgress(io.err)
	doc, code := suggestInSandbox(ctx, suggestJob{f: f, kind: kind, choice: choice, bin: bin, unit: u, needs: needs}, progress)
	progress.done()
	if doc == nil {
		return code
	}
	doc.Seconds = time.Since(start).Seconds()
	return writeSuggestion(ctx, f, doc, io)
}

// suggestJob is what the search is run with.
type suggestJob struct {
	f      suggestFlags
	kind   sandbox.Kind
	choice serviceChoice
	bin    string
	unit   *directive.Unit
	needs  suggest.Needs
}

// runProfile starts the service once under a profile: in the one sandbox
// of the search, or in a fresh one of its own.
type runProfile func(ctx context.Context, p run.Profile) (report.Record, error)

// suggestInSandbox boots the sandbox (or, for the unit's own commands in
// nspawn, one fresh container per start), searches and verifies.
func suggestInSandbox(ctx context.Context, job suggestJob, progress *progress) (*suggest.Document, int) {
	runID := newRunID()
	if _, err := collectGarbage(ctx, false, progress.linef); err != nil {
		progress.linef("cleaning up after earlier runs: %v", err)
	}
	opts := run.Options{RunID: runID, Timeout: job.f.timeout, ReadyTimeout: job.f.readyTimeout, Progress: progress.linef,
		Analyze: run.AnalyzeUnit, Service: job.choice.service, Health: job.choice.health}
	binaries := map[string]string{run.ProbeBinary: job.bin}
	if freshSandboxes(job.kind, job.choice) {
		return suggestFresh(ctx, job, opts, binaries, progress)
	}
	progress.linef("booting %s sandbox (run %s)", job.kind, runID)
	sb, err := sandbox.Start(ctx, sandbox.Options{Kind: job.kind, RunID: runID, Root: job.f.root, Binaries: binaries, RootView: job.choice.view})
	if err != nil {
		progress.linef("error: %v", err)
		return nil, exitError
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := sb.Close(cctx); err != nil {
			progress.linef("error: tearing down the sandbox: %v", err)
		}
	}()
	progress.linef("systemd %s running after %.0f ms", sb.Env.SystemdVersion, sb.Env.BootMillis)
	r, err := run.New(ctx, sb, opts)
	if err != nil {
		progress.linef("error: %v", err)
		return nil, exitError
	}
	defer r.Close(context.WithoutCancel(ctx))
	version, err := score.ParseVersion(sb.Env.SystemdVersion)
	if err != nil {
		version, _ = score.DetectVersion(ctx)
	}
	runP := func(ctx context.Context, p run.Profile) (report.Record, error) { return r.Run(ctx, p), nil }
	doc, code := searchAndVerify(ctx, job, runP, version, progress)
	if doc != nil {
		doc.SystemdVersion = sb.Env.SystemdVersion
	}
	return doc, code
}

// suggestFresh runs every start in a container of its own: a real service
// binds its fixed ports and writes its state, which the next trial must
// not find (see freshSandboxes). The scorer's version is the root's.
func suggestFresh(ctx context.Context, job suggestJob, opts run.Options, binaries map[string]string, progress *progress) (*suggest.Document, int) {
	progress.linef("the unit's own commands: every start in a fresh %s container (run %s)", job.kind, opts.RunID)
	var first sandbox.Environment
	boot := bootFresh(sandbox.Options{RunID: opts.RunID, Root: job.f.root, Binaries: binaries, RootView: job.choice.view}, "", progress, &first)
	series := run.NewSeries(boot, opts)
	version, err := score.ParseVersion(strconv.Itoa(rootSystemdVersion(orRoot(job.f.root))))
	if err != nil {
		version, _ = score.DetectVersion(ctx)
	}
	doc, code := searchAndVerify(ctx, job, series.Run, version, progress)
	if doc != nil {
		doc.SystemdVersion = first.SystemdVersion
		doc.Sandboxes = series.Sandboxes()
	}
	return doc, code
}

// searchAndVerify is the search and the verification with one way of
// starting the service.
func searchAndVerify(ctx context.Context, job suggestJob, runP runProfile, version score.Version, progress *progress) (*suggest.Document, int) {
	u := job.unit
	sc := suggest.Scorer{Base: u.Service, DefaultDependencies: u.DefaultDependencies, Options: score.Options{Version: version, UnitName: u.Name}}
	doc, err := suggestWith(ctx, runP, job, sc, progress)
	if err != nil {
		progress.linef("error: %v", err)
		if ctx.Err() != nil {
			return nil, interruptedExit(ctx)
		}
		return nil, exitError
	}
	return doc, exitOK
}

// verify runs the unit plus the drop-in once more and takes its score.
func verify(ctx context.Context, runP runProfile, u *directive.Unit, kept []suggest.Candidate, doc *suggest.Document, f suggestFlags, progress *progress) error {
	name := strings.TrimSuffix(u.Name, ".service") + "-suggested"
	p, err := profileWith(u, name, kept)
	if err != nil {
		return err
	}
	progress.linef("verification: %s plus the drop-in (%d directives)", u.Name, len(kept))
	rec, err := runP(ctx, p)
	if err != nil {
		return fmt.Errorf("verification: %w", err)
	}
	doc.Verification = rec
	doc.ServiceStarts += len(doc.Trials) + 1
	if rec.Behavior.Service == string(run.ServiceDemo) && run.StandsIn(p.Settings) {
		doc.StandIn = fmt.Sprintf("proven with the demo (python3 -m http.server) in place of ExecStart=%s, not with the service itself: "+
			"before installing it, run hardenlab suggest --service unit --health CHECK %s", execStartLine(u), u.Name)
	}
	doc.EffectiveAfter = rec.Effective
	doc.After = suggest.Exposure{Exposure: rec.Score.Exposure, Level: rec.Score.Level, Source: rec.Score.Source + " on the running unit (verification run)"}
	if ok, why, journal := suggest.Health(rec); !ok {
		doc.Problems = append(doc.Problems, "the verification run broke: "+why+" "+journal)
	}
	if rec.Score.Error != "" {
		doc.Problems = append(doc.Problems, "the verification run has no score: "+rec.Score.Error)
	}
	for i, d := range doc.Kept {
		v := suggest.Judge(d.Candidate, rec)
		if !v.Kept {
			doc.Problems = append(doc.Problems, d.Directive+"= in the verification run: "+v.Reason)
		}
		doc.Kept[i].Evidence = v.Evidence
	}
	if f.target > 0 && rec.Score.Exposure > f.target {
		doc.Problems = append(doc.Problems, fmt.Sprintf("the verified exposure %.1f is above --target %.1f", rec.Score.Exposure, f.target))
	}
	doc.DropIn = suggest.DropIn(dropInHeader(doc), doc.Kept)
	return nil
}

// execStartLine is the unit's last ExecStart= as written.
func execStartLine(u *directive.Unit) string {
	for i := len(u.Service) - 1; i >= 0; i-- {
		if a := u.Service[i]; a.Name == "ExecStart" && a.Value != "" {
			return a.Value
		}
	}
	return ""
}

func dropInHeader(doc *suggest.Document) []string {
	h := []string{
		"Written by hardenlab suggest for " + doc.Unit + "; install as " + doc.DropInPath,
		fmt.Sprintf("Exposure %.1f %s -> %.1f %s (%s, systemd %s)", doc.Before.Exposure, doc.Before.Level,
			doc.After.Exposure, doc.After.Level, doc.After.Source, doc.Verification.Environment.SystemdVersion),
	}
	if doc.StandIn != "" {
		h = append(h, "WARNING: "+doc.StandIn)
	}
	if e := report.EffectiveSummary(doc.AsWritten); e != "" {
		h = append(h, "Before: "+e)
	}
	if e := report.EffectiveSummary(doc.Verification); e != "" {
		h = append(h, "After: "+e)
	}
	return h
}

// profileWith is the unit with the candidates' lines after its own, as
// lines of the drop-in.
func profileWith(u *directive.Unit, name string, cands []suggest.Candidate) (run.Profile, error) {
	withDropIn := *u
	withDropIn.Service = slices.Clone(u.Service)
	line := 1
	for _, c := range cands {
		a, err := c.Assignments(line)
		if err != nil {
			return run.Profile{}, err
		}
		line += len(a)
		withDropIn.Service = append(withDropIn.Service, a...)
	}
	return profile.FromUnit(&withDropIn, name)
}

// writeSuggestion prints the document and writes the drop-in.
func writeSuggestion(ctx context.Context, f suggestFlags, doc *suggest.Document, io stdio) int {
	code := exitOK
	if len(doc.Problems) > 0 {
		code = exitFindings
	}
	if f.writeDropIn != "" && doc.DropIn != "" {
		if err := os.WriteFile(f.writeDropIn, []byte(doc.DropIn), 0o644); err != nil {
			errorf(io, "writing the drop-in: %v", err)
			code = exitError
		}
	}
	if f.asJSON {
		if err := writeJSON(io.out, doc); err != nil {
			errorf(io, "%v", err)
			return exitError
		}
	} else {
		printSuggestion(io.out, doc)
	}
	if ctx.Err() != nil {
		return interruptedExit(ctx)
	}
	return code
}

func printSuggestion(w io.Writer, doc *suggest.Document) {
	b := doc.Verification.Behavior
	if doc.Verification.Schema == 0 {
		fmt.Fprintf(w, "%s: %.1f %s (%s; systemd %s), not searched\n", doc.Unit, doc.Before.Exposure, doc.Before.Level, doc.Before.Source, doc.SystemdVersion)
		printProblems(w, doc.Problems)
		return
	}
	fmt.Fprintf(w, "%s: %.1f %s -> %.1f %s (%s; systemd %s)\n", doc.Unit, doc.Before.Exposure, doc.Before.Level,
		doc.After.Exposure, doc.After.Level, doc.After.Source, doc.SystemdVersion)
	if e := report.EffectiveSummary(doc.AsWritten); e != "" {
		fmt.Fprintf(w, "  before     %s\n", e)
	}
	if e := report.EffectiveSummary(doc.Verification); e != "" {
		fmt.Fprintf(w, "  after      %s\n", e)
	}
	fmt.Fprintf(w, "  service    %s (%s) after %.0f ms, %s\n", orText(b.Outcome), orText(b.Service), b.ReadyMillis, answer(b))
	if doc.StandIn != "" {
		fmt.Fprintf(w, "  warning    %s\n", doc.StandIn)
	}
	fmt.Fprintf(w, "  search     %d service starts (the control, the unit as written, %d trials, the verification) in %.1f s", doc.ServiceStarts, len(doc.Trials), doc.Seconds)
	if doc.Sandboxes > 0 {
		fmt.Fprintf(w, ", %d fresh containers", doc.Sandboxes)
	}
	fmt.Fprintln(w)
	if doc.AtBest {
		fmt.Fprintln(w, "\nAlready at its best: no candidate lowers the score and keeps the service working here.")
	}
	printDecisions(w, "Kept", doc.Kept)
	printDecisions(w, "Rejected", doc.Rejected)
	for _, n := range doc.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	printProblems(w, doc.Problems)
	if !doc.AtBest && doc.DropIn != "" {
		fmt.Fprintf(w, "\nDrop-in for %s:\n\n%s", doc.DropInPath, doc.DropIn)
	}
}

func printProblems(w io.Writer, problems []string) {
	for _, p := range problems {
		fmt.Fprintf(w, "\nPROBLEM: %s\n", p)
	}
}

// answer is the verification's health: the demo's HTTP status, or each
// --health check's answer.
func answer(b report.Behavior) string {
	if len(b.Health) == 0 {
		return fmt.Sprintf("HTTP %d", b.HTTPStatus)
	}
	var out []string
	for _, h := range b.Health {
		out = append(out, h.Detail)
	}
	return strings.Join(out, "; ")
}

func printDecisions(w io.Writer, title string, ds []suggest.Decision) {
	if len(ds) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s (%d):\n", title, len(ds))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, d := range ds {
		reason := d.Reason
		if d.Journal != "" {
			reason += " | journal: " + d.Journal
		}
		fmt.Fprintf(tw, "  %s\t-%s\t%s\t%s\n", strings.Join(nonEmpty(d.Lines), " "), strconv.FormatFloat(float64(d.Gain)/100, 'f', 2, 64), d.Verdict, reason)
	}
	tw.Flush()
}

// nonEmpty leaves out, for display, a resetting "Name=" line that another
// line of the same name follows.
func nonEmpty(lines []string) []string {
	var out []string
	for i, l := range lines {
		name, value, _ := strings.Cut(l, "=")
		if value == "" && i+1 < len(lines) && strings.HasPrefix(lines[i+1], name+"=") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func orText(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
