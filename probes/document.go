package probes

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// SchemaVersion is the version of Document's JSON layout.
const SchemaVersion = 1

// Document is what "hardenlab-probe run" prints.
type Document struct {
	Schema      int          `json:"schema"`
	Posture     Posture      `json:"posture"`
	Environment *Environment `json:"environment,omitempty"`
	Results     []Result     `json:"results"`
	HostCheck   *HostCheck   `json:"host_check,omitempty"`
}

// HostCheck is the before/after comparison of what probes must never
// change; Changes is empty when nothing changed.
type HostCheck struct {
	Unchanged bool     `json:"unchanged"`
	Changes   []string `json:"changes"`
}

// Run runs the selected probes, each in its own child unless it is marked
// InProcess, and assembles the document. Its error means the probe binary
// itself failed; blocked actions are results, not errors.
func Run(ctx context.Context, o Options) (Document, error) {
	posture, err := ReadPosture("/proc/self")
	if err != nil {
		return Document{}, fmt.Errorf("reading own posture: %w", err)
	}
	var before hostSnapshot
	if !o.SkipDestructiveCheck {
		before = snapshotHost()
	}
	scratch, err := makeScratch()
	if err == nil {
		o.Scratch = scratch
	}
	doc := Document{Schema: SchemaVersion, Posture: posture}
	if !o.SkipPreflight {
		env := Preflight(ctx, o)
		doc.Environment = &env
	}
	doc.Results = runAll(ctx, selected(o.Only), o)
	if scratch != "" {
		if err := os.RemoveAll(scratch); err != nil {
			return Document{}, fmt.Errorf("removing scratch dir %s: %w", scratch, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return Document{}, fmt.Errorf("running probes: %w", err)
	}
	if !o.SkipDestructiveCheck {
		changes := before.diff(snapshotHost())
		doc.HostCheck = &HostCheck{Unchanged: len(changes) == 0, Changes: append([]string{}, changes...)}
	}
	return doc, nil
}

// runAll runs the in-process probes first, one after the other, then the
// rest in o.Parallel children at a time, and keeps the registry's order in
// the results. Probes are independent: each child has its own process, its
// own scratch file names and reverts what it changes, and an in-process
// probe changes nothing. The in-process ones do not overlap the children so
// that --parallel 1 keeps one probe running at a time.
func runAll(ctx context.Context, ps []Probe, o Options) []Result {
	results := make([]Result, len(ps))
	var isolated []int
	for i, p := range ps {
		if !p.inProcess(o) {
			isolated = append(isolated, i)
			continue
		}
		if ctx.Err() != nil {
			return results
		}
		results[i] = runProbe(ctx, p, o)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range o.parallel() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runProbe(ctx, ps[i], o)
			}
		}()
	}
	for _, i := range isolated {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

// scratchFile names a file in the scratch dir that no concurrent child
// uses: children run in parallel and share the dir.
func scratchFile(scratch, name string) string {
	return filepath.Join(scratch, fmt.Sprintf("%s-%d", name, os.Getpid()))
}

// selected keeps the registry's order, filtered by --only.
func selected(only []string) []Probe {
	all := Registry()
	if len(only) == 0 {
		return all
	}
	var out []Probe
	for _, p := range all {
		if contains(only, p.ID) {
			out = append(out, p)
		}
	}
	return out
}

// makeScratch creates the run's private scratch dir in the first writable
// temporary directory: ProtectSystem=strict without PrivateTmp leaves /tmp
// read-only, while /dev/shm usually stays writable.
func makeScratch() (string, error) {
	var errs []error
	for _, base := range []string{os.Getenv("TMPDIR"), "/tmp", "/var/tmp", "/dev/shm", os.Getenv("RUNTIME_DIRECTORY")} {
		if base == "" {
			continue
		}
		dir, err := os.MkdirTemp(base, "hardenlab-probe-")
		if err == nil {
			return dir, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("no writable temporary directory: %w", errors.Join(errs...))
}

// hostSnapshot is what a harmless probe must leave as it found it.
type hostSnapshot struct {
	values      map[string]string
	clockOffset time.Duration // CLOCK_REALTIME - CLOCK_BOOTTIME
}

// watchedSysctls are read (never written) before and after the probes.
func watchedSysctls() []string {
	return []string{
		"/proc/sys/kernel/hostname", "/proc/sys/kernel/domainname", "/proc/sys/kernel/randomize_va_space",
		"/proc/sys/kernel/sysrq", "/proc/sys/vm/swappiness", "/proc/sys/net/ipv4/ip_forward",
		"/proc/sys/kernel/modules_disabled",
	}
}

// clockTolerance bounds how far the realtime clock may drift against the
// boot clock during a run (NTP slewing) before it counts as changed.
const clockTolerance = 100 * time.Millisecond

func snapshotHost() hostSnapshot {
	s := hostSnapshot{values: map[string]string{}}
	for _, f := range watchedSysctls() {
		s.values[f] = readTrim(f)
	}
	if b, err := os.ReadFile("/proc/modules"); err == nil {
		s.values["/proc/modules"] = fmt.Sprintf("sha256 %x", sha256.Sum256(b))
	} else if errors.Is(err, fs.ErrNotExist) {
		s.values["/proc/modules"] = "absent"
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		s.values["uname nodename"] = unix.ByteSliceToString(u.Nodename[:])
	}
	var rt, bt unix.Timespec
	if unix.ClockGettime(unix.CLOCK_REALTIME, &rt) == nil && unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt) == nil {
		s.clockOffset = time.Duration(rt.Nano() - bt.Nano())
	}
	return s
}

func (s hostSnapshot) diff(after hostSnapshot) []string {
	var out []string
	for k, v := range s.values {
		if w := after.values[k]; w != v {
			out = append(out, fmt.Sprintf("%s: %q -> %q", k, v, w))
		}
	}
	if d := after.clockOffset - s.clockOffset; d > clockTolerance || d < -clockTolerance {
		out = append(out, fmt.Sprintf("realtime clock moved by %s against the boot clock", d))
	}
	return out
}
