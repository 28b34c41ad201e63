//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
)

var runIDRE = regexp.MustCompile(`\(run ([0-9a-f]{8})\)`)

// background is a hardenlab process whose progress lines are watched.
type background struct {
	cmd   *exec.Cmd
	runID string
	mu    sync.Mutex
	lines []string
	done  chan error
}

func startHardenlab(args ...string) *background {
	GinkgoHelper()
	cmd := exec.Command(filepath.Join(bins, "hardenlab"), args...)
	cmd.Dir = repo
	stderr, err := cmd.StderrPipe()
	Expect(err).NotTo(HaveOccurred())
	cmd.Stdout = io.Discard
	Expect(cmd.Start()).To(Succeed())
	b := &background{cmd: cmd, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			b.mu.Lock()
			b.lines = append(b.lines, sc.Text())
			if m := runIDRE.FindStringSubmatch(sc.Text()); m != nil && b.runID == "" {
				b.runID = m[1]
			}
			b.mu.Unlock()
			GinkgoWriter.Println(sc.Text())
		}
		b.done <- cmd.Wait()
	}()
	DeferCleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	})
	return b
}

// waitFor blocks until a progress line contains s.
func (b *background) waitFor(s string, timeout time.Duration) {
	GinkgoHelper()
	Eventually(func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, l := range b.lines {
			if strings.Contains(l, s) {
				return true
			}
		}
		return false
	}).WithTimeout(timeout).WithPolling(100*time.Millisecond).Should(BeTrue(), "hardenlab never printed %q", s)
}

func (b *background) exitCode(timeout time.Duration) int {
	GinkgoHelper()
	select {
	case err := <-b.done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		Expect(err).NotTo(HaveOccurred())
		return 0
	case <-time.After(timeout):
		Fail("hardenlab did not exit in time")
		return -1
	}
}

// leftovers lists what a run left on the machine.
func leftovers(runID string) []string {
	var out []string
	if _, err := os.Stat("/run/hardenlab/" + runID); err == nil {
		out = append(out, "run directory /run/hardenlab/"+runID)
	}
	if ps, _ := exec.Command("pgrep", "-f", "--machine=hardenlab-"+runID).Output(); len(strings.TrimSpace(string(ps))) > 0 {
		out = append(out, "container hardenlab-"+runID)
	}
	if mi, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mi), "hardenlab/"+runID) {
		out = append(out, "mounts of run "+runID)
	}
	return out
}

var _ = Describe("faults", Label("faults"), func() {
	DescribeTable("an interrupt mid-matrix stops everything and keeps a partial report",
		func(sig syscall.Signal, wantCode int) {
			out := filepath.Join(GinkgoT().TempDir(), "partial.json")
			b := startHardenlab("matrix", "--mode", "single", "--jobs", "2", "--out", out, "fixtures/p3test-hardened.service")
			b.waitFor("[2/", 3*time.Minute)
			Expect(b.cmd.Process.Signal(sig)).To(Succeed())
			Expect(b.exitCode(2 * time.Minute)).To(Equal(wantCode))
			data, err := os.ReadFile(out)
			Expect(err).NotTo(HaveOccurred(), "no partial report written")
			var m report.Matrix
			Expect(json.Unmarshal(data, &m)).To(Succeed())
			Expect(m.Incomplete).To(BeTrue())
			Expect(len(m.Records)).To(BeNumerically(">=", 2))
			Expect(len(m.Records)).To(BeNumerically("<", 18), "the interrupt did not stop the matrix")
			for _, r := range m.Records {
				// A profile the interrupt cut short would read as broken.
				Expect(r.Incomplete).To(BeFalse(), "profile %s was cut short but kept: %s", r.Profile.Name, r.Error)
			}
			Expect(leftovers(b.runID)).To(BeEmpty())
		},
		Entry("SIGINT", syscall.SIGINT, 130),
		Entry("SIGTERM", syscall.SIGTERM, 143),
	)

	It("cleans up after SIGKILL: the container powers off, gc removes the rest", func(ctx SpecContext) {
		b := startHardenlab("matrix", "--mode", "single", "--jobs", "2", "fixtures/p3test-hardened.service")
		b.waitFor("[1/", 3*time.Minute)
		Expect(b.cmd.Process.Signal(syscall.SIGKILL)).To(Succeed())
		b.exitCode(time.Minute)
		Eventually(func() []string {
			ps, _ := exec.Command("pgrep", "-f", "--machine=hardenlab-"+b.runID).Output()
			return strings.Fields(string(ps))
		}).WithTimeout(time.Minute).Should(BeEmpty(), "the container outlived hardenlab")
		Expect(leftovers(b.runID)).To(ContainElement(ContainSubstring("run directory")), "nothing left to clean: the test proves nothing")
		stdout, stderr, code := hardenlab(ctx, "gc")
		Expect(code).To(Equal(0), stderr)
		Expect(stdout).To(ContainSubstring(b.runID))
		Expect(leftovers(b.runID)).To(BeEmpty())
	}, SpecTimeout(5*time.Minute))

	It("never touches a live run", func(ctx SpecContext) {
		out := filepath.Join(GinkgoT().TempDir(), "live.json")
		b := startHardenlab("matrix", "--mode", "ladder", "--jobs", "1", "--no-probes", "--out", out, "fixtures/p3test-hardened.service")
		b.waitFor("running after", 3*time.Minute)
		stdout, stderr, code := hardenlab(ctx, "gc")
		Expect(code).To(Equal(0), stderr)
		Expect(stdout).NotTo(ContainSubstring(b.runID))
		Expect(b.exitCode(5*time.Minute)).To(Equal(0), "the live run was disturbed")
		data, err := os.ReadFile(out)
		Expect(err).NotTo(HaveOccurred())
		var m report.Matrix
		Expect(json.Unmarshal(data, &m)).To(Succeed())
		Expect(m.Incomplete).To(BeFalse())
		Expect(m.Records).To(HaveLen(17))
	}, SpecTimeout(8*time.Minute))
})

