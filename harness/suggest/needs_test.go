package suggest

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/health"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/score"
)

func settingsOf(t *testing.T, lines ...string) *directive.Settings {
	t.Helper()
	as, err := directive.ParseAssignments(lines, "t.service", 1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := directive.Resolve(as, true)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNeedsOf(t *testing.T) {
	for _, tc := range []struct {
		name          string
		lines, checks []string
		allow, write  []string
	}{
		{"nginx: its PIDFile= is in /run", []string{"Type=forking", "PIDFile=/run/nginx.pid"}, []string{"http://127.0.0.1:80/"}, []string{"127.0.0.1"}, []string{"/run"}},
		{"redis: its PIDFile= is in its RuntimeDirectory=", []string{"PIDFile=/run/redis/redis-server.pid", "RuntimeDirectory=redis"},
			[]string{"tcp:127.0.0.1:6379,send=PING,expect=+PONG"}, []string{"127.0.0.1"}, nil},
		{"localhost is both loopbacks, once", nil, []string{"http://localhost:8080/", "tcp:[::1]:8080"}, []string{"127.0.0.1", "::1"}, nil},
		{"an exec or active check allows nothing", nil, []string{"exec:/bin/true", "active:2s"}, nil, nil},
		{"a PIDFile= in the root itself is not a path to open", []string{"PIDFile=/x.pid"}, nil, nil, nil},
	} {
		checks, err := health.ParseAll(tc.checks)
		if err != nil {
			t.Fatal(err)
		}
		n := NeedsOf(settingsOf(t, tc.lines...), checks)
		if got := values(n.Allow); !slices.Equal(got, tc.allow) {
			t.Errorf("%s: allow %q, want %q", tc.name, got, tc.allow)
		}
		if got := values(n.Writable); !slices.Equal(got, tc.write) {
			t.Errorf("%s: writable %q, want %q", tc.name, got, tc.write)
		}
	}
}

func TestReadOnlyPaths(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "var/lib/app/cache"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line string
		want []string
	}{
		{`2026/12/01 22:03:30 [emerg] 44#44: open() "/run/nginx.pid" failed (30: Read-only file system)`, []string{"/run"}},
		{`2026/12/01 22:03:35 [emerg] 44#44: mkdir() "/var/lib/nginx/body" failed (30: Read-only file system)`, []string{"/var/lib/nginx"}},
		// An existing directory is made writable itself, not its parent.
		{`cannot create a file in /var/lib/app/cache: read-only file system`, []string{"/var/lib/app/cache"}},
		{`Can't open the log file: Read-only file system`, nil},
		{`open /x.log: read-only file system`, nil},
		{`echo 1 > /proc/sys/net/x: Read-only file system`, nil},
		{`Failed to set up mount namespacing: /run/systemd/unit-root/var/x: Read-only file system`, nil},
		{`open() "/run/nginx.pid" failed (2: No such file or directory)`, nil},
	} {
		if got := values(ReadOnlyPaths([]string{tc.line}, root)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.line, got, tc.want)
		}
	}
	twice := ReadOnlyPaths([]string{`open() "/run/a.pid" failed (30: Read-only file system)`, `open() "/run/b.pid" failed (30: Read-only file system)`}, root)
	if len(twice) != 1 || !strings.HasPrefix(twice[0].From, "journal: ") {
		t.Errorf("two lines of one directory: %+v", twice)
	}
}

// writer is a service that writes /run/app.pid and /var/lib/app/body,
// and says so in its journal when it cannot.
type writer struct{ starts int }

func (w *writer) trial(_ context.Context, name string, cands []Candidate) (report.Record, error) {
	w.starts++
	rec := report.Record{Profile: report.Profile{Name: name}}
	var lines []string
	for _, c := range cands {
		lines = append(lines, c.Lines...)
	}
	readOnly := slices.ContainsFunc(lines, func(l string) bool { return slices.Contains(readOnlyRoot, l) })
	for _, p := range []string{"/run/app.pid", "/var/lib/app/body"} {
		if readOnly && !slices.ContainsFunc(lines, func(l string) bool {
			return strings.HasPrefix(l, "ReadWritePaths=") && strings.Contains(l+" ", "-"+filepath.Dir(p)+" ")
		}) {
			rec.Behavior = report.Behavior{Result: "exit-code", JournalTail: []string{`open() "` + p + `" failed (30: Read-only file system)`}}
			return rec, nil
		}
	}
	rec.Behavior = report.Behavior{Started: true, HTTPStatus: 200}
	return rec, nil
}

// ProtectSystem=strict is kept, with the paths the journal named, rather
// than given up for ProtectSystem=full.
func TestSearchLearnsWritablePaths(t *testing.T) {
	svc := &writer{}
	sc := Scorer{Base: demoBase(t), DefaultDependencies: true, Options: score.Options{Version: score.Newest(), UnitName: "demo.service"}}
	s := Search{Trial: svc.trial, Needs: DemoNeeds(), Root: t.TempDir()}
	res, err := s.Run(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range res.Kept {
		if c.Directive == "ProtectSystem" || c.Directive == "DynamicUser" {
			got = append(got, strings.Join(c.Lines, "|"))
		}
	}
	want := []string{"ProtectSystem=strict|ReadWritePaths=-/run -/var/lib/app", "DynamicUser=yes|ReadWritePaths=-/run -/var/lib/app"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("kept %q, want %q", got, want)
	}
	if w := values(res.Needs.Writable); !slices.Equal(w, []string{"/run", "/var/lib/app"}) {
		t.Errorf("writable %q", w)
	}
	// Each path costs a round, and bisection stays below one start per
	// candidate.
	if svc.starts != len(res.Trials) || svc.starts >= len(res.Decisions) {
		t.Errorf("%d starts (%d logged)", svc.starts, len(res.Trials))
		for _, tr := range res.Trials {
			t.Log(tr)
		}
	}
}

func TestSearchStopsWhenTheSandboxFails(t *testing.T) {
	sc := Scorer{Base: demoBase(t), DefaultDependencies: true, Options: score.Options{Version: score.Newest(), UnitName: "demo.service"}}
	starts := 0
	s := Search{Trial: func(context.Context, string, []Candidate) (report.Record, error) {
		starts++
		return report.Record{}, os.ErrPermission
	}}
	if _, err := s.Run(context.Background(), sc); err == nil || starts != 1 {
		t.Errorf("err %v after %d starts", err, starts)
	}
}
