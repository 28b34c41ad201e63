package run

import (
	"slices"
	"testing"

	"github.com/hardenlab/hardenlab/probes"
)

func TestBypassesRunForTheDirectivesTheyGoAround(t *testing.T) {
	got := declaredBypasses(profileOf(t, "MemoryDenyWriteExecute=yes", "ProtectSystem=strict").Settings)
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
	if got := declaredBypasses(profileOf(t, "PrivateTmp=yes").Settings); len(got) != 0 {
		t.Errorf("PrivateTmp= has no bypass row, got %v", got)
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
