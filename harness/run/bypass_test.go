package run

import (
	"slices"
	"testing"

	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

func TestBypassesRunForTheDirectivesTheyGoAround(t *testing.T) {
	got := declaredBypasses(profileOf(t, "MemoryDenyWriteExecute=yes", "ProtectSystem=strict").Settings, score.V257)
	var ids []string
	for _, b := range got {
		ids = append(ids, b.id)
		for _, d := range b.directives {
			if d != "MemoryDenyWriteExecute" && d != "ProtectSystem" {
				t.Errorf("%s names %s, which the profile does not declare", b.id, d)
			}
		}
	}
	if want := []string{"bypass.memfd-exec", "bypass.shm-exec", "bypass.bus-connect"}; !slices.Equal(ids, want) {
		t.Errorf("bypasses %v, want %v", ids, want)
	}
	if got := declaredBypasses(profileOf(t, "PrivateTmp=yes").Settings, score.V257); len(got) != 0 {
		t.Errorf("PrivateTmp= has no bypass row, got %v", got)
	}
}

// A bypass of an item the value allows goes around nothing.
func TestBypassesOfAnAllowedItemDoNotRun(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		id    string
		runs  bool
	}{
		{[]string{"SystemCallFilter=~@swap"}, "bypass.i386-syscall", false},
		{[]string{"SystemCallFilter=~@debug"}, "bypass.i386-syscall", true},
		{[]string{"SystemCallFilter=@system-service"}, "bypass.i386-syscall", true},
		{[]string{"RestrictAddressFamilies=AF_UNIX AF_INET"}, "bypass.bus-connect", false},
		{[]string{"RestrictAddressFamilies=AF_INET"}, "bypass.bus-connect", true},
		{[]string{"RestrictNamespaces=uts"}, "bypass.clone3-namespace", false},
		{[]string{"RestrictNamespaces=yes"}, "bypass.clone3-namespace", true},
	} {
		got := declaredBypasses(profileOf(t, tc.lines...).Settings, score.V257)
		runs := slices.ContainsFunc(got, func(b probeBypass) bool { return b.id == tc.id })
		if runs != tc.runs {
			t.Errorf("%v: %s runs %v, want %v", tc.lines, tc.id, runs, tc.runs)
		}
	}
}

func TestBypassesAreFindingsNotVerdicts(t *testing.T) {
	declared := []probeBypass{{"bypass.memfd-exec", []string{"MemoryDenyWriteExecute"}}, {"bypass.shm-exec", []string{"MemoryDenyWriteExecute"}}}
	control := []probes.Result{{ID: "bypass.memfd-exec", Outcome: probes.Allowed}, {ID: "bypass.shm-exec", Outcome: probes.Allowed}}
	profile := []probes.Result{
		{ID: "bypass.memfd-exec", Outcome: probes.Allowed, Detail: "mapped"},
		{ID: "bypass.shm-exec", Outcome: probes.Blocked, Errno: "EPERM"},
		{ID: "sys.wx-mmap", Outcome: probes.Blocked},
	}
	got := judgeBypasses(declared, control, profile)
	if len(got) != 2 || !got[0].Works || got[1].Works || got[0].Control != "allowed" || got[1].Errno != "EPERM" || got[0].Detail != "mapped" {
		t.Errorf("judgeBypasses = %+v", got)
	}
}
