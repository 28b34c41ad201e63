// Package bench measures hardenlab against the naive way of doing a part of
// its job — a shell loop of systemd-run, wait for HTTP, systemd-analyze
// security and systemctl stop per profile — on the same profiles, in the
// same systemd, in one run.
package bench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/systemd"
)

// NaiveResult is the loop's own timing of each profile.
type NaiveResult struct {
	Profile  string  `json:"profile"`
	Millis   float64 `json:"ms"`
	Exposure string  `json:"exposure"`
	HTTP     string  `json:"http_status"`
}

// naiveScript is the loop a user would write by hand. Each -p is the
// directive as written in the unit file, which is what systemd-run takes.
func naiveScript(runID string, profiles []profile.Profile, basePort int) string {
	var b strings.Builder
	b.WriteString("set -u\n")
	for i, p := range profiles {
		unit := fmt.Sprintf("%s%s-naive-%d.service", systemd.UnitPrefix, runID, i)
		port := basePort + i
		fmt.Fprintf(&b, "start=$(date +%%s%%N)\n")
		fmt.Fprintf(&b, "systemd-run --quiet --unit=%s", unit)
		for _, a := range p.Assignments {
			// The demo's command replaces the unit's, as in hardenlab;
			// everything else (ExecStop=, Type=) goes in as written.
			if a.Name == "ExecStart" {
				continue
			}
			fmt.Fprintf(&b, " -p %s", shellQuote(a.Name+"="+a.Value))
		}
		fmt.Fprintf(&b, " /usr/bin/python3 -m http.server --bind 127.0.0.1 %d\n", port)
		fmt.Fprintf(&b, "code=000; for _ in $(seq 1 200); do code=$(curl -s -o /dev/null -w '%%{http_code}' http://127.0.0.1:%d/ || true); [ \"$code\" = 200 ] && break; sleep 0.05; done\n", port)
		fmt.Fprintf(&b, "score=$(systemd-analyze security --no-pager %s | sed -n 's/.*Overall exposure level for [^:]*: \\([0-9.]*\\).*/\\1/p')\n", unit)
		fmt.Fprintf(&b, "systemctl stop %s; systemctl reset-failed %s 2>/dev/null\n", unit, unit)
		fmt.Fprintf(&b, "end=$(date +%%s%%N)\n")
		fmt.Fprintf(&b, "echo \"RESULT %s $(( (end-start)/1000 )) ${score:-none} $code\"\n", shellQuote(p.Name))
	}
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// RunNaive runs the naive loop inside the sandbox (the tools it calls
// refuse to talk to a systemd that is not PID 1 of their own machine) as a
// oneshot unit, and reads its per-profile timings.
func RunNaive(ctx context.Context, sb *sandbox.Sandbox, sd *systemd.Client, runID string, profiles []profile.Profile, basePort int) ([]NaiveResult, time.Duration, error) {
	script := naiveScript(runID, profiles, basePort)
	hostScript := filepath.Join(sb.HostOutDir, "naive.sh")
	if err := os.WriteFile(hostScript, []byte(script), 0o600); err != nil {
		return nil, 0, fmt.Errorf("writing the naive loop: %w", err)
	}
	defer os.Remove(hostScript)
	unitOut := filepath.Join(sb.OutDir, "naive.out")
	hostOut := filepath.Join(sb.HostOutDir, "naive.out")
	defer os.Remove(hostOut)
	name := fmt.Sprintf("%s%s-naive-loop.service", systemd.UnitPrefix, runID)
	props := []sdbus.Property{
		sdbus.PropDescription("hardenlab benchmark: naive shell loop"),
		sdbus.PropType("oneshot"),
		sdbus.PropExecStart([]string{"/bin/bash", filepath.Join(sb.OutDir, "naive.sh")}, false),
		{Name: "StandardOutputFile", Value: dbus.MakeVariant(unitOut)},
		{Name: "StandardError", Value: dbus.MakeVariant("journal")},
		{Name: "TimeoutStartUSec", Value: dbus.MakeVariant(uint64(30 * time.Minute / time.Microsecond))},
	}
	start := time.Now()
	err := sd.StartTransient(ctx, name, props)
	wall := time.Since(start)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	_ = sd.Stop(sctx, name)
	for i := range profiles {
		_ = sd.Stop(sctx, fmt.Sprintf("%s%s-naive-%d.service", systemd.UnitPrefix, runID, i))
	}
	if err != nil {
		return nil, wall, fmt.Errorf("running the naive loop: %w", err)
	}
	f, err := os.Open(hostOut)
	if err != nil {
		return nil, wall, fmt.Errorf("reading the naive loop's output: %w", err)
	}
	defer f.Close()
	var out []NaiveResult
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 5 || fields[0] != "RESULT" {
			continue
		}
		us, _ := strconv.ParseFloat(fields[2], 64)
		out = append(out, NaiveResult{Profile: strings.Trim(fields[1], "'"), Millis: us / 1000, Exposure: fields[3], HTTP: fields[4]})
	}
	if len(out) != len(profiles) {
		return out, wall, fmt.Errorf("the naive loop reported %d of %d profiles", len(out), len(profiles))
	}
	return out, wall, nil
}
