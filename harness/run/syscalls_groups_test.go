package run

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
)

// Every group ProbeNeeds lists is a group of every modelled systemd, with
// a reason, and with no call the probe could be judged by alone: the
// table names groups, each proven by the e2e suite to stop the probe.
func TestProbeNeedsNamesGroupsOfEveryVersion(t *testing.T) {
	for _, v := range score.Versions() {
		f, _, err := score.ResolveFilter([]directive.FilterLine{{Names: []string{"@swap"}}}, v)
		if err != nil {
			t.Fatal(err)
		}
		for g, why := range ProbeNeeds() {
			if len(f.Members(g)) == 0 {
				t.Errorf("systemd %s has no group %s", v, g)
			}
			if strings.TrimSpace(why) == "" {
				t.Errorf("%s: no reason", g)
			}
		}
	}
}

// A filter that denies a group the probe needs gets no per-call check,
// and a note naming the group; a group the probe does not need is judged.
func TestPlanSyscallsNamesTheGroupThatStopsTheProbe(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		stops string // "" = checked per call
	}{
		{[]string{"SystemCallFilter=~@process", "SystemCallErrorNumber=EPERM"}, "@process"},
		{[]string{"SystemCallFilter=~@swap @signal"}, "@signal"},
		{[]string{"SystemCallFilter=~@system-service"}, "@basic-io"},
		{[]string{"SystemCallFilter=~@known", "SystemCallErrorNumber=EPERM"}, "@known"}, // systemd still keeps execve, exit...
		{[]string{"SystemCallFilter=@swap"}, "@basic-io"},                               // an allow-list keeps @default, not @basic-io
		{[]string{"SystemCallFilter=~@swap @timer"}, ""},
		{[]string{"SystemCallFilter=@system-service"}, ""},
		{[]string{"SystemCallFilter=~clone"}, ""}, // a call alone is judged, not the group
	} {
		for _, v := range score.Versions() {
			checks, note := planSyscalls(profileOf(t, tc.lines...).Settings, v, nil)
			switch {
			case tc.stops == "" && (note != "" || len(checks) == 0):
				t.Errorf("%s %v: checks %d, note %q; want checks, no note", v, tc.lines, len(checks), note)
			case tc.stops != "" && (len(checks) != 0 || !strings.Contains(note, tc.stops+", which hardenlab-probe needs")):
				t.Errorf("%s %v: checks %d, note %q; want none, and a note naming %s", v, tc.lines, len(checks), note, tc.stops)
			}
		}
	}
}
