//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/systemd"
	"github.com/hardenlab/hardenlab/probes"
)

// syscallsUnit runs "hardenlab-probe syscalls --calls CALLS" as a oneshot
// unit with the given directive lines and returns its document.
func syscallsUnit(ctx context.Context, sd *systemd.Client, calls string, lines ...string) probes.SyscallsDocument {
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
	unitOut := filepath.Join(shared.OutDir, name+".json")
	hostOut := filepath.Join(shared.HostOutDir, name+".json")
	var props []sdbus.Property
	for _, p := range s.Properties() {
		if p.Name != "Type" {
			props = append(props, p)
		}
	}
	props = append(props,
		sdbus.PropDescription("hardenlab e2e: system calls under "+strings.Join(lines, " ")),
		sdbus.PropType("oneshot"),
		sdbus.PropExecStart([]string{filepath.Join(shared.BinDir, "hardenlab-probe"), "syscalls", "--calls", calls}, false),
		sdbus.Property{Name: "StandardOutputFile", Value: dbus.MakeVariant(unitOut)},
		sdbus.Property{Name: "StandardError", Value: dbus.MakeVariant("journal")},
	)
	DeferCleanup(func(ctx SpecContext) {
		Expect(sd.Stop(ctx, name)).To(Succeed())
		_ = os.Remove(hostOut)
	})
	Expect(sd.StartTransient(ctx, name, props)).To(Succeed())
	data, err := os.ReadFile(hostOut)
	Expect(err).NotTo(HaveOccurred())
	var doc probes.SyscallsDocument
	Expect(json.Unmarshal(data, &doc)).To(Succeed(), string(data))
	Expect(doc.Calls).To(HaveLen(len(strings.Split(calls, ","))))
	return doc
}

var _ = Describe("a declared system call filter", Label("seccomp"), func() {
	var sd *systemd.Client

	BeforeEach(func(ctx SpecContext) {
		var err error
		sd, err = systemd.Dial(ctx, shared.BusAddress)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(sd.Close)
	})

	DescribeTable("answers each denied call with its action and lets the others reach the kernel",
		func(ctx SpecContext, action string, lines ...string) {
			const calls = "swapon,swapoff,getpid"
			control := syscallsUnit(ctx, sd, calls)
			for _, r := range control.Calls {
				Expect(r.Outcome).To(Equal(probes.CallAllowed), "control: %s: %s", r.Name, r.Detail)
			}
			doc := syscallsUnit(ctx, sd, calls, lines...)
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
})
