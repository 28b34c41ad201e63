package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"
	"text/tabwriter"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
)

// scoreRun is what every unit of one score command is scored with; its
// workers share it and only read it.
type scoreRun struct {
	src     unitSource // its memo maps are filled before the workers start
	opts    score.Options
	format  jsonFlag
	suggest int // rescored suggestions per unit in text output
	// table prints one row per unit instead of its checks, as
	// systemd-analyze security without arguments does (--all).
	table bool
	bufs  *slicePool[byte]
	rows  *slicePool[score.Check]
}

// slicePool recycles per-unit slices once their unit is written out.
type slicePool[T any] struct {
	p       sync.Pool
	initial int // capacity of a new one
	maxKept int // a giant's is not kept
}

func (b *slicePool[T]) get() []T {
	if b != nil {
		if v, ok := b.p.Get().(*[]T); ok {
			return (*v)[:0]
		}
		return make([]T, 0, b.initial)
	}
	return nil
}

func (b *slicePool[T]) put(s []T) {
	if b != nil && s != nil && cap(s) <= b.maxKept {
		b.p.Put(&s)
	}
}

// outputBuffers are the per-unit output buffers: a fresh 20 kB of JSON
// per unit was most of a run's new memory, and so of its page faults and
// collections.
func outputBuffers() *slicePool[byte] { return &slicePool[byte]{initial: 32 << 10, maxKept: 1 << 20} }

// checkRows are the per-unit score rows, handed back once the unit's
// output is rendered (the gate and the threshold keep only its score).
func checkRows() *slicePool[score.Check] { return &slicePool[score.Check]{maxKept: 1 << 10} }

// unitOutcome is one argument's result, rendered by the worker that
// scored it so that rendering runs in parallel too.
type unitOutcome struct {
	file     scoredFile // for the gate and the threshold; its checks are dropped
	err      error
	warnings []string
	out      []byte // this unit's JSON element or text block
}

// one scores and renders one argument.
func (r scoreRun) one(path string) unitOutcome {
	spare := r.rows.get()
	su, err := scoreUnitInto(spare, r.src, path, r.opts)
	if err != nil {
		r.rows.put(spare)
		f := scoredFile{Path: path, Error: err.Error(), err: err}
		o := unitOutcome{file: f, err: err}
		if r.format.on() {
			o.out = r.appendJSON(nil, f)
		}
		return o
	}
	f := scoredFile{Path: path, Result: su.result}
	o := unitOutcome{warnings: unitWarnings(su.unit, r.opts.Version)}
	switch {
	case r.format.on():
		o.out = r.appendJSON(r.bufs.get(), f)
	case r.table:
	default:
		buf := bytes.NewBuffer(r.bufs.get())
		printScore(buf, path, su, r.suggest)
		o.out = buf.Bytes()
	}
	// The rows are written; the gate and the threshold read only these.
	o.file = scoredFile{Path: path, Result: &score.Result{Tenths: su.result.Tenths, Level: su.result.Level}}
	r.rows.put(su.result.Checks)
	return o
}

// unitWarnings are the lines systemd-analyze would log while loading the
// unit: lines it ignores (no "=", an unknown section), syscall names the
// version's libseccomp does not know, and keys younger than the version.
func unitWarnings(u *directive.Unit, version score.Version) []string {
	out := score.IgnoredSyscalls(u.Service, version)
	for _, n := range u.Notes {
		if n.SystemdWarns {
			what := n.Directive
			if what != "" {
				what += ": "
			}
			out = append(out, fmt.Sprintf("%s: %s%s", n.Source, what, n.Reason))
		}
	}
	for _, a := range u.Service {
		if since := directive.Since(a.Name); since > int(version) {
			out = append(out, fmt.Sprintf("%s: %s=%s: systemd %s ignores it (\"Unknown key '%s' in section [Service], ignoring.\"), as systemd-analyze %s does; only systemd %d or newer knows it",
				a.Source, a.Name, a.Value, version, a.Name, version, since))
		}
	}
	return out
}

// appendJSON writes one element of the --json array as encoding/json
// writes a scoredFile (the Result's fields embedded, then "error").
func (r scoreRun) appendJSON(b []byte, f scoredFile) []byte {
	b = append(b, `{"path":`...)
	b = score.AppendJSONString(b, f.Path)
	if f.Result != nil {
		b = append(b, ',')
		b = score.AppendJSONFields(b, f.Result)
	}
	if f.Error != "" {
		b = append(b, `,"error":`...)
		b = score.AppendJSONString(b, f.Error)
	}
	b = append(b, '}')
	if r.format != "pretty" {
		return b
	}
	var ind bytes.Buffer
	ind.Grow(len(b) * 2)
	if err := json.Indent(&ind, b, "  ", "  "); err != nil {
		return b // cannot happen: b is valid JSON
	}
	return ind.Bytes()
}

