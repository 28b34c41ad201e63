package run

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

func TestJudge(t *testing.T) {
	allowed := func(id string) probes.Result { return probes.Result{ID: id, Outcome: probes.Allowed, Detail: "ran"} }
	eperm := func(id string) probes.Result {
		return probes.Result{ID: id, Outcome: probes.Blocked, Errno: "EPERM", Detail: "unshare denied with EPERM"}
	}
	p := profileOf(t, "RestrictNamespaces=uts ipc pid user cgroup", "ProtectSystem=strict")
	claimed := declaredClaims(p.Settings, score.Newest())
	control := []probes.Result{allowed("ns.unshare-uts"), allowed("ns.unshare-net"), allowed("fs.write-etc"), allowed("caps.no-new-privs")}
	profile := []probes.Result{eperm("ns.unshare-uts"), eperm("ns.unshare-net"), eperm("fs.write-etc"), eperm("caps.no-new-privs"), eperm("fs.write-var")}

	got := judge(claimed, control, profile, false)
	want := []report.ProbeResult{
		{ID: "ns.unshare-uts", Directives: []string{"RestrictNamespaces"}, Verdict: "not-enforced", Outcome: "blocked", Control: "allowed", Errno: "EPERM",
			Detail: "RestrictNamespaces= allows uts namespaces (an allow-list), so it does not forbid this; the EPERM came from elsewhere (e.g. a capability the bounding set dropped); unshare denied with EPERM"},
		{ID: "ns.unshare-net", Directives: []string{"RestrictNamespaces"}, Verdict: "enforced", Outcome: "blocked", Control: "allowed", Errno: "EPERM",
			Detail: "allowed under the control, blocked under the profile (EPERM); unshare denied with EPERM"},
		{ID: "fs.write-etc", Directives: []string{"ProtectSystem"}, Verdict: "enforced", Outcome: "blocked", Control: "allowed", Errno: "EPERM",
			Detail: "allowed under the control, blocked under the profile (EPERM); unshare denied with EPERM"},
		// caps.no-new-privs evidences nothing the profile declares.
		{ID: "fs.write-var", Directives: []string{"ProtectSystem"}, Verdict: "error", Outcome: "blocked", Errno: "EPERM",
			Detail: "no control result for this probe; unshare denied with EPERM"},
	}
	if len(got) != len(want) {
		t.Fatalf("judge = %d verdicts, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if g, w := got[i], want[i]; g.ID != w.ID || strings.Join(g.Directives, ",") != strings.Join(w.Directives, ",") ||
			g.Verdict != w.Verdict || g.Outcome != w.Outcome || g.Control != w.Control || g.Errno != w.Errno || g.Detail != w.Detail {
			t.Errorf("verdict %d:\n got %+v\nwant %+v", i, g, w)
		}
	}

	for _, v := range judge(claimed, control, profile[:2], true) {
		if v.Verdict != string(probes.BrokeService) {
			t.Errorf("%s: %s under a broken service, want broke-service", v.ID, v.Verdict)
		}
	}
	if got := judge(claimed, control, nil, false); got == nil || len(got) != 0 {
		t.Errorf("no results: judge = %#v, want an empty list", got)
	}
}

// A path probe is judged against the control only when both tried the
// same path: a run of several units shares the control of the first.
func TestOtherPaths(t *testing.T) {
	results := []probes.Result{
		{ID: "fs.write-rw-path", Outcome: probes.Allowed, Detail: "created and removed an empty file in /var/lib/b"},
		{ID: "fs.write-etc", Outcome: probes.Blocked, Errno: "EROFS"},
	}
	same := otherPaths(results, []string{"--rw-path", "/var/lib/b"}, []string{"--rw-path", "/var/lib/b"})
	if !reflect.DeepEqual(same, results) {
		t.Errorf("same path: results changed to %+v", same)
	}
	other := otherPaths(results, []string{"--rw-path", "/var/lib/a"}, []string{"--ro-path", "/x", "--rw-path", "/var/lib/b"})
	if other[0].Outcome != probes.Skipped || !strings.Contains(other[0].Detail, `"/var/lib/a"`) || other[1] != results[1] {
		t.Errorf("another path: %+v", other)
	}
	if results[0].Outcome != probes.Allowed {
		t.Error("otherPaths changed its argument")
	}
	v := judge([]probeClaim{{id: "fs.write-rw-path", directives: []string{"ReadWritePaths"}}}, results[:1], other[:1], false)
	if len(v) != 1 || v[0].Verdict != string(probes.Inconclusive) {
		t.Errorf("verdict on another path: %+v", v)
	}
}

// The control of a unit's profiles tries the full profile's paths, which
// every profile of the unit shares; without a full profile, the first
// profile's that has any.
func TestPathsOfProfiles(t *testing.T) {
	unit := []string{"ExecStart=/usr/bin/python3 -m http.server", "ReadWritePaths=-/var/lib/a -/var/lib/b", "ReadOnlyPaths=/srv"}
	full := profileOf(t, unit...)
	full.Kind = profile.Full
	single := profileOf(t, unit[0], unit[2])
	single.Kind = profile.Single
	ctl := profileOf(t, unit[0])
	ctl.Kind = profile.Control
	want := []string{"--ro-path", "/srv", "--rw-path", "/var/lib/a"}
	if got := pathsOfProfiles([]Profile{ctl, single, full}); !reflect.DeepEqual(got, want) {
		t.Errorf("with a full profile: %q, want %q", got, want)
	}
	if got := pathsOfProfiles([]Profile{ctl, single}); !reflect.DeepEqual(got, []string{"--ro-path", "/srv"}) {
		t.Errorf("without one: %q", got)
	}
	if got := pathsOfProfiles([]Profile{ctl}); got != nil {
		t.Errorf("no paths: %q", got)
	}
}
