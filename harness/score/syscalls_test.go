package score

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// TestRareSystemCallNames: names outside 252's @known listing, or outside
// every group, score as `systemd-analyze security --offline=true` scored
// a unit of ExecStart=/bin/true plus the one SystemCallFilter= line (252 on
// Debian 12, 257 in the trixie root). row is a check whose description
// names the offender; "" where no row changes.
func TestRareSystemCallNames(t *testing.T) {
	tests := []struct {
		filter   string
		tenths   map[Version]int
		row      string
		wantDesc string
	}{
		{"uselib", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "@obsolete is included (e.g. uselib is allowed)"},
		{"_sysctl", map[Version]int{V252: 81, V257: 80}, "SystemCallFilter=~@privileged", "@privileged is included (e.g. _sysctl is allowed)"},
		{"create_module", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. create_module is allowed)"},
		{"get_kernel_syms", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. get_kernel_syms is allowed)"},
		{"query_module", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. query_module is allowed)"},
		{"nfsservctl", map[Version]int{V252: 81, V257: 79}, "SystemCallFilter=~@privileged", "(e.g. nfsservctl is allowed)"},
		{"vserver", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. vserver is allowed)"},
		{"afs_syscall", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. afs_syscall is allowed)"},
		{"security", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. security is allowed)"},
		{"tuxcall", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. tuxcall is allowed)"},
		{"putpmsg", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. putpmsg is allowed)"},
		{"getpmsg", map[Version]int{V252: 80, V257: 79}, "SystemCallFilter=~@obsolete", "(e.g. getpmsg is allowed)"},
		// Another architecture's call: kept by PID 1, skipped by the analyzer.
		{"bdflush", map[Version]int{V252: 80, V257: 78}, "", ""},
		// A deny-list of one name in no 252 group is still a filter.
		{"~usr26", map[Version]int{V252: 96, V257: 94}, "SystemCallFilter=~@clock", "deny list defined for service, and @clock is not included (e.g. adjtimex is allowed)"},
		{"~cachestat", map[Version]int{V252: 96, V257: 94}, "SystemCallFilter=~@clock", "deny list defined for service, and @clock is not included"},
		{"~uselib", map[Version]int{V252: 96, V257: 94}, "SystemCallFilter=~@obsolete", "deny list defined for service, and @obsolete is not included (e.g. _sysctl is allowed)"},
		// Only 257's libseccomp resolves these: 252 ignores the name
		// ("Failed to parse system call, ignoring"), leaving an allow-list
		// of @default, or no filter at all for a deny-list.
		{"mseal", map[Version]int{V252: 80, V257: 78}, "SystemCallFilter=~@clock", "allow list defined for service, and @clock is not included"},
		{"~mseal", map[Version]int{V257: 94}, "SystemCallFilter=~@clock", "deny list defined for service, and @clock is not included (e.g. adjtimex is allowed)"},
		{"~mseal", map[Version]int{V252: 96}, "SystemCallFilter=~@clock", "Service does not filter system calls"},
		{"@system-service listmount", map[Version]int{V252: 82, V257: 80}, "SystemCallFilter=~@clock", "allow list defined for service, and @clock is not included"},
	}
	for _, tc := range tests {
		u, err := directive.Parse(strings.NewReader("[Service]\nExecStart=/bin/true\nSystemCallFilter="+tc.filter+"\n"), "t.service")
		if err != nil {
			t.Fatalf("%s: %v", tc.filter, err)
		}
		s, err := directive.Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			t.Fatalf("%s: %v", tc.filter, err)
		}
		for v, want := range tc.tenths {
			t.Run(tc.filter+"/"+v.String(), func(t *testing.T) {
				r, err := Score(s, Options{Version: v, Offline: true, UnitName: "t.service"})
				if err != nil {
					t.Fatal(err)
				}
				if r.Tenths != want {
					t.Errorf("exposure %d tenths, systemd-analyze %d said %d", r.Tenths, v, want)
				}
				if tc.row == "" {
					return
				}
				found := false
				for _, c := range r.Checks {
					if c.Name != tc.row {
						continue
					}
					found = true
					if !strings.Contains(c.Description, tc.wantDesc) {
						t.Errorf("%s: %q, want it to contain %q", c.Name, c.Description, tc.wantDesc)
					}
				}
				if !found {
					t.Errorf("no %s row", tc.row)
				}
			})
		}
	}
}

// The directive package's per-release name model (which checkSupported
// and IgnoredSyscalls use) and the score tables (which decide what a
// version ignores when scoring) come from the same libseccomps: they must
// agree on every name.
func TestSyscallTablesMatchDirectiveModel(t *testing.T) {
	names := map[string]bool{}
	for _, table := range []*syscallTable{syscalls252(), syscalls257()} {
		for n := range table.resolvable {
			names[n] = true
		}
	}
	for n := range names {
		since, ok := directive.SyscallSince(n)
		if !ok {
			t.Errorf("%s: resolvable in a score table, refused by the parser", n)
			continue
		}
		for _, v := range Versions() {
			sem, err := semanticsOf(v)
			if err != nil {
				t.Fatal(err)
			}
			if want := int(v) >= since; sem.syscalls().resolvable[n] != want {
				t.Errorf("%s: systemd %s table resolvable=%v, directive says since %d", n, v, !want, since)
			}
		}
	}
}

