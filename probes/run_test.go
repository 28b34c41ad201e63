package probes

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// These probes need no privilege and have the same answer for every
// unhardened process, root or not, so their outcome is known here.
func TestRunUnprivilegedProbesInChildren(t *testing.T) {
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "hardenlab-probe-*"))
	o := Options{Self: os.Args[0], Only: []string{"sys.wx-mmap", "net.socket-netlink", "caps.no-new-privs", "fs.umask", "net.connect-target"}}
	doc, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Schema != SchemaVersion || len(doc.Results) != len(o.Only) {
		t.Fatalf("document: schema %d, %d results", doc.Schema, len(doc.Results))
	}
	want := map[string]Outcome{
		"sys.wx-mmap": Allowed, "net.socket-netlink": Allowed, "caps.no-new-privs": Allowed,
		"net.connect-target": Skipped, // no --tcp-target given
	}
	for _, r := range doc.Results {
		if w, ok := want[r.ID]; ok && r.Outcome != w {
			t.Errorf("%s = %s (%s), want %s", r.ID, r.Outcome, r.Detail, w)
		}
		if r.ID == "fs.umask" {
			mask := doc.Posture.Umask
			if (mask == "0022" || mask == "0002") != (r.Outcome == Allowed) {
				t.Errorf("fs.umask = %s (%s) with umask %s", r.Outcome, r.Detail, mask)
			}
		}
	}
	if doc.HostCheck == nil || !doc.HostCheck.Unchanged {
		t.Errorf("host check: %+v", doc.HostCheck)
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "hardenlab-probe-*"))
	for _, l := range after {
		if !slices.Contains(before, l) {
			t.Errorf("scratch dir left behind: %s", l)
		}
	}
}

// A probe that hangs must come back as an error after the timeout, not
// hang the run: the child is started on a binary that sleeps.
func TestRunProbeTimesOut(t *testing.T) {
	if _, err := os.Stat("/bin/sleep"); err != nil {
		t.Skip("no /bin/sleep")
	}
	script := filepath.Join(t.TempDir(), "hang")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexec /bin/sleep 30\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	p, _ := Find("sys.wx-mmap")
	r := runProbe(context.Background(), p, Options{Self: script, Timeout: 200 * time.Millisecond})
	if r.Outcome != Errored || !strings.Contains(r.Detail, "did not finish") {
		t.Errorf("hanging child gave %s: %s", r.Outcome, r.Detail)
	}
}

func TestMissingNeedsAreSkipped(t *testing.T) {
	for _, p := range Registry() {
		if p.Needs == NeedNothing {
			continue
		}
		r := runProbe(context.Background(), p, Options{Self: "/nonexistent"})
		if r.Outcome != Skipped || !strings.Contains(r.Detail, needFlag(p.Needs)) {
			t.Errorf("%s without %s: %s (%s)", p.ID, needFlag(p.Needs), r.Outcome, r.Detail)
		}
	}
}

func BenchmarkRunOneProbeChild(b *testing.B) {
	p, _ := Find("sys.wx-mmap")
	o := Options{Self: os.Args[0]}
	for b.Loop() {
		if r := runProbe(context.Background(), p, o); r.Outcome != Allowed {
			b.Fatalf("%s: %s", r.Outcome, r.Detail)
		}
	}
}

// BenchmarkRunSequentialVsParallel compares one child at a time with one
// per CPU over the probes that need no privilege.
func BenchmarkRunSequentialVsParallel(b *testing.B) {
	only := []string{"sys.wx-mmap", "net.socket-netlink", "caps.no-new-privs", "fs.umask", "sys.filter-debug", "sys.suid-chmod", "fs.write-etc", "proc.hidepid"}
	for _, n := range []int{1, runtime.NumCPU()} {
		name := "sequential"
		if n > 1 {
			name = "parallel"
		}
		b.Run(name, func(b *testing.B) {
			o := Options{Self: os.Args[0], Only: only, Parallel: n, SkipDestructiveCheck: true}
			for b.Loop() {
				if _, err := Run(context.Background(), o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