var _ = Describe("faults in one systemd", Label("faults"), func() {
	var runner *run.Runner

	BeforeEach(func(ctx SpecContext) {
		var err error
		runner, err = run.New(ctx, shared, run.Options{RunID: "ft" + randomSuffix(), Timeout: 45 * time.Second, ReadyTimeout: 5 * time.Second})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(runner.Close(ctx)).To(Succeed()) })
	})

	profileFrom := func(name string, lines ...string) run.Profile {
		GinkgoHelper()
		var as []directive.Assignment
		for i, l := range lines {
			a, err := directive.ParseAssignment(l, directive.Source{File: name + ".service", Line: i + 1})
			Expect(err).NotTo(HaveOccurred())
			as = append(as, a)
		}
		s, err := directive.Resolve(as, true)
		Expect(err).NotTo(HaveOccurred())
		return run.Profile{Name: name, Assignments: as, Settings: s}
	}

	It("bounds a service the host cannot reach and does not call it broken", func(ctx SpecContext) {
		start := time.Now()
		rec := runner.Run(ctx, profileFrom("deaf", "ExecStart=/usr/bin/python3 -m http.server", "IPAddressDeny=any"))
		// The outcome is known once the socket listens: not the 30 s
		// readiness timeout.
		Expect(time.Since(start)).To(BeNumerically("<", 15*time.Second))
		Expect(rec.Error).To(BeEmpty())
		Expect(rec.Behavior.Started).To(BeFalse())
		Expect(rec.Behavior.Outcome).To(Equal("unreachable"))
		Expect(rec.Behavior.Error).To(ContainSubstring("listens inside its sandbox"))
		Expect(rec.Probes).NotTo(BeEmpty())
		for _, p := range rec.Probes {
			Expect(p.Verdict).NotTo(Equal("broke-service"), "probe %s", p.ID)
		}
	}, SpecTimeout(2*time.Minute))

	It("reports a service that dies, with the journal's last lines", func(ctx SpecContext) {
		rec := runner.Run(ctx, profileFrom("crash", "ExecStart=/usr/bin/python3 -m http.server", "SystemCallFilter=~@network-io"))
		Expect(rec.Error).To(BeEmpty())
		Expect(rec.Behavior.Started).To(BeFalse())
		Expect(rec.Behavior.ActiveState).To(Or(Equal("failed"), Equal("inactive")))
		Expect(rec.Behavior.JournalTail).NotTo(BeEmpty())
	}, SpecTimeout(2*time.Minute))

	It("runs two runs on the same systemd side by side with separate records", func(ctx SpecContext) {
		other, err := run.New(ctx, shared, run.Options{RunID: "fu" + randomSuffix(), Timeout: 45 * time.Second})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func(ctx SpecContext) { Expect(other.Close(ctx)).To(Succeed()) })
		p := profileFrom("same", "ExecStart=/usr/bin/python3 -m http.server", "PrivateTmp=yes", "ProtectHome=yes")
		var a, b report.Record
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer GinkgoRecover(); defer wg.Done(); a = runner.Run(ctx, p) }()
		go func() { defer GinkgoRecover(); defer wg.Done(); b = other.Run(ctx, p) }()
		wg.Wait()
		for _, r := range []report.Record{a, b} {
			Expect(r.Error).To(BeEmpty())
			Expect(r.Behavior.Started).To(BeTrue())
			Expect(r.Score.Exposure).To(Equal(9.0))
		}
		Expect(a.Unit).NotTo(Equal(b.Unit))
		Expect(a.Behavior.Port).NotTo(Equal(b.Behavior.Port))
		Expect(a.RunID).NotTo(Equal(b.RunID))
	}, SpecTimeout(3*time.Minute))

	It("escapes unit names and never runs anything through a shell", func(ctx SpecContext) {
		pwned := "/tmp/hardenlab-pwned-" + randomSuffix()
		rec := runner.Run(ctx, profileFrom("we ird/ünï;$(touch "+pwned+")",
			"ExecStart=/usr/bin/python3 -m http.server '&& touch "+pwned+"' '`touch "+pwned+"`'",
			"Environment=\"X=$(touch "+pwned+")\" \"Y=`touch "+pwned+"`\"",
		))
		Expect(rec.Error).To(BeEmpty())
		Expect(rec.Behavior.Started).To(BeTrue())
		Expect(rec.Unit).To(MatchRegexp(`^hardenlab-[0-9a-z]+-[A-Za-z0-9:_.\\-]+\.service$`))
		_, err := os.Stat(shared.HostPath(pwned))
		Expect(os.IsNotExist(err)).To(BeTrue(), "something ran a shell")
	}, SpecTimeout(2*time.Minute))
})

