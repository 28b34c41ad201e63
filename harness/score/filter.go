package score

import (
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// Filter is a unit's SystemCallFilter= as systemd v resolves it: the one
// merge the score and the harness's per-call checks share.
type Filter struct {
	// AllowList: the first line allowed names (the list starts from
	// @default); otherwise it denies them.
	AllowList bool
	set       callSet
	t         *syscallTable
}

// ResolveFilter merges the lines as systemd v does; ok is false when the
// lines declare no filter.
func ResolveFilter(lines []directive.FilterLine, v Version) (f Filter, ok bool, err error) {
	sem, err := semanticsOf(v)
	if err != nil {
		return Filter{}, false, err
	}
	if len(lines) == 0 {
		return Filter{}, false, nil
	}
	allow, set := effectiveSyscallFilter(lines, sem.syscalls())
	return Filter{AllowList: allow, set: set, t: sem.syscalls()}, true, nil
}

// Denies says whether the filter stops the named native call.
func (f Filter) Denies(call string) bool {
	return f.set.has(f.t, call) != f.AllowList
}

// Members are the native calls of a group, nested groups expanded, each
// once, in definition order; nil for a name that is no group of v.
// Calls of other architectures are left out: an x86-64 probe cannot make
// them.
func (f Filter) Members(group string) []string {
	var out []string
	var walk func(string)
	walk = func(g string) {
		for _, m := range f.t.groups[g] {
			switch {
			case strings.HasPrefix(m, "@"):
				walk(m)
			case f.t.nonNative[m] || !f.t.resolvable[m] || slices.Contains(out, m):
			default:
				out = append(out, m)
			}
		}
	}
	walk(group)
	return out
}

// Groups are the @groups of v that name a kind of call, sorted; @known
// (every call) and @default (what an allow-list always keeps) are left out.
func (f Filter) Groups() []string {
	var out []string
	for g := range f.t.groups {
		if g != "@known" && g != "@default" {
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return out
}

// Native says whether v's filter would act on the named call on x86-64.
func (f Filter) Native(call string) bool {
	return f.t.resolvable[call] && !f.t.nonNative[call]
}

// FilterCalls are the native calls of every group of v, each once: what
// a control run must answer so that any profile's filter can be judged.
func FilterCalls(v Version) ([]string, error) {
	sem, err := semanticsOf(v)
	if err != nil {
		return nil, err
	}
	f := Filter{t: sem.syscalls()}
	var out []string
	for _, g := range append(f.Groups(), "@default") {
		for _, m := range f.Members(g) {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out, nil
}
