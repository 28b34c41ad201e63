package probes

import (
	"context"
	"os"
	"slices"
	"testing"
)

// The control of every bypass probe: as root outside any sandbox, each
// bypass works. The system bus exists only where systemd runs.
func TestBypassProbesAreOpenWithoutHardening(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the control expectations are root's")
	}
	var ids []string
	for _, p := range Registry() {
		if len(p.Bypasses) > 0 {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) < 7 {
		t.Fatalf("only %d bypass probes", len(ids))
	}
	doc, err := Run(context.Background(), Options{Self: os.Args[0], Only: ids, SkipPreflight: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Results {
		p, _ := Find(r.ID)
		if r.ID == "bypass.bus-connect" && r.Errno == "ENOENT" {
			if _, err := os.Stat(systemBus); err == nil {
				t.Errorf("%s: ENOENT although %s exists", r.ID, systemBus)
			}
			continue
		}
		if r.Outcome != p.Control {
			t.Errorf("%s: %s (%s %s %s), want the control's %s", r.ID, r.Outcome, r.Errno, r.Signal, r.Detail, p.Control)
		}
	}
	if doc.HostCheck == nil || !doc.HostCheck.Unchanged {
		t.Errorf("host check: %+v", doc.HostCheck)
	}
	if left, _ := os.ReadDir("/dev/shm"); len(left) > 0 {
		for _, e := range left {
			if len(e.Name()) > 20 && e.Name()[:20] == "hardenlab-probe-exec" {
				t.Errorf("left behind in /dev/shm: %s", e.Name())
			}
		}
	}
}

// A bypass row is a finding: it evidences no directive (so the harness
// draws no verdict from it) and names real ones in Bypasses.
func TestBypassRowsAreFindingsOnly(t *testing.T) {
	for _, p := range Registry() {
		if (p.Area() == "bypass") != (len(p.Bypasses) > 0) {
			t.Errorf("%s: only the bypass area names Bypasses (has %q)", p.ID, p.Bypasses)
		}
		if len(p.Bypasses) > 0 && (len(p.Claims) > 0 || p.InProcess || p.Polarity != Restricts) {
			t.Errorf("%s: a bypass row evidences no directive, runs in its child and has the default polarity", p.ID)
		}
		for _, d := range p.Bypasses {
			if !slices.Contains(claimedDirectives(), d) {
				t.Errorf("%s: bypasses %q, which no probe claims", p.ID, d)
			}
		}
	}
	for _, e := range Listing() {
		if p, _ := Find(e.ID); len(p.Bypasses) > 0 && (e.Polarity != "bypass" || len(e.Bypasses) == 0) {
			t.Errorf("%s: listed with polarity %q, bypasses %q", e.ID, e.Polarity, e.Bypasses)
		}
	}
}

func TestParseCalls(t *testing.T) {
	got, err := ParseCalls(" swapon,swapoff,,swapon ")
	if err != nil || len(got) != 2 || got[0] != "swapon" || got[1] != "swapoff" {
		t.Errorf("ParseCalls = %q, %v", got, err)
	}
	for _, bad := range []string{"", ",", "swap on", "Swapon", "@swap", "1abc"} {
		if _, err := ParseCalls(bad); err == nil {
			t.Errorf("ParseCalls(%q) succeeded", bad)
		}
	}
}

// claimedDirectives are the directives some probe evidences.
func claimedDirectives() []string {
	var out []string
	for _, p := range Registry() {
		out = append(out, p.Directives()...)
	}
	return out
}