var _ = Describe("hostile unit files", Label("faults", "input"), func() {
	DescribeTable("are refused with a clear error and exit 2, before anything starts",
		func(ctx SpecContext, make func(dir string) string, want string) {
			dir := GinkgoT().TempDir()
			path := make(dir)
			before := runDirs()
			_, stderr, code := hardenlab(ctx, "run", path)
			Expect(code).To(Equal(2), stderr)
			Expect(stderr).To(ContainSubstring(want))
			Expect(stderr).NotTo(ContainSubstring("panic"))
			Expect(runDirs()).To(Equal(before))
		},
		Entry("a directory", func(dir string) string { return dir }, "not a regular file"),
		Entry("a symlink loop", func(dir string) string {
			p := filepath.Join(dir, "loop.service")
			Expect(os.Symlink(p, p)).To(Succeed())
			return p
		}, "loop.service"),
		Entry("/dev/zero", func(string) string { return "/dev/zero" }, "/dev/zero"),
		Entry("a NUL byte", func(dir string) string {
			return write(dir, "[Service]\nExecStart=/usr/bin/python3 -m http.server\nUser=ro\x00ot\n")
		}, ":3"),
		Entry("a 1 MB line", func(dir string) string {
			return write(dir, "[Service]\nExecStart=/usr/bin/python3 -m http.server\nEnvironment=A="+strings.Repeat("x", 1<<20)+"\n")
		}, ":3"),
		Entry("a missing ExecStart binary", func(dir string) string {
			return write(dir, "[Service]\nExecStart=/nonexistent/daemon --flag\n")
		}, "nonexistent"),
		Entry("a .. path", func(dir string) string {
			return write(dir, "[Service]\nExecStart=/usr/bin/python3 -m http.server\nReadOnlyPaths=/etc/../root\n")
		}, ":3"),
	)
})

func write(dir, body string) string {
	p := filepath.Join(dir, "hostile.service")
	Expect(os.WriteFile(p, []byte(body), 0o644)).To(Succeed())
	return p
}

var _ = fmt.Sprint
