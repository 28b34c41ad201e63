//go:build e2e

package e2e

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
)

// The filter units of these specs, as hardenlab run takes them.
var filterUnits = []string{
	"harness/e2e/testdata/seccomp/deny.service",  // ~@swap @debug @raw-io, EPERM
	"harness/e2e/testdata/seccomp/allow.service", // @system-service, EACCES
	"harness/e2e/testdata/seccomp/kill.service",  // a deny-list without errno: SIGSYS
	"harness/e2e/testdata/seccomp/swap.service",  // ~@swap: only the per-call probes evidence it
}

// callVerdicts are a record's per-call verdicts of SystemCallFilter=.
func callVerdicts(r report.Record) []report.ProbeResult {
	var out []report.ProbeResult
	for _, p := range r.Probes {
		if strings.HasPrefix(p.ID, run.SyscallProbePrefix) {
			out = append(out, p)
		}
	}
	return out
}

// judgedByTheFilter checks what every per-call verdict of a filter must
// be: enforced, with the declared errno (or SIGSYS) under the profile,
// when the control let the call through. When the environment answered
// the control itself (the nspawn container filters keyring, landlock,
// pkey_* and the newest calls with EPERM; a kernel without modules or
// iopl answers ENOSYS), the verdict is enforced only where the profile
// got the declared action, which differs from the control's answer, and
// inconclusive otherwise.
func judgedByTheFilter(r report.Record, action string) {
	GinkgoHelper()
	vs := callVerdicts(r)
	Expect(vs).NotTo(BeEmpty(), "%s: no per-call verdict", r.Profile.Name)
	for _, v := range vs {
		Expect(v.Directives).To(Equal([]string{"SystemCallFilter"}))
		Expect(v.Item).NotTo(BeEmpty(), v.ID)
		if v.Control != "allowed" {
			Expect(v.Verdict).To(BeElementOf("inconclusive", "enforced"), "%s (%s): %s", v.ID, v.Item, v.Detail)
			if v.Verdict == "inconclusive" {
				continue
			}
			Expect(v.Detail).To(ContainSubstring("which only the filter gives"), v.ID)
		}
		Expect(v.Verdict).To(Equal("enforced"), "%s (%s): %s", v.ID, v.Item, v.Detail)
		if action == "kill" {
			Expect(v.Outcome).To(Equal("killed"), v.ID)
		} else {
			Expect(v.Errno).To(Equal(action), v.ID)
		}
	}
}

// groupsEnforced are the items with at least one enforced call.
func groupsEnforced(r report.Record) []string {
	var out []string
	for _, v := range callVerdicts(r) {
		if v.Verdict == "enforced" && !slices.Contains(out, v.Item) {
			out = append(out, v.Item)
		}
	}
	return out
}

func hasBypass(r report.Record, id string) bool {
	return slices.ContainsFunc(r.Bypasses, func(b report.Bypass) bool { return b.ID == id })
}

// filterSpecs checks the records of filterUnits, in that order.
func filterSpecs(records func() []report.Record) {
	It("judges a deny-list by every call of the groups it names, with its errno", func() {
		deny := records()[0]
		judgedByTheFilter(deny, "EPERM")
		Expect(groupsEnforced(deny)).To(ContainElements("@swap", "@debug"))
		for _, v := range callVerdicts(deny) {
			Expect(v.Item).To(BeElementOf("@swap", "@debug", "@raw-io"), v.ID)
		}
	})

	It("gives a deny-list no verdict about a group it does not name", func() {
		for _, p := range records()[0].Probes {
			Expect(p.Item).NotTo(Equal("@cpu-emulation"), p.ID)
			Expect(p.ID).NotTo(BeElementOf("sys.filter-cpu-emulation", "sys.syscall-modify_ldt"))
			Expect(p.Verdict).NotTo(Equal("not-enforced"), "%s: %s", p.ID, p.Detail)
		}
	})

	It("judges an allow-list by calls outside it, checking EACCES as EACCES", func() {
		allow := records()[1]
		judgedByTheFilter(allow, "EACCES")
		Expect(groupsEnforced(allow)).To(ContainElements("@swap", "@debug", "@mount", "@clock", "@reboot", "@cpu-emulation"))
		for _, v := range callVerdicts(allow) {
			// Groups inside @system-service are allowed: never judged as denied.
			Expect(v.Item).NotTo(BeElementOf("@basic-io", "@file-system", "@network-io", "@process", "@signal", "@io-event"), v.ID)
		}
	})

	It("judges a filter without SystemCallErrorNumber= by the SIGSYS it declares", func() {
		kill := records()[2]
		judgedByTheFilter(kill, "kill")
		Expect(groupsEnforced(kill)).To(ContainElements("@swap", "@mount", "@clock", "@privileged", "@resources", "@cpu-emulation"))
	})

	It("proves the shared sandbox of a profile whose only probes are system calls", func() {
		swap := records()[3]
		Expect(swap.ProbeResults).To(BeEmpty(), "no probe but the per-call ones evidences ~@swap")
		judgedByTheFilter(swap, "EPERM")
		Expect(swap.SandboxCompared).To(BeTrue(), "%s %s", swap.SandboxDiffNote, swap.SandboxError)
		Expect(run.SharedSandbox(swap)).To(Succeed())
	})

	It("runs the i386 bypass only when the filter denies the call it reaches", func() {
		Expect(hasBypass(records()[0], "bypass.i386-syscall")).To(BeTrue(), "the deny-list denies perf_event_open")
		Expect(hasBypass(records()[2], "bypass.i386-syscall")).To(BeFalse(), "the kill unit never denies perf_event_open")
	})
}

// runFilterUnits runs filterUnits with hardenlab run and the extra flags.
func runFilterUnits(ctx SpecContext, flags ...string) []report.Record {
	GinkgoHelper()
	var records []report.Record
	stdout, stderr, code := hardenlab(ctx, append(append([]string{"run", "--json"}, flags...), filterUnits...)...)
	Expect(code).To(Equal(0), stderr)
	Expect(json.Unmarshal([]byte(stdout), &records)).To(Succeed(), stdout)
	Expect(records).To(HaveLen(len(filterUnits)))
	for _, r := range records {
		Expect(r.Error).To(BeEmpty(), r.Profile.Name)
		Expect(r.ProbeError).To(BeEmpty(), r.Profile.Name)
		Expect(r.Behavior.Started).To(BeTrue(), r.Profile.Name)
	}
	AddReportEntry("records", records, ReportEntryVisibilityNever)
	return records
}

var _ = Describe("hardenlab run judges each declared filter against itself", Label("seccomp", "seccomp-run"), func() {
	Describe("in the host root (systemd 252)", Ordered, func() {
		var records []report.Record
		BeforeAll(func(ctx SpecContext) { records = runFilterUnits(ctx) }, NodeTimeout(5*time.Minute))
		filterSpecs(func() []report.Record { return records })
	})

	// The same specs under systemd 257, whose groups differ (the filter
	// is resolved with its own tables), in the cached debian:trixie root.
	Describe("under debian:trixie (systemd 257)", Ordered, func() {
		var records []report.Record
		BeforeAll(func(ctx SpecContext) {
			records = runFilterUnits(ctx, "--root", trixieRoot())
			Expect(records[0].Environment.SystemdVersion).To(HavePrefix("257"))
		}, NodeTimeout(5*time.Minute))
		filterSpecs(func() []report.Record { return records })
	})
})
