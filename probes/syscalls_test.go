package probes

import (
	"context"
	"encoding/json"
	"github.com/hardenlab/hardenlab/probes/linux"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestSyscallTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, h := range harmlessCalls() {
		if seen[h.name] {
			t.Errorf("%s: listed twice", h.name)
		}
		seen[h.name] = true
		if _, ok := sysNumber(h.name); !ok {
			t.Errorf("%s: no x86-64 number", h.name)
		}
		if _, ok := notProbed()[h.name]; ok {
			t.Errorf("%s: both probed and not probed", h.name)
		}
		if len(h.args) > 6 {
			t.Errorf("%s: %d arguments, a system call takes at most 6", h.name, len(h.args))
		}
		for i, a := range h.args {
			if _, ok := a.value(); !ok {
				t.Errorf("%s: argument %d is outside the harmless set", h.name, i)
			}
		}
		if h.also != 0 && !slices.Contains(harmlessErrnos(), h.also) {
			t.Errorf("%s: also accepts %s, which is not a harmless answer", h.name, errnoName(h.also))
		}
		if h.want != 0 && !slices.Contains(harmlessErrnos(), h.want) {
			t.Errorf("%s: expects %s, which is not a harmless answer", h.name, errnoName(h.want))
		}
		if h.closeResult && h.want != 0 {
			t.Errorf("%s: closes the result of a call that is expected to fail", h.name)
		}
	}
	for name, why := range notProbed() {
		if _, ok := sysNumber(name); !ok {
			t.Errorf("not probed %s: no x86-64 number", name)
		}
		if len(why) < 20 {
			t.Errorf("not probed %s: reason %q says too little", name, why)
		}
	}
}

// systemdGroupNames reads the x86-64 names of systemd's @groups from the
// harness's generated tables (as data: probes cannot import harness).
func systemdGroupNames(t *testing.T) []string {
	t.Helper()
	quoted := regexp.MustCompile(`"([a-z_][a-z0-9_]*)"`)
	var names []string
	for _, f := range []string{"../harness/score/syscalls_252.go", "../harness/score/syscalls_257.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range quoted.FindAllSubmatch(b, -1) {
			n := string(m[1])
			if _, ok := sysNumber(n); ok && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if len(names) < 300 {
		t.Fatalf("only %d x86-64 names found in systemd's group tables", len(names))
	}
	return names
}

// Every x86-64 call of systemd's groups is either probed or not probed
// with a reason: the harness can ask for any of them.
func TestSyscallTableCoversSystemdGroups(t *testing.T) {
	names := systemdGroupNames(t)
	t.Logf("%d x86-64 names in systemd's groups; %d probed, %d not probed", len(names), len(harmlessCalls()), len(notProbed()))
	for _, n := range names {
		_, probed := findHarmless(n)
		_, skipped := notProbed()[n]
		if !probed && !skipped {
			t.Errorf("%s is in a systemd group but neither probed nor listed as not probed", n)
		}
	}
}

// The control: outside any filter, as root, every probed call gets exactly
// its harmless answer on this machine.
func TestEveryProbedCallGetsItsHarmlessAnswer(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the privileged calls answer EPERM to non-root")
	}
	var names []string
	for _, h := range harmlessCalls() {
		names = append(names, h.name)
	}
	doc, err := RunSyscalls(context.Background(), SyscallOptions{Calls: names, Self: os.Args[0], Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range doc.Calls {
		h, _ := findHarmless(names[i])
		if r.Name != h.name {
			t.Fatalf("result %d is for %s, want %s", i, r.Name, h.name)
		}
		if r.Outcome == CallAllowed {
			continue
		}
		if h.optional != "" && (r.Errno == "ENOSYS" || r.Errno == "EOPNOTSUPP") {
			t.Logf("%s: %s (this kernel lacks %s)", r.Name, r.Errno, h.optional)
			continue
		}
		t.Errorf("%s: %s %s: %s", r.Name, r.Outcome, r.Errno, r.Detail)
	}
	_ = unix.EPERM
}

// runAsNobody runs the syscalls mode over names as uid 65534 holding only
// the ambient capabilities caps.
func runAsNobody(t *testing.T, bin string, caps []uintptr, names []string) SyscallsDocument {
	t.Helper()
	cmd := exec.Command(bin, seccompRun, "syscalls", strings.Join(names, ","))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}, AmbientCaps: caps}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running as nobody with capabilities %v: %v", caps, err)
	}
	var doc SyscallsDocument
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// nobodyCopy copies the test binary where uid 65534 may run it.
func nobodyCopy(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hardenlab-probe-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "probe")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

// capability must name exactly the calls that check a capability before
// their harmless answer, and the right one: as nobody without any
// capability every other call still gets its answer and each marked call
// gets EPERM; given the named capability alone, it gets its answer.
func TestCallCapabilitiesAreRight(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the probe as nobody")
	}
	bin := nobodyCopy(t)
	var names []string
	byCap := map[string][]string{}
	for _, h := range harmlessCalls() {
		names = append(names, h.name)
		if h.capability != "" {
			byCap[h.capability] = append(byCap[h.capability], h.name)
		}
	}
	// marked for the kernels that check a capability first, though
	// this one may not
	privilegedOnOtherKernels := []string{"bpf"}
	doc := runAsNobody(t, bin, nil, names)
	for i, r := range doc.Calls {
		h, _ := findHarmless(names[i])
		switch {
		case h.optional != "" && (r.Errno == "ENOSYS" || r.Errno == "EOPNOTSUPP"):
		case h.capability != "" && r.Errno != "EPERM" && !slices.Contains(privilegedOnOtherKernels, r.Name):
			t.Errorf("%s is marked as needing %s but answers %s %s without any capability", r.Name, h.capability, r.Outcome, r.Errno)
		case h.capability != "" && r.CapabilityHeld:
			t.Errorf("%s: nobody reported holding %s", r.Name, h.capability)
		case h.capability == "" && r.Outcome != CallAllowed:
			t.Errorf("%s answers %s %s without any capability (%s): does it check one?", r.Name, r.Outcome, r.Errno, r.Detail)
		}
	}
	for capName, calls := range byCap {
		num, ok := linux.ParseCapability(capName)
		if !ok {
			t.Fatalf("the table names an unknown capability %s", capName)
		}
		c := uintptr(num)
		for _, r := range runAsNobody(t, bin, []uintptr{c}, calls).Calls {
			h, _ := findHarmless(r.Name)
			if h.optional != "" && (r.Errno == "ENOSYS" || r.Errno == "EOPNOTSUPP") {
				continue
			}
			if r.Outcome != CallAllowed || !r.CapabilityHeld {
				t.Errorf("%s with %s alone: %s %s (held: %v): %s", r.Name, capName, r.Outcome, r.Errno, r.CapabilityHeld, r.Detail)
			}
		}
	}
}

// BenchmarkSyscallChildren compares one child for every call with one
// child for the whole list (which restarts only after a kill).
func BenchmarkSyscallChildren(b *testing.B) {
	var names []string
	for _, h := range harmlessCalls() {
		names = append(names, h.name)
	}
	for _, per := range []int{1, 0} {
		name := "one-per-call"
		if per == 0 {
			name = "batch"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := RunSyscalls(context.Background(), SyscallOptions{Calls: names, Self: os.Args[0], PerChild: per}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
