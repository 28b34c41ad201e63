//go:build e2e

package e2e

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/probes"
)

// PrivateIPC= is the README's worked example of adding a directive: one
// descriptor and one probe row. The probe must see PID 1's IPC namespace
// in the control and a namespace of its own under the directive.
var _ = Describe("PrivateIPC=", Label("probes", "ns"), func() {
	It("gives the service its own IPC namespace, which the probe tells from the control's", func(ctx SpecContext) {
		runner, err := run.New(ctx, shared, run.Options{RunID: "ipc" + randomSuffix(), Timeout: time.Minute})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(runner.Close(ctx)).To(Succeed()) })
		src := directive.Source{File: "private-ipc.service", Line: 1}
		var assigns []directive.Assignment
		for _, l := range []string{"ExecStart=/usr/bin/python3 -m http.server", "PrivateIPC=yes"} {
			a, err := directive.ParseAssignment(l, src)
			Expect(err).NotTo(HaveOccurred())
			assigns = append(assigns, a)
		}
		s, err := directive.Resolve(assigns, true)
		Expect(err).NotTo(HaveOccurred())
		rec := runner.Run(ctx, run.Profile{Name: "private-ipc", Assignments: assigns, Settings: s})
		Expect(rec.Error).To(BeEmpty())
		Expect(rec.Readback).To(BeEmpty())
		ctl := rawResult(*runner.Control(), "ns.private-ipc")
		Expect(ctl.Outcome).To(Equal(probes.Allowed), ctl.Detail)
		v, why := probes.Verdict(probes.Evidence{Control: ctl, Profile: rawResult(rec, "ns.private-ipc")})
		Expect(v).To(Equal(probes.Enforced), why)
	})
})
