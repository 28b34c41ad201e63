//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
	"github.com/hardenlab/hardenlab/probes"
)

// probeUnit runs hardenlab-probe with args as a oneshot unit with the
// given directive lines and returns what it printed.
func probeUnit(ctx context.Context, sb *sandbox.Sandbox, sd *systemd.Client, args []string, lines ...string) []byte {
	GinkgoHelper()
	data, err := startProbeUnit(ctx, sb, sd, args, lines...)
	Expect(err).NotTo(HaveOccurred())
	return data
}

// startProbeUnit is probeUnit for a unit that may fail: its error says
// how the unit ended when its start job failed.
func startProbeUnit(ctx context.Context, sb *sandbox.Sandbox, sd *systemd.Client, args []string, lines ...string) ([]byte, error) {
	GinkgoHelper()
	var assigns []directive.Assignment
	for i, l := range lines {
		a, err := directive.ParseAssignment(l, directive.Source{File: "seccomp.service", Line: i + 1})
		Expect(err).NotTo(HaveOccurred())
		assigns = append(assigns, a)
	}
	s, err := directive.Resolve(assigns, true)
	Expect(err).NotTo(HaveOccurred())
	name := systemd.UnitPrefix + "seccomp-" + randomSuffix() + ".service"
	unitOut := filepath.Join(sb.OutDir, name+".json")
	hostOut := filepath.Join(sb.HostOutDir, name+".json")
	var props []sdbus.Property
	for _, p := range s.Properties() {
		if p.Name != "Type" {
			props = append(props, p)
		}
	}
	props = append(props,
		sdbus.PropDescription("hardenlab e2e: system calls under "+strings.Join(lines, " ")),
		sdbus.PropType("oneshot"),
		sdbus.PropExecStart(append([]string{filepath.Join(sb.BinDir, "hardenlab-probe")}, args...), false),
		sdbus.Property{Name: "StandardOutputFile", Value: dbus.MakeVariant(unitOut)},
		sdbus.Property{Name: "StandardError", Value: dbus.MakeVariant("journal")},
	)
	DeferCleanup(func(ctx SpecContext) {
		Expect(sd.Stop(ctx, name)).To(Succeed())
		_ = os.Remove(hostOut)
	})
	if err := sd.StartTransient(ctx, name, props); err != nil {
		st, serr := sd.State(ctx, name)
		Expect(serr).NotTo(HaveOccurred())
		return nil, fmt.Errorf("%w (result %s, exit code %d status %d)", err, st.Result, st.ExecMainCode, st.ExecMainStatus)
	}
	return os.ReadFile(hostOut)
}

// syscallsUnit runs "hardenlab-probe syscalls --calls CALLS" in a unit.
func syscallsUnit(ctx context.Context, sb *sandbox.Sandbox, sd *systemd.Client, calls string, lines ...string) probes.SyscallsDocument {
	GinkgoHelper()
	data := probeUnit(ctx, sb, sd, []string{"syscalls", "--calls", calls}, lines...)
	var doc probes.SyscallsDocument
	Expect(json.Unmarshal(data, &doc)).To(Succeed(), string(data))
	Expect(doc.Calls).To(HaveLen(len(strings.Split(calls, ","))))
	return doc
}

