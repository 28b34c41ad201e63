//go:build parity

package score

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score/internal/unitgen"
)

// Online parity: the units are loaded by a real PID 1 (a throwaway
// systemd-nspawn container booted from the host root for 252 and from the
// trixie root for 257) and `systemd-analyze security UNIT` reads them over
// D-Bus; our online scores must match row by row. The tutorial units must
// come out at 9.6 and 4.9. HARDENLAB_PARITY_ONLINE_UNITS sets the number of
// generated units (default 200).

func TestParityOnline252(t *testing.T) {
	requireAnalyze(t)
	checkOnline(t, V252, "/")
}

func TestParityOnline257(t *testing.T) {
	requireAnalyze(t)
	checkOnline(t, V257, trixieRoot(t))
}

type container struct {
	cmd    *exec.Cmd
	leader int
}

// enter runs a command in all of the container's namespaces.
func (c *container) enter(ctx context.Context, env []string, args ...string) ([]byte, error) {
	argv := append([]string{"-t", strconv.Itoa(c.leader), "-m", "-u", "-i", "-n", "-p", "--", "env"}, env...)
	cmd := exec.CommandContext(ctx, "nsenter", append(argv, args...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// Output too: is-system-running says "degraded" with status 1.
		return out, fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// boot starts a throwaway systemd in root, as permissive as the project's
// sandbox, and stops it when the test ends.
func boot(t *testing.T, root string) *container {
	t.Helper()
	if _, err := exec.LookPath("systemd-nspawn"); err != nil {
		t.Skip("systemd-nspawn not installed")
	}
	name := fmt.Sprintf("hl-score-parity-%d", os.Getpid())
	cmd := exec.Command("systemd-nspawn", "--quiet", "--volatile=yes", "-D", root, "-b", "--machine="+name,
		"--register=no", "--keep-unit", "--capability=all",
		"--system-call-filter=@clock @module @raw-io @swap @obsolete @reboot @cpu-emulation @debug @privileged @mount @resources",
		"--", "systemd.firstboot=off")
	cmd.Env = append(os.Environ(), "SYSTEMD_NSPAWN_API_VFS_WRITABLE=1")
	console, err := os.Create(filepath.Join(t.TempDir(), "console"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = console, console
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting systemd-nspawn: %v", err)
	}
	c := &container{cmd: cmd}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	// Generous: the machine may be busy; a boot normally takes about a second.
	deadline := time.Now().Add(120 * time.Second)
	for c.leader == 0 && time.Now().Before(deadline) {
		children, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid))
		for _, f := range strings.Fields(string(children)) {
			comm, _ := os.ReadFile("/proc/" + f + "/comm")
			if strings.TrimSpace(string(comm)) == "systemd" {
				c.leader, _ = strconv.Atoi(f)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if c.leader == 0 {
		t.Fatal("container's systemd did not appear")
	}
	for time.Now().Before(deadline) {
		out, _ := c.enter(context.Background(), nil, "systemctl", "is-system-running")
		// PID 1 answers (and loads units) from "starting" on; a slow
		// boot job such as a network-online wait need not finish.
		switch strings.TrimSpace(string(out)) {
		case "starting", "running", "degraded":
			return c
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("container's systemd did not start up")
	return nil
}

func checkOnline(t *testing.T, v Version, root string) {
	ctx := context.Background()
	c := boot(t, root)
	unitDir := fmt.Sprintf("/proc/%d/root/run/systemd/system", c.leader)
	if err := os.MkdirAll(unitDir, 0o755); err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	for _, f := range []string{"p3test.service", "p3test-hardened.service"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", f))
		if err != nil {
			t.Fatal(err)
		}
		texts[f] = string(data)
	}
	for i := range envInt(t, "HARDENLAB_PARITY_ONLINE_UNITS", 200) {
		texts[unitgen.Name(i)] = unitgen.Unit(uint64(envInt(t, "HARDENLAB_PARITY_SEED", 42)), i)
	}
	var names []string
	settings := map[string]*directive.Settings{}
	for name, text := range texts {
		u, err := directive.Parse(strings.NewReader(text), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s, err := directive.Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(unitDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
		settings[name] = s
	}
	if _, err := c.enter(ctx, nil, "systemctl", "daemon-reload"); err != nil {
		t.Fatal(err)
	}
	mismatches := 0
	for _, name := range names {
		jsonOut, err := c.enter(ctx, []string{"SYSTEMD_ANALYZE_DEBUG=1"}, "systemd-analyze", "security", "--json=short", name)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := ParseAnalyzeJSON(jsonOut)
		if err != nil || len(theirs) != 1 {
			t.Fatalf("%s: %v (%d units)", name, err, len(theirs))
		}
		textOut, err := c.enter(ctx, nil, "systemd-analyze", "security", name)
		if err != nil {
			t.Fatal(err)
		}
		overall, err := parseOverall(textOut)
		if err != nil || len(overall) != 1 {
			t.Fatalf("%s: overall: %v %v", name, overall, err)
		}
		ours, err := Score(settings[name], Options{Version: v, UnitName: name})
		if err != nil {
			t.Fatal(err)
		}
		diffs := Compare(ours.Checks, theirs[0])
		if ours.Tenths != overall[0] {
			diffs = append(diffs, Difference{ID: "(overall)", Field: "exposure", Ours: strconv.Itoa(ours.Tenths), Theirs: strconv.Itoa(overall[0])})
		}
		if len(diffs) > 0 {
			mismatches++
			t.Errorf("systemd %d online disagrees on %s: %v\n%s", v, name, diffs, texts[name])
		}
		if want, ok := map[string]int{"p3test.service": 96, "p3test-hardened.service": 49}[name]; ok && overall[0] != want {
			t.Errorf("%s scores %d online in systemd %d, the tutorial says %d", name, overall[0], v, want)
		}
	}
	t.Logf("systemd %d online: %d units compared, %d mismatches", v, len(names), mismatches)
}
