package run

import (
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/probes"
)

func checksOf(t *testing.T, lines ...string) []syscallCheck {
	t.Helper()
	checks, note := planSyscalls(profileOf(t, lines...).Settings, score.V257, nil)
	if note != "" {
		t.Fatalf("%v: note %q", lines, note)
	}
	return checks
}

func findCheck(checks []syscallCheck, call string) (syscallCheck, bool) {
	i := slices.IndexFunc(checks, func(c syscallCheck) bool { return c.call == call })
	if i < 0 {
		return syscallCheck{}, false
	}
	return checks[i], true
}

// A deny-list is judged by every call of every group it names and every
// call named alone, and by nothing else.
func TestDenyListChecksWhatItNames(t *testing.T) {
	checks := checksOf(t, "SystemCallFilter=~@swap @debug @raw-io bpf:EACCES", "SystemCallErrorNumber=EPERM")
	for _, want := range []syscallCheck{
		{"swapon", "@swap", "EPERM"}, {"swapoff", "@swap", "EPERM"}, {"perf_event_open", "@debug", "EPERM"},
		{"ptrace", "@debug", "EPERM"}, {"ioperm", "@raw-io", "EPERM"}, {"iopl", "@raw-io", "EPERM"}, {"bpf", "bpf", "EACCES"},
	} {
		if got, ok := findCheck(checks, want.call); !ok || got != want {
			t.Errorf("check of %s = %+v (found %v), want %+v", want.call, got, ok, want)
		}
	}
	for _, c := range checks {
		if c.call == "modify_ldt" || strings.HasPrefix(c.call, "s390_") {
			t.Errorf("%s is checked, but the filter does not name it (or it is no x86-64 call)", c.call)
		}
	}
}

// A later allow line takes a call out of the deny-list: it is not judged
// as denied.
func TestDenyListLeavesOutWhatALaterLineAllows(t *testing.T) {
	checks := checksOf(t, "SystemCallFilter=~@swap", "SystemCallFilter=swapon")
	if _, ok := findCheck(checks, "swapon"); ok {
		t.Error("swapon is allowed again by the second line, yet checked as denied")
	}
	if c, ok := findCheck(checks, "swapoff"); !ok || c.action != probes.ActionKill {
		t.Errorf("swapoff: %+v %v, want a kill without SystemCallErrorNumber=", c, ok)
	}
}

// An allow-list is judged by a bounded sample of each group outside it.
func TestAllowListIsJudgedByCallsOutsideIt(t *testing.T) {
	checks := checksOf(t, "SystemCallFilter=@system-service", "SystemCallErrorNumber=EACCES")
	groups := map[string]int{}
	for _, c := range checks {
		groups[c.item]++
		if answer, ok := probes.HarmlessAnswer(c.call); c.action != "EACCES" || !ok || answer == "ENOSYS" {
			t.Errorf("%+v: want EACCES and a call the probe can make, which the kernel implements", c)
		}
		if groups[c.item] > allowListSample {
			t.Errorf("%s: more than %d calls", c.item, allowListSample)
		}
	}
	everyKernel := map[string]bool{}
	for _, c := range checks {
		everyKernel[c.item] = everyKernel[c.item] || probes.KernelFeature(c.call) == ""
	}
	for _, c := range checks {
		if probes.KernelFeature(c.call) != "" && everyKernel[c.item] {
			t.Errorf("%+v: a call some kernels lack is sampled although its group has others", c)
		}
	}
	for _, g := range []string{"@swap", "@debug", "@mount", "@module", "@reboot", "@clock"} {
		if groups[g] == 0 {
			t.Errorf("the allow-list leaves out %s, yet none of its calls is checked: %v", g, groups)
		}
	}
	for _, g := range []string{"@basic-io", "@file-system", "@network-io"} {
		if groups[g] != 0 {
			t.Errorf("%s is inside the allow-list, yet checked", g)
		}
	}
}

func TestNoFilterNoChecks(t *testing.T) {
	if c, note := planSyscalls(profileOf(t, "ProtectSystem=strict").Settings, score.V252, nil); c != nil || note != "" {
		t.Errorf("no filter: %v %q", c, note)
	}
}

func TestControlAsksEveryGroupCall(t *testing.T) {
	ctl, err := controlProfile()
	if err != nil {
		t.Fatal(err)
	}
	pl, err := testSetup(t, Options{}).plan(ctl, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := score.FilterCalls(score.V252)
	if len(pl.probe.controlCalls) != len(all) || !slices.Contains(pl.probe.callArgv, "syscalls") {
		t.Errorf("control: %d calls (want %d), argv %v", len(pl.probe.controlCalls), len(all), pl.probe.callArgv)
	}
	p := profileOf(t, "SystemCallFilter=~@swap @debug")
	pl, err = testSetup(t, Options{}).plan(p, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := pl.probe.callArgv; len(got) != 4 || !strings.HasPrefix(got[3], "swapoff,swapon,") {
		t.Errorf("profile's call argv %v", got)
	}
	cmds, _ := property(pl.probe.props, "ExecStart")
	if n := len(cmds.([]execCommand)); n != 2 {
		t.Errorf("probe unit runs %d commands, want run and syscalls", n)
	}
}

func TestJudgeSyscalls(t *testing.T) {
	checks := []syscallCheck{{"swapon", "@swap", "EPERM"}, {"swapoff", "@swap", "EPERM"}, {"ptrace", "@debug", "EPERM"}}
	allowed := func(n string) probes.CallResult {
		return probes.CallResult{Name: n, Outcome: probes.CallAllowed, Expected: "EFAULT", Errno: "EFAULT"}
	}
	control := []probes.CallResult{allowed("swapon"), allowed("swapoff")}
	profile := []probes.CallResult{
		{Name: "swapon", Outcome: probes.CallBlocked, Errno: "EPERM", Expected: "EFAULT"},
		allowed("swapoff"),
		{Name: "ptrace", Outcome: probes.CallBlocked, Errno: "EPERM"},
	}
	got := judgeSyscalls(checks, control, profile, false)
	want := []string{"enforced", "not-enforced", "error"}
	for i, v := range got {
		if v.Verdict != want[i] || v.ID != "sys.syscall-"+checks[i].call || v.Item != checks[i].item || v.Directives[0] != "SystemCallFilter" {
			t.Errorf("%d: %+v, want verdict %s", i, v, want[i])
		}
	}
	for _, v := range judgeSyscalls(checks, control, profile, true) {
		if v.Verdict != "broke-service" {
			t.Errorf("%s under a broken service: %s", v.ID, v.Verdict)
		}
	}
}
