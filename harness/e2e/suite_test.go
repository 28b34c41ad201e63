//go:build e2e

// Package e2e holds hardenlab's end-to-end suites. Every spec talks to a
// real systemd: the host's when PID 1 is systemd, otherwise one booted in a
// throwaway systemd-nspawn container. Nothing here fakes D-Bus.
package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

var (
	binDir = flag.String("bin-dir", "", "directory with prebuilt hardenlab and hardenlab-probe (default: build them)")
	repo   string // repository root
	bins   string // directory holding hardenlab and hardenlab-probe
	shared *sandbox.Sandbox
	// runDirsBefore are run directories of live runs that are not the
	// suite's (a developer's other run); CI starts with none.
	runDirsBefore []string
)

func TestE2E(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "hardenlab e2e")
}

var _ = BeforeSuite(func(ctx SpecContext) {
	Expect(os.Geteuid()).To(Equal(0), "the e2e suite needs root: it starts units and containers")
	wd, err := os.Getwd()
	Expect(err).NotTo(HaveOccurred())
	repo = filepath.Clean(filepath.Join(wd, "..", ".."))
	bins = *binDir
	if bins == "" {
		bins = GinkgoT().TempDir()
		build := func(out, pkg string, env ...string) {
			cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bins, out), pkg)
			cmd.Dir = repo
			cmd.Env = append(os.Environ(), env...)
			b, err := cmd.CombinedOutput()
			Expect(err).NotTo(HaveOccurred(), string(b))
		}
		build("hardenlab", "./cmd/hardenlab")
		build("hardenlab-probe", "./cmd/hardenlab-probe", "CGO_ENABLED=0")
	}
	By("cleaning what crashed earlier runs left behind")
	gc := exec.CommandContext(ctx, filepath.Join(bins, "hardenlab"), "gc")
	out, err := gc.CombinedOutput()
	Expect(err).NotTo(HaveOccurred(), string(out))
	runDirsBefore = runDirs()
	shared, err = sandbox.Start(ctx, sandbox.Options{
		Kind:     sandbox.Auto,
		RunID:    "e2e" + randomSuffix(),
		Binaries: map[string]string{"hardenlab-probe": filepath.Join(bins, "hardenlab-probe")},
	})
	Expect(err).NotTo(HaveOccurred())
	AddReportEntry("environment", shared.Env)
}, NodeTimeout(3*time.Minute))

var _ = AfterSuite(func(ctx SpecContext) {
	if shared == nil {
		return
	}
	By("checking that no hardenlab unit is left in the shared sandbox")
	c, err := systemd.Dial(ctx, shared.BusAddress)
	Expect(err).NotTo(HaveOccurred())
	units, err := c.OwnUnits(ctx, systemd.UnitPrefix)
	c.Close()
	Expect(err).NotTo(HaveOccurred())
	Expect(units).To(BeEmpty(), "units left behind")
	Expect(shared.Close(ctx)).To(Succeed())
	By("checking that no container, run directory or hardenlab temp dir remains")
	Expect(sandbox.OrphanContainers()).To(BeEmpty())
	Expect(newRunDirs()).To(BeEmpty(), "run directories left in /run/hardenlab")
	Expect(nspawnProcesses()).To(BeEmpty(), "systemd-nspawn processes left running")
}, NodeTimeout(time.Minute))

func runDirs() []string {
	entries, _ := os.ReadDir("/run/hardenlab")
	names := []string{}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// newRunDirs are run directories that appeared during the suite and are
// not owned by a live process outside it (a developer's own run on the
// same machine).
func newRunDirs() []string {
	var out []string
	for _, d := range runDirs() {
		if contains(runDirsBefore, d) {
			continue
		}
		var o struct {
			PID int `json:"pid"`
		}
		data, _ := os.ReadFile(filepath.Join("/run/hardenlab", d, "owner.json"))
		if json.Unmarshal(data, &o) == nil && o.PID > 0 && o.PID != os.Getpid() {
			if _, err := os.Stat(fmt.Sprintf("/proc/%d", o.PID)); err == nil && !isOurChild(o.PID) {
				continue
			}
		}
		out = append(out, d)
	}
	return out
}

// isOurChild says whether pid's parent is this test process.
func isOurChild(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 1 && f[1] == fmt.Sprint(os.Getpid())
}

// randomSuffix makes run ids unique across suites started in the same
// second.
func randomSuffix() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// nspawnProcesses lists running hardenlab containers that are not those
// of live runs that predate the suite.
func nspawnProcesses() []string {
	out, _ := exec.Command("pgrep", "-af", "systemd-nspawn.*--machine=hardenlab-").Output()
	var procs []string
	for _, l := range splitLines(string(out)) {
		mine := true
		for _, d := range runDirsBefore {
			if strings.Contains(l, "--machine=hardenlab-"+d+" ") {
				mine = false
			}
		}
		if mine {
			procs = append(procs, l)
		}
	}
	return procs
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}
