package score

import (
	"fmt"
	"sync"

	"github.com/hardenlab/hardenlab/harness/directive"
)

//go:generate go run ./internal/gensyscalls -var syscalls252 -out syscalls_252.go
//go:generate go run ./internal/gensyscalls -root /var/lib/hardenlab/rootfs/trixie-7b1fd969c801 -var syscalls257 -out syscalls_257.go

// syscallTable is one systemd version's @group definitions, restricted to
// names libseccomp resolves on x86-64.
type syscallTable struct {
	source string
	groups map[string][]string
	// nonNative: names that resolve only to a pseudo number (a call of
	// another architecture); PID 1 keeps them in a filter, the analyzer
	// skips them when it walks a group.
	nonNative map[string]bool
	// resolvable: names PID 1 keeps in a filter — those its libseccomp
	// resolves, whether or not a group lists them (the members of
	// @obsolete, say, are only in that group's listing as the group);
	// others it ignores.
	resolvable map[string]bool

	numbered sync.Once
	numbers  map[string]int // each resolvable name's bit in a callSet
}

// callSet is a set of a table's resolvable calls, one bit each: a unit's
// effective filter was a map of hundreds of names, a fresh one per unit.
type callSet []uint64

// number is the name's bit in a callSet of t; ok is false for a name
// libseccomp does not resolve, which no filter holds.
func (t *syscallTable) number(name string) (n int, ok bool) {
	t.numbered.Do(func() {
		t.numbers = make(map[string]int, len(t.resolvable))
		for name := range t.resolvable {
			t.numbers[name] = len(t.numbers)
		}
	})
	n, ok = t.numbers[name]
	return n, ok
}

// newCallSet is an empty set of t's calls.
func newCallSet(t *syscallTable) callSet { return make(callSet, (len(t.resolvable)+63)/64) }

// has says whether the set holds the named call of t.
func (s callSet) has(t *syscallTable, name string) bool {
	if len(s) == 0 { // no filter (a zero Filter has no table either)
		return false
	}
	n, ok := t.number(name)
	return ok && n/64 < len(s) && s[n/64]&(1<<(n%64)) != 0
}

// put adds (or with add false, takes out) call number n.
func (s callSet) put(n int, add bool) {
	if add {
		s[n/64] |= 1 << (n % 64)
	} else {
		s[n/64] &^= 1 << (n % 64)
	}
}

// empty says whether the set holds no call.
func (s callSet) empty() bool {
	for _, w := range s {
		if w != 0 {
			return false
		}
	}
	return true
}

// IgnoredSyscalls explains, one line per name ("FILE:LINE: Directive=value:
// ..."), the system call names of the assignments that systemd v would
// log and ignore because its libseccomp does not resolve them: names the
// parser accepts because a newer modelled release resolves them (mseal,
// listmount... for 252). The score already ignores them, as
// `systemd-analyze security` of v does (each table's resolvable set comes
// from that release's libseccomp); this says so to the user.
func IgnoredSyscalls(as []directive.Assignment, v Version) []string {
	var out []string
	for _, a := range as {
		for _, n := range directive.NewerSyscalls(a, int(v)) {
			out = append(out, fmt.Sprintf("%s: %s=%s: systemd %s %s; scored without it", a.Source, a.Name, a.Value, v, n.Ignored()))
		}
	}
	return out
}
