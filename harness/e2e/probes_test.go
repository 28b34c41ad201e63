//go:build e2e

package e2e

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/probes"
)

// expectation is one row of fixtures/expectations/<sandbox>.csv.
type expectation struct {
	profile, probe, directive, verdict, why string
}

// loadExpectations reads the expected verdicts of an environment. It runs
// at tree-construction time, so the table is static data, as Ginkgo wants.
func loadExpectations(env string) []expectation {
	f, err := os.Open(filepath.Join("..", "..", "fixtures", "expectations", env+".csv"))
	if err != nil {
		panic(fmt.Sprintf("reading expectations for %s: %v", env, err))
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		panic(fmt.Sprintf("parsing expectations for %s: %v", env, err))
	}
	var out []expectation
	for _, row := range rows[1:] {
		out = append(out, expectation{row[0], row[1], row[2], row[3], row[4]})
	}
	return out
}

func expectationEntries(env string) []TableEntry {
	var entries []TableEntry
	for _, e := range loadExpectations(env) {
		area, _, _ := strings.Cut(e.probe, ".")
		entries = append(entries, Entry(fmt.Sprintf("%s: %s for %s is %s", e.profile, e.probe, e.directive, e.verdict), Label(area), e))
	}
	return entries
}

// hostState is what no probe may ever change on the machine running the
// suite (the container's own hostname and clock are the host kernel's).
type hostState struct {
	hostname, modules string
	sysctls           map[string]string
	clockOffset       time.Duration // CLOCK_REALTIME - CLOCK_BOOTTIME
	files             map[string]string
}

func snapshotHostState() hostState {
	read := func(p string) string { b, _ := os.ReadFile(p); return strings.TrimSpace(string(b)) }
	s := hostState{hostname: read("/proc/sys/kernel/hostname"), modules: read("/proc/modules"), sysctls: map[string]string{}}
	for _, k := range []string{"kernel/domainname", "kernel/randomize_va_space", "vm/swappiness", "net/ipv4/ip_forward", "kernel/sysrq"} {
		s.sysctls[k] = read("/proc/sys/" + k)
	}
	var rt, bt unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_REALTIME, &rt)
	_ = unix.ClockGettime(unix.CLOCK_BOOTTIME, &bt)
	s.clockOffset = time.Duration(rt.Nano() - bt.Nano())
	// Files the probes touch or could touch if a directive failed: their
	// names, sizes and modification times.
	s.files = map[string]string{}
	for _, dir := range []string{"/etc", "/usr/bin", "/usr/lib", "/var"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if fi, err := e.Info(); err == nil {
				s.files[filepath.Join(dir, e.Name())] = fmt.Sprintf("%d %s %s", fi.Size(), fi.Mode(), fi.ModTime())
			}
		}
	}
	return s
}

