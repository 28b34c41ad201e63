package score

import (
	"slices"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

func TestResolveFilterSharesTheScorersMerge(t *testing.T) {
	deny := []directive.FilterLine{{Allow: false, Names: []string{"@swap", "@debug"}}, {Allow: true, Names: []string{"ptrace"}}}
	f, ok, err := ResolveFilter(deny, V257)
	if err != nil || !ok || f.AllowList {
		t.Fatalf("deny-list: %v %v %v", ok, err, f.AllowList)
	}
	for call, want := range map[string]bool{"swapon": true, "perf_event_open": true, "ptrace": false, "modify_ldt": false, "read": false} {
		if f.Denies(call) != want {
			t.Errorf("deny-list denies %s = %v, want %v", call, !want, want)
		}
	}
	allow, _, _ := ResolveFilter([]directive.FilterLine{{Allow: true, Names: []string{"@system-service"}}}, V252)
	for call, want := range map[string]bool{"read": false, "getpid": false, "swapon": true, "mount": true} {
		if allow.Denies(call) != want {
			t.Errorf("allow-list denies %s = %v, want %v", call, !want, want)
		}
	}
	if _, ok, err := ResolveFilter(nil, V252); ok || err != nil {
		t.Errorf("no lines: %v %v", ok, err)
	}
	if _, _, err := ResolveFilter(deny, Version(1)); err == nil {
		t.Error("an unmodelled version resolves")
	}
}

func TestFilterMembersAreNativeAndNested(t *testing.T) {
	f, _, _ := ResolveFilter([]directive.FilterLine{{Names: []string{"@swap"}}}, V257)
	if got := f.Members("@swap"); !slices.Equal(got, []string{"swapoff", "swapon"}) {
		t.Errorf("@swap = %v", got)
	}
	priv := f.Members("@privileged")
	if !slices.Contains(priv, "swapon") || !slices.Contains(priv, "chown") {
		t.Errorf("@privileged does not expand its nested groups: %v", priv)
	}
	if slices.ContainsFunc(f.Members("@raw-io"), func(m string) bool { return m == "s390_pci_mmio_read" }) {
		t.Error("a call of another architecture is a member")
	}
	if f.Members("@nonsense") != nil || slices.Contains(f.Groups(), "@known") {
		t.Error("unknown group members or @known listed")
	}
	all, err := FilterCalls(V252)
	if err != nil || len(all) < 300 || !slices.Contains(all, "swapon") || !slices.Contains(all, "getpid") {
		t.Errorf("FilterCalls: %d calls, %v", len(all), err)
	}
}
