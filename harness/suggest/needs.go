package suggest

import (
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/health"
)

// Needs are what a candidate must leave the service so that a trial tests
// the directive and not a health check it cut off or a write it forbade:
// IPAddressDeny=any comes with the addresses the health checks reach the
// service at, and a candidate that makes the whole root read-only with
// the paths the service writes outside its own directories (systemd keeps
// StateDirectory= and the like writable anyway).
type Needs struct {
	Allow    []Need `json:"allow,omitempty"`
	Writable []Need `json:"writable,omitempty"`
}

// Need is one address or path, and what says the service needs it.
type Need struct {
	Value string `json:"value"`
	From  string `json:"from"`
}

// DemoNeeds are the demo's: it answers its health check on 127.0.0.1.
func DemoNeeds() Needs {
	return Needs{Allow: []Need{{"127.0.0.1", "the demo's health check"}}}
}

// NeedsOf derives a unit's needs from its own settings (the directory of
// its PIDFile=, unless a RuntimeDirectory= of its own holds it) and from
// its health checks' addresses. An exec check's own connections are not
// known, so it allows nothing.
func NeedsOf(s *directive.Settings, checks []health.Check) Needs {
	var n Needs
	for _, c := range checks {
		for _, a := range checkAddrs(c) {
			n.Allow = appendNeed(n.Allow, Need{a, "--health " + c.Spec})
		}
	}
	props := map[string]any{}
	for _, p := range s.Properties() {
		props[p.Name] = p.Value.Value()
	}
	pid, _ := props["PIDFile"].(string)
	if pid == "" || !path.IsAbs(pid) {
		return n
	}
	dir := path.Dir(pid)
	runtime, _ := props["RuntimeDirectory"].([]string)
	if dir != "/" && !slices.ContainsFunc(runtime, func(d string) bool { return within(dir, path.Join("/run", d)) }) {
		n.Writable = append(n.Writable, Need{dir, "PIDFile=" + pid})
	}
	return n
}

// checkAddrs are the addresses a network check connects to. localhost is
// both loopbacks, not the whole of 127.0.0.0/8 that systemd's localhost
// means: that would let the probes' target through too.
func checkAddrs(c health.Check) []string {
	switch c.Kind {
	case health.TCP:
		return []string{c.Addr.Addr().String()}
	case health.HTTP:
		u, err := url.Parse(c.URL)
		if err != nil {
			return nil
		}
		if u.Hostname() == "localhost" {
			return []string{"127.0.0.1", "::1"}
		}
		return []string{u.Hostname()}
	}
	return nil
}

// readOnlyRoot are the settings that make the whole root read-only
// (DynamicUser= implies ProtectSystem=strict): the ones that need the
// writable paths.
var readOnlyRoot = []string{"ProtectSystem=strict", "DynamicUser=yes"}

// linesWith adds to a row's alternative what the needs ask of it.
func (n Needs) linesWith(r row, alt []string) (lines, why []string) {
	lines = slices.Clone(alt)
	switch {
	case r.directive == "IPAddressDeny" && len(n.Allow) > 0:
		lines = append(lines, "IPAddressAllow="+strings.Join(values(n.Allow), " "))
		why = describe("IPAddressAllow=", n.Allow)
	case len(n.Writable) > 0 && slices.ContainsFunc(alt, func(l string) bool { return slices.Contains(readOnlyRoot, l) }):
		var paths []string
		for _, w := range n.Writable {
			paths = append(paths, "-"+w.Value)
		}
		lines = append(lines, "ReadWritePaths="+strings.Join(paths, " "))
		why = describe("ReadWritePaths=", n.Writable)
	}
	return lines, why
}

func values(ns []Need) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Value)
	}
	return out
}

func describe(name string, ns []Need) []string {
	var out []string
	for _, n := range ns {
		out = append(out, name+n.Value+" for "+n.From)
	}
	return out
}

func appendNeed(ns []Need, n Need) []Need {
	if slices.ContainsFunc(ns, func(o Need) bool { return o.Value == n.Value }) {
		return ns
	}
	return append(ns, n)
}

// erofs finds the path a journal line says the service could not write
// because the file system is read-only (nginx: open() "/run/nginx.pid"
// failed (30: Read-only file system)).
var erofs = regexp.MustCompile(`(?:^|[\s"'(=])(/[^\s"'():,;]*)[^/]*\b(?i:read-only file system)`)

// ReadOnlyPaths are the directories a record's journal shows the service
// failing to write in, read-only: the path itself if root holds it as a
// directory, else its parent. The root itself is never proposed.
func ReadOnlyPaths(journal []string, root string) []Need {
	var out []Need
	for _, l := range journal {
		m := erofs.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		p := path.Clean(m[1])
		if fi, err := os.Stat(filepath.Join(root, p)); err != nil || !fi.IsDir() {
			p = path.Dir(p)
		}
		if p == "/" || slices.ContainsFunc(notProposed(), func(d string) bool { return within(p, d) }) {
			continue
		}
		out = appendNeed(out, Need{p, "journal: " + strings.TrimSpace(l)})
	}
	return out
}

// notProposed are never made writable: the kernel's API file systems,
// which other directives protect, and systemd's own (a path systemd names
// there is its mount namespace set-up, not the service writing).
func notProposed() []string { return []string{"/proc", "/sys", "/dev", "/run/systemd"} }

// learn adds the paths not yet writable.
func (n *Needs) learn(paths []Need) {
	for _, p := range paths {
		if !n.covers([]Need{p}) {
			n.Writable = append(n.Writable, p)
		}
	}
}

// covers says whether every path is writable already.
func (n Needs) covers(paths []Need) bool {
	for _, p := range paths {
		if !slices.ContainsFunc(n.Writable, func(w Need) bool { return within(p.Value, w.Value) }) {
			return false
		}
	}
	return true
}

// within says whether p is dir or below it.
func within(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, strings.TrimSuffix(dir, "/")+"/")
}