func TestIgnoredSyscalls(t *testing.T) {
	tests := []struct {
		body string
		v    Version
		want []string // one substring per expected line
	}{
		{"SystemCallFilter=mseal\n", V252, []string{`t.service:3: SystemCallFilter=mseal: systemd 252 ignores system call "mseal" ("Failed to parse system call, ignoring: mseal"): only the libseccomp of systemd 257 or newer resolves it`}},
		{"SystemCallFilter=mseal\n", V257, nil},
		{"SystemCallFilter=@system-service listmount\nSystemCallFilter=~getpagesize:EPERM uselib\n", V252, []string{`t.service:3: SystemCallFilter=@system-service listmount: systemd 252 ignores system call "listmount"`, `t.service:4: SystemCallFilter=~getpagesize:EPERM uselib: systemd 252 ignores system call "getpagesize"`}},
		{"SystemCallFilter=@system-service listmount\nSystemCallFilter=~getpagesize:EPERM uselib\n", V257, nil},
		{"SystemCallFilter=@system-service uselib cachestat\n", V252, nil},
	}
	for _, tc := range tests {
		t.Run(tc.body+tc.v.String(), func(t *testing.T) {
			u, err := directive.Parse(strings.NewReader("[Service]\nExecStart=/bin/true\n"+tc.body), "t.service")
			if err != nil {
				t.Fatal(err)
			}
			got := IgnoredSyscalls(u.Service, tc.v)
			if len(got) != len(tc.want) {
				t.Fatalf("got %q, want %d lines", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("line %q lacks %q", got[i], w)
				}
			}
		})
	}
}

func TestCallSet(t *testing.T) {
	tab := syscalls252()
	s := newCallSet(tab)
	if !s.empty() || s.has(tab, "read") {
		t.Fatal("a new set holds calls")
	}
	seen := map[int]string{}
	for name := range tab.resolvable {
		n, ok := tab.number(name)
		if !ok || n < 0 || n >= len(s)*64 {
			t.Fatalf("%s: number %d, %v", name, n, ok)
		}
		if other, dup := seen[n]; dup {
			t.Fatalf("%s and %s share bit %d", name, other, n)
		}
		seen[n] = name
	}
	if _, ok := tab.number("not_a_call"); ok {
		t.Error("a name libseccomp does not resolve has a number")
	}
	for _, name := range []string{"read", "write", "mseal"} { // mseal: only 257 resolves it
		if n, ok := tab.number(name); ok {
			s.put(n, true)
		}
	}
	if !s.has(tab, "read") || !s.has(tab, "write") || s.has(tab, "mseal") || s.has(tab, "openat") || s.empty() {
		t.Errorf("after adding read and write: read %v write %v mseal %v openat %v", s.has(tab, "read"), s.has(tab, "write"), s.has(tab, "mseal"), s.has(tab, "openat"))
	}
	n, _ := tab.number("read")
	s.put(n, false)
	if s.has(tab, "read") || !s.has(tab, "write") {
		t.Error("taking read out")
	}
	n, _ = tab.number("write")
	s.put(n, false)
	if !s.empty() {
		t.Error("every call taken out, the set is not empty")
	}
	if (callSet(nil)).has(nil, "read") || (Filter{}).Denies("read") {
		t.Error("no filter holds or denies a call")
	}
}

// The unit parser's groups are the scorer's: every group of every
// modelled release is accepted, and a release that lacks a group a newer
// one defines is told so by NewerSyscalls, with that newer release.
func TestParserKnowsEveryGroup(t *testing.T) {
	defined := map[Version]map[string]bool{}
	for _, v := range Versions() {
		f, _, err := ResolveFilter([]directive.FilterLine{{Names: []string{"@swap"}}}, v)
		if err != nil {
			t.Fatal(err)
		}
		defined[v] = map[string]bool{"@known": true, "@default": true}
		for _, g := range f.Groups() {
			defined[v][g] = true
		}
	}
	for _, v := range Versions() {
		for g := range defined[v] {
			a, err := directive.ParseAssignment("SystemCallFilter=~"+g, directive.Source{File: "t.service", Line: 1})
			if err != nil {
				t.Errorf("%s of systemd %s: %v", g, v, err)
				continue
			}
			for _, older := range Versions() {
				var got []string
				for _, n := range directive.NewerSyscalls(a, int(older)) {
					if n.Since > int(older) && defined[Version(n.Since)][g] {
						got = append(got, n.Name)
					}
				}
				if lacks := !defined[older][g]; lacks != (len(got) == 1) {
					t.Errorf("%s under systemd %s (which defines it: %v): NewerSyscalls says %v", g, older, !lacks, got)
				}
			}
		}
	}
}
