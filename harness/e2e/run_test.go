//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
)

// hardenlab runs the CLI as a user would and returns stdout, stderr and
// the exit status.
func hardenlab(ctx SpecContext, args ...string) (string, string, int) {
	cmd := exec.CommandContext(ctx, filepath.Join(bins, "hardenlab"), args...)
	cmd.Dir = repo
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		Fail("running hardenlab: " + err.Error())
	}
	return out.String(), errb.String(), code
}

var _ = Describe("hardenlab run on the tutorial's units", Label("run"), Ordered, func() {
	var records []report.Record

	BeforeAll(func(ctx SpecContext) {
		stdout, stderr, code := hardenlab(ctx, "run", "--json",
			"fixtures/p3test.service", "fixtures/p3test-hardened.service")
		Expect(code).To(Equal(0), stderr)
		Expect(json.Unmarshal([]byte(stdout), &records)).To(Succeed(), stdout)
		Expect(records).To(HaveLen(2))
		AddReportEntry("records", records, ReportEntryVisibilityNever)
	}, NodeTimeout(5*time.Minute))

	DescribeTable("records the tutorial's score and what the service exposes",
		func(i int, name string, exposure float64, level string) {
			r := records[i]
			Expect(r.Profile.Name).To(Equal(name))
			Expect(r.Error).To(BeEmpty())
			Expect(r.Score.Error).To(BeEmpty())
			Expect(r.Score.Exposure).To(Equal(exposure))
			Expect(r.Score.Level).To(Equal(level))
			Expect(r.Environment.SystemdVersion).NotTo(BeEmpty())
			Expect(r.Behavior.Started).To(BeTrue())
			Expect(r.Behavior.HTTPStatus).To(Equal(200))
			// The tutorial's unit has no WorkingDirectory, so http.server
			// serves / — hardened or not, /etc/shadow goes out.
			Expect(r.Behavior.ExposedPaths).To(ContainElement("/etc/shadow"))
			Expect(r.Readback).To(BeEmpty(), "directives systemd stored differently than meant")
			Expect(r.Score.Source).To(Equal("systemd-analyze"), "a run's unit file is scored by systemd-analyze itself")
			Expect(r.Score.Ours).NotTo(BeNil())
			Expect(r.Score.Disagreements).To(BeEmpty(), "hardenlab's scorer disagrees with systemd-analyze")
		},
		Entry("baseline", 0, "p3test", 9.6, "UNSAFE"),
		Entry("hardened", 1, "p3test-hardened", 4.9, "OK"),
	)

	It("shows what the hardening hides: the home and /tmp markers", func() {
		Expect(records[0].Behavior.ExposedPaths).To(ContainElements(
			HavePrefix("/root/hardenlab-marker-"), HavePrefix("/tmp/hardenlab-marker-")))
		Expect(records[1].Behavior.ExposedPaths).NotTo(ContainElement(HavePrefix("/root/hardenlab-marker-")))
		Expect(records[1].Behavior.ExposedPaths).NotTo(ContainElement(HavePrefix("/tmp/hardenlab-marker-")))
	})
})

var _ = Describe("hardenlab run with a bad unit file", Label("run", "input"), func() {
	DescribeTable("fails before anything starts, naming file:line and the directive",
		func(ctx SpecContext, body, wantLine, wantDirective string) {
			dir := GinkgoT().TempDir()
			path := filepath.Join(dir, "bad.service")
			Expect(os.WriteFile(path, []byte(body), 0o644)).To(Succeed())
			before, _ := os.ReadDir("/run/hardenlab")
			_, stderr, code := hardenlab(ctx, "run", path)
			Expect(code).To(Equal(2), stderr)
			Expect(stderr).To(ContainSubstring(path + ":" + wantLine))
			Expect(stderr).To(ContainSubstring(wantDirective))
			Expect(stderr).To(ContainSubstring("nothing was started"))
			after, _ := os.ReadDir("/run/hardenlab")
			Expect(len(after)).To(Equal(len(before)), "a sandbox was prepared for an invalid unit")
		},
		Entry("unknown directive", "[Service]\nExecStart=/usr/bin/python3 -m http.server\nProtectEverything=yes\n", "3", "ProtectEverything"),
		Entry("unknown capability", "[Service]\nExecStart=/usr/bin/python3 -m http.server\n\nCapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_FLY\n", "4", "CapabilityBoundingSet"),
		Entry("bad CIDR", "[Service]\nIPAddressAllow=192.168.1.0/33\nExecStart=/usr/bin/python3 -m http.server\n", "2", "IPAddressAllow"),
		Entry("unknown syscall group", "[Service]\nExecStart=/usr/bin/python3 -m http.server\nSystemCallFilter=@nonsense\n", "3", "SystemCallFilter"),
		Entry("bad boolean", "[Service]\nExecStart=/usr/bin/python3 -m http.server\nPrivateTmp=perhaps\n", "3", "PrivateTmp"),
	)
})
