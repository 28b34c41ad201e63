//go:build parity

package score

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
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
// come out at 9.6 and 4.9. The real corpus (parity_real_test.go) is loaded
// too, and every unit is analyzed in batches of 100 per systemd-analyze run.
// HARDENLAB_PARITY_ONLINE_UNITS sets the number of generated units
// (default 200).

func TestParityOnline252(t *testing.T) {
	requireAnalyze(t)
	checkOnline(t, V252, "/", "bookworm")
}

func TestParityOnline257(t *testing.T) {
	requireAnalyze(t)
	checkOnline(t, V257, trixieRoot(t), "trixie")
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

// onlineUnit is one unit loaded into the container.
type onlineUnit struct {
	file   string // written as /run/systemd/system/FILE
	name   string // analyzed as: FILE, or a template's "@i" instance
	origin string
	text   string
	real   bool // from the real corpus (fails are listed, not fatal)
}

// onlineUnits are the tutorial's units, the generated ones and the real
// corpus of this version (renamed "hl-GROUP-NAME" so that none shadows a
// unit of the booted root).
func onlineUnits(t *testing.T, v Version, root, suite string) []onlineUnit {
	t.Helper()
	var units []onlineUnit
	for _, f := range []string{"p3test.service", "p3test-hardened.service"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "fixtures", f))
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, onlineUnit{file: f, name: f, origin: "fixtures/" + f, text: string(data)})
	}
	seed := uint64(envInt(t, "HARDENLAB_PARITY_SEED", 42))
	for i := range envInt(t, "HARDENLAB_PARITY_ONLINE_UNITS", 200) {
		n := unitgen.Name(i)
		units = append(units, onlineUnit{file: n, name: n, origin: fmt.Sprintf("generated unit seed=%d i=%d", seed, i), text: unitgen.Unit(seed, i)})
	}
	real := prepareReal(t, realCorpus(t, root, suite), t.TempDir(), v, "")
	reportRefused(t, v, real)
	for _, r := range real {
		if r.settings == nil {
			continue
		}
		file := "hl-" + unitNameSafe(r.Source()) + "-" + r.Name
		name := file
		if strings.HasSuffix(file, "@.service") {
			name = strings.TrimSuffix(file, "@.service") + "@i.service"
		}
		units = append(units, onlineUnit{file: file, name: name, origin: r.Origin, text: ownBusName(r.text), real: true})
	}
	return units
}

// busNameLine is a BusName= assignment.
var busNameLine = regexp.MustCompile(`(?m)^([ \t]*BusName[ \t]*=[ \t]*)(\S+)`)

// ownBusName renames the unit's D-Bus name: PID 1 refuses to load a second
// service for a name the booted root's own unit already claims. The name
// plays no part in the score.
func ownBusName(text string) string {
	return busNameLine.ReplaceAllString(text, "${1}${2}.hardenlab")
}

// unitNameSafe keeps the characters a unit name may have.
func unitNameSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(":_.-", r) {
			return r
		}
		return '_'
	}, s)
}