// jsonArray streams the elements of the --json array as they come, laid
// out as encoding/json lays out the whole slice (compact, or indented by
// two spaces), so that no document of every unit is built.
type jsonArray struct {
	w      *bufio.Writer
	pretty bool
	n      int
}

func (a *jsonArray) add(elem []byte) {
	switch {
	case a.n == 0 && a.pretty:
		a.w.WriteString("[\n  ")
	case a.n == 0:
		a.w.WriteByte('[')
	case a.pretty:
		a.w.WriteString(",\n  ")
	default:
		a.w.WriteByte(',')
	}
	a.w.Write(elem)
	a.n++
}

func (a *jsonArray) close() error {
	switch {
	case a.n == 0:
		a.w.WriteString("[]\n")
	case a.pretty:
		a.w.WriteString("\n]\n")
	default:
		a.w.WriteString("]\n")
	}
	return a.w.Flush()
}

// inOrder runs work for 0..n-1 on up to workers goroutines and hands the
// results to emit in index order, keeping at most a few per worker
// waiting; it stops when emit returns false or ctx ends.
func inOrder[T any](ctx context.Context, n, workers int, work func(int) T, emit func(T) bool) error {
	if workers <= 1 || n <= 1 {
		for i := range n {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !emit(work(i)) {
				return nil
			}
		}
		return nil
	}
	results := make([]chan T, n)
	for i := range results {
		results[i] = make(chan T, 1)
	}
	window := make(chan struct{}, 4*workers)
	next := make(chan int)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(next)
		for i := range n {
			select {
			case window <- struct{}{}:
			case <-stop:
				return
			}
			select {
			case next <- i:
			case <-stop:
				return
			}
		}
	}()
	for range workers {
		go func() {
			for i := range next {
				results[i] <- work(i)
			}
		}()
	}
	for i := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		var r T
		select {
		case r = <-results[i]:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-window
		if !emit(r) {
			return nil
		}
	}
	return nil
}

// scoreWorkers is how many units are scored at once: one per CPU.
func scoreWorkers() int { return runtime.GOMAXPROCS(0) }

// writeScores scores every argument with r, writes each unit's output to
// out and its warnings and errors to errw, in argument order, and returns
// every outcome's file for the gate.
func (r scoreRun) writeScores(ctx context.Context, args []string, std stdio) ([]scoredFile, error) {
	out := bufio.NewWriterSize(std.out, 64<<10)
	arr := &jsonArray{w: out, pretty: r.format == "pretty"}
	files := make([]scoredFile, 0, len(args))
	r.bufs, r.rows = outputBuffers(), checkRows()
	var werr error
	err := inOrder(ctx, len(args), scoreWorkers(), func(i int) unitOutcome { return r.one(args[i]) }, func(o unitOutcome) bool {
		if o.err != nil {
			out.Flush() // keep stdout and stderr in the order a terminal shows them
			errorf(std, "%v", o.err)
		}
		for _, w := range o.warnings {
			fmt.Fprintf(std.err, "hardenlab: warning: %s\n", w)
		}
		files = append(files, o.file)
		if r.format.on() {
			arr.add(o.out)
		} else {
			_, werr = out.Write(o.out)
		}
		r.bufs.put(o.out)
		return werr == nil
	})
	if err != nil {
		out.Flush()
		return files, fmt.Errorf("score: %w", err)
	}
	switch {
	case r.format.on():
		werr = arr.close()
	case werr == nil && (r.table || len(files) > 1):
		// Several units' checks scroll away: their scores end the output.
		writeScoreTable(out, files)
		werr = out.Flush()
	case werr == nil:
		werr = out.Flush()
	}
	if werr != nil {
		return files, fmt.Errorf("writing the scores: %w", werr)
	}
	return files, nil
}

// writeScoreTable lays out one row per unit, as systemd-analyze security
// without arguments does: the name, exposure, level and its emoji; a unit
// that could not be scored (named on stderr already) says so.
func writeScoreTable(w io.Writer, files []scoredFile) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\nUNIT\tEXPOSURE\tPREDICATE\tHAPPY")
	for _, f := range files {
		if f.Result == nil {
			fmt.Fprintf(tw, "%s\t-\tnot scored\n", f.Path)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t%s\n", f.Path, float64(f.Result.Tenths)/10, f.Result.Level, score.LevelEmoji(f.Result.Tenths))
	}
	tw.Flush()
}