var _ = Describe("probes in the embedded sandbox", Label("probes"), Ordered, func() {
	var (
		records     map[string]report.Record
		wantRecords int // the control and every profile run
		before      hostState
	)

	BeforeAll(func(ctx SpecContext) {
		if shared.Env.Sandbox != "nspawn" {
			Skip("the committed expectations are for the nspawn sandbox; this run uses " + string(shared.Env.Sandbox))
		}
		before = snapshotHostState()
		u, err := directive.ParseFile(filepath.Join(repo, "fixtures", "p3test-hardened.service"))
		Expect(err).NotTo(HaveOccurred())
		full, err := profile.FromUnit(u, "p3test-hardened")
		Expect(err).NotTo(HaveOccurred())
		loo, err := profile.Generate(u, "leave-one-out")
		Expect(err).NotTo(HaveOccurred())
		// Every probe under every profile: the "can fail" table needs a
		// probe's raw result in the profile that lacks its directive.
		runner, err := run.New(ctx, shared, run.Options{RunID: "pr" + randomSuffix(), Timeout: time.Minute, AllProbes: true})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(runner.Close(ctx)).To(Succeed()) })
		profiles := append([]run.Profile{full}, loo[2:]...) // loo[0] is the control, loo[1] the full unit
		wantRecords = len(profiles) + 1
		recs := runner.RunAll(ctx, profiles, 3, nil)
		records = map[string]report.Record{"control": *runner.Control()}
		for _, r := range recs {
			records[r.Profile.Name] = r
		}
		AddReportEntry("records", records, ReportEntryVisibilityNever)
	}, NodeTimeout(10*time.Minute))

	It("ran the probes in the service's own sandbox", func() {
		Expect(records).To(HaveLen(wantRecords))
		for name, r := range records {
			Expect(r.ProbeError).To(BeEmpty(), name)
			// Fails when the posture could not be read or was never
			// compared, not only when it differs.
			Expect(run.SharedSandbox(r)).To(Succeed(), name)
		}
	})

	DescribeTable("gives each tutorial directive the expected verdict",
		func(e expectation) {
			r, ok := records[e.profile]
			Expect(ok).To(BeTrue(), "no record for profile %s", e.profile)
			var got *report.ProbeResult
			for i := range r.Probes {
				if r.Probes[i].ID == e.probe {
					got = &r.Probes[i]
				}
			}
			Expect(got).NotTo(BeNil(), "probe %s not reported for %s", e.probe, e.profile)
			Expect(got.Directives).To(ContainElement(e.directive))
			Expect(got.Verdict).To(Equal(e.verdict), got.Detail)
		},
		expectationEntries("nspawn"),
	)

	It("leaves at most 2 tutorial directives inconclusive", func() {
		directives := map[string]bool{}
		inconclusive := map[string]bool{}
		for _, p := range records["p3test-hardened"].Probes {
			for _, d := range p.Directives {
				directives[d] = true
				if p.Verdict == "inconclusive" {
					inconclusive[d] = true
				}
			}
		}
		for d := range inconclusive {
			// A directive is inconclusive only if none of its probes decided.
			for _, p := range records["p3test-hardened"].Probes {
				if p.Verdict != "inconclusive" && contains(p.Directives, d) {
					delete(inconclusive, d)
				}
			}
		}
		Expect(len(directives)).To(BeNumerically(">=", 16), "every tutorial directive gets a verdict")
		Expect(len(inconclusive)).To(BeNumerically("<=", 2), "inconclusive: %v", inconclusive)
	})

	// Only directives whose probe nothing else in the unit also blocks:
	// without ProtectSystem=, /etc stays unwritable for lack of
	// CAP_DAC_OVERRIDE, without ProtectKernelLogs= the bounding set still
	// lacks CAP_SYSLOG, and without ProtectHostname= sethostname() still
	// needs the dropped CAP_SYS_ADMIN — exactly why attribution needs
	// ablation.
	DescribeTable("can fail: without its directive, an enforced probe is not enforced",
		func(directiveName, probe string) {
			with := records["p3test-hardened"]
			without := records["without-"+directiveName]
			ctl := rawResult(records["control"], probe)
			v, _ := probes.Verdict(probes.Evidence{Control: ctl, Profile: rawResult(with, probe)})
			Expect(v).To(Equal(probes.Enforced))
			v, why := probes.Verdict(probes.Evidence{Control: ctl, Profile: rawResult(without, probe)})
			Expect(v).To(Equal(probes.NotEnforced), why)
		},
		Entry(nil, "PrivateTmp", "fs.private-tmp", Label("fs")),
		Entry(nil, "ProtectHome", "fs.protect-home", Label("fs")),
		Entry(nil, "ProtectControlGroups", "kernel.write-cgroup", Label("kernel")),
		Entry(nil, "NoNewPrivileges", "caps.no-new-privs", Label("caps")),
		Entry(nil, "LockPersonality", "sys.personality", Label("sys")),
		Entry(nil, "ProtectKernelTunables", "kernel.write-sysctl", Label("kernel")),
		Entry(nil, "PrivateDevices", "dev.private-dev", Label("dev")),
	)

	It("never changed the host", func() {
		after := snapshotHostState()
		Expect(after.hostname).To(Equal(before.hostname))
		Expect(after.modules).To(Equal(before.modules))
		Expect(after.sysctls).To(Equal(before.sysctls))
		Expect(after.files).To(Equal(before.files))
		skew := after.clockOffset - before.clockOffset
		Expect(skew.Abs()).To(BeNumerically("<", 100*time.Millisecond), "the realtime clock moved against the boot clock")
		for name, r := range records {
			if r.HostCheck != nil {
				Expect(r.HostCheck.Changes).To(BeEmpty(), "%s: the probes changed %v inside the sandbox", name, r.HostCheck.Changes)
			}
		}
	})
})

func rawResult(r report.Record, id string) probes.Result {
	for _, p := range r.ProbeResults {
		if p.ID == id {
			return probes.Result{ID: p.ID, Outcome: probes.Outcome(p.Outcome), Errno: p.Errno, Signal: p.Signal, Detail: p.Detail}
		}
	}
	Fail(fmt.Sprintf("no raw result for %s in %s", id, r.Profile.Name))
	return probes.Result{}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