func checkOnline(t *testing.T, v Version, root, suite string) {
	ctx := context.Background()
	units := onlineUnits(t, v, root, suite)
	c := boot(t, root)
	unitDir := fmt.Sprintf("/proc/%d/root/run/systemd/system", c.leader)
	if err := os.MkdirAll(unitDir, 0o755); err != nil {
		t.Fatal(err)
	}
	settings := make([]*directive.Settings, len(units))
	for i, u := range units {
		path := filepath.Join(unitDir, u.file)
		if err := os.WriteFile(path, []byte(u.text), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := directive.SpecifierContext{Unit: u.name, Fragment: "/run/systemd/system/" + u.file, Host: directive.ReadHostFacts(root), Version: int(v)}
		s, err := parseUnitText(u.text, path, ctx)
		if err != nil {
			t.Fatalf("%s: %v", u.origin, err)
		}
		settings[i] = s
	}
	if _, err := c.enter(ctx, nil, "systemctl", "daemon-reload"); err != nil {
		t.Fatal(err)
	}
	const batch = 100
	var mismatched []string
	compared := 0
	for start := 0; start < len(units); start += batch {
		end := min(start+batch, len(units))
		theirs := analyzeOnline(t, c, v, units[start:end])
		for i := start; i < end; i++ {
			u, th := units[i], theirs[i-start]
			if th.checks == nil {
				continue
			}
			compared++
			ours, err := Score(settings[i], Options{Version: v, UnitName: u.name})
			if err != nil {
				t.Fatal(err)
			}
			diffs := Compare(ours.Checks, th.checks)
			if ours.Tenths != th.tenths {
				diffs = append(diffs, Difference{ID: "(overall)", Field: "exposure", Ours: strconv.Itoa(ours.Tenths), Theirs: strconv.Itoa(th.tenths)})
			}
			if len(diffs) > 0 {
				mismatched = append(mismatched, u.origin)
				if len(mismatched) <= 15 {
					t.Errorf("systemd %d online disagrees on %s (%s):\n%s--- unit ---\n%s", v, u.origin, u.name, diffText(diffs), u.text)
				}
			}
			if want, ok := map[string]int{"p3test.service": 96, "p3test-hardened.service": 49}[u.name]; ok && th.tenths != want {
				t.Errorf("%s scores %d online in systemd %d, the tutorial says %d", u.name, th.tenths, v, want)
			}
		}
	}
	t.Logf("systemd %d online: %d units loaded, %d compared, %d mismatches", v, len(units), compared, len(mismatched))
	if len(mismatched) > 0 {
		t.Errorf("%d units score differently online from systemd-analyze %d:\n  %s", len(mismatched), v, strings.Join(mismatched, "\n  "))
	}
}

type onlineAnswer struct {
	checks []Check
	tenths int
}

// analyzeOnline asks the container's systemd-analyze about the units in
// one run per mode; when that fails, one by one. A real unit PID 1 will
// not load is logged and left out; any other failure is fatal.
func analyzeOnline(t *testing.T, c *container, v Version, units []onlineUnit) []onlineAnswer {
	t.Helper()
	ask := func(names []string) ([]onlineAnswer, error) {
		ctx := context.Background()
		args := append([]string{"systemd-analyze", "security", "--no-pager"}, names...)
		jsonOut, err := c.enter(ctx, []string{"SYSTEMD_ANALYZE_DEBUG=1"}, append(args[:3:3], append([]string{"--json=short"}, names...)...)...)
		if err != nil {
			return nil, err
		}
		rows, err := ParseAnalyzeJSON(jsonOut)
		if err != nil {
			return nil, err
		}
		textOut, err := c.enter(ctx, []string{"SYSTEMD_COLORS=0"}, args...)
		if err != nil {
			return nil, err
		}
		overall, err := ParseOverall(textOut)
		if err != nil {
			return nil, err
		}
		if len(rows) != len(names) || len(overall) != len(names) {
			return nil, fmt.Errorf("%d JSON answers and %d overall scores for %d units", len(rows), len(overall), len(names))
		}
		out := make([]onlineAnswer, len(names))
		for i := range names {
			out[i] = onlineAnswer{rows[i], overall[i]}
		}
		return out, nil
	}
	names := make([]string, len(units))
	for i, u := range units {
		names[i] = u.name
	}
	if got, err := ask(names); err == nil {
		return got
	}
	out := make([]onlineAnswer, len(units))
	for i, u := range units {
		got, err := ask([]string{u.name})
		switch {
		case err == nil:
			out[i] = got[0]
		case u.real:
			t.Logf("systemd-analyze %d refuses %s online: %v", v, u.origin, firstLine(err.Error()))
		default:
			t.Fatalf("%s: %v", u.origin, err)
		}
	}
	return out
}