// seccompSpecs declares the specs against the systemd that env()
// returns once the specs run.
func seccompSpecs(env func() *sandbox.Sandbox) {
	var (
		sb *sandbox.Sandbox
		sd *systemd.Client
	)

	BeforeEach(func(ctx SpecContext) {
		sb = env()
		var err error
		sd, err = systemd.Dial(ctx, sb.BusAddress)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(sd.Close)
	})

	DescribeTable("answers each denied call with its action and lets the others reach the kernel",
		func(ctx SpecContext, action string, lines ...string) {
			const calls = "swapon,swapoff,getpid"
			control := syscallsUnit(ctx, sb, sd, calls)
			for _, r := range control.Calls {
				Expect(r.Outcome).To(Equal(probes.CallAllowed), "control: %s: %s", r.Name, r.Detail)
			}
			doc := syscallsUnit(ctx, sb, sd, calls, lines...)
			for i, r := range doc.Calls {
				denied := r.Name != "getpid"
				switch {
				case !denied:
					Expect(r.Outcome).To(Equal(probes.CallAllowed), "%s: %s", r.Name, r.Detail)
				case action == probes.ActionKill:
					Expect(r.Outcome).To(Equal(probes.CallKilled), "%s: %s", r.Name, r.Detail)
				default:
					Expect(r.Outcome).To(Equal(probes.CallBlocked), "%s: %s", r.Name, r.Detail)
					Expect(r.Errno).To(Equal(action), r.Name)
				}
				v, why := probes.CallVerdict(control.Calls[i], r, denied, action)
				Expect(v).To(Equal(probes.Enforced), "%s: %s", r.Name, why)
			}
		},
		Entry("SystemCallErrorNumber=EPERM", SpecTimeout(time.Minute), "EPERM", "SystemCallFilter=~@swap", "SystemCallErrorNumber=EPERM"),
		Entry("SystemCallErrorNumber=EACCES", SpecTimeout(time.Minute), "EACCES", "SystemCallFilter=~@swap", "SystemCallErrorNumber=EACCES"),
		Entry("the kill action", SpecTimeout(time.Minute), probes.ActionKill, "SystemCallFilter=~@swap"),
	)

	groupSpecs(func() (*sandbox.Sandbox, *systemd.Client) { return sb, sd })

	// What a compromised service could still do around a directive that
	// holds: each bypass probe is open without hardening, and under the
	// directive it goes around it stays open unless systemd closes it too.
	DescribeTable("bypass findings",
		func(ctx SpecContext, id string, want probes.Outcome, lines ...string) {
			run := func(lines ...string) probes.Result {
				GinkgoHelper()
				data := probeUnit(ctx, sb, sd, []string{"run", "--only", id, "--skip-preflight", "--skip-destructive-check"}, lines...)
				var doc probes.Document
				Expect(json.Unmarshal(data, &doc)).To(Succeed(), string(data))
				Expect(doc.Results).To(HaveLen(1))
				return doc.Results[0]
			}
			ctl := run()
			Expect(ctl.Outcome).To(Equal(probes.Allowed), "control: %s", ctl.Detail)
			got := run(lines...)
			AddReportEntry(id, got)
			Expect(got.Outcome).To(Equal(want), "%s %s: %s", got.Errno, got.Signal, got.Detail)
		},
		Entry("executable memfd mapping under MemoryDenyWriteExecute=", SpecTimeout(time.Minute), "bypass.memfd-exec", probes.Allowed, "MemoryDenyWriteExecute=yes"),
		Entry("executable /dev/shm mapping under MemoryDenyWriteExecute=", SpecTimeout(time.Minute), "bypass.shm-exec", probes.Allowed, "MemoryDenyWriteExecute=yes"),
		Entry("READ_IMPLIES_EXEC under LockPersonality= (closed)", SpecTimeout(time.Minute), "bypass.read-implies-exec", probes.Blocked, "LockPersonality=yes"),
		Entry("clone3 under RestrictNamespaces= (closed: ENOSYS)", SpecTimeout(time.Minute), "bypass.clone3-namespace", probes.Blocked, "RestrictNamespaces=yes"),
		Entry("the i386 ABI under a deny-list (closed: systemd filters every ABI it knows)", SpecTimeout(time.Minute), "bypass.i386-syscall", probes.Blocked, "SystemCallFilter=~@debug"),
		Entry("the system bus under ProtectSystem=strict", SpecTimeout(time.Minute), "bypass.bus-connect", probes.Allowed, "ProtectSystem=strict"),
		Entry("ptrace of its own child without capabilities", SpecTimeout(time.Minute), "bypass.ptrace-child", probes.Allowed, "CapabilityBoundingSet=", "ProtectProc=invisible"),
	)
}

var _ = Describe("a declared system call filter", Label("seccomp"), func() {
	bySystemdVersion("sc", seccompSpecs)
})
