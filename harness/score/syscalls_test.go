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
