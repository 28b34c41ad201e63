//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/user"
	"path/filepath"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/sweep"
)

var _ = Describe("hardenlab sweep", Label("sweep"), func() {
	// units is a directory like a distribution's: units that run, one
	// hardenlab cannot read, a template and a masked unit.
	units := func() string {
		dir := GinkgoT().TempDir()
		for _, f := range []string{"p3test.service", "p3test-hardened.service"} {
			data, err := os.ReadFile(filepath.Join(repo, "fixtures", f))
			Expect(err).NotTo(HaveOccurred())
			Expect(os.WriteFile(filepath.Join(dir, f), data, 0o644)).To(Succeed())
		}
		Expect(os.WriteFile(filepath.Join(dir, "typo.service"), []byte("[Service]\nExecStart=/usr/bin/python3 -m http.server\nProtectSytem=strict\n"), 0o644)).To(Succeed())
		Expect(os.WriteFile(filepath.Join(dir, "getty@.service"), []byte("[Service]\nExecStart=/sbin/agetty %I\n"), 0o644)).To(Succeed())
		Expect(os.Symlink(os.DevNull, filepath.Join(dir, "masked.service"))).To(Succeed())
		return dir
	}
	load := func(path string) sweep.Document {
		data, err := os.ReadFile(path)
		Expect(err).NotTo(HaveOccurred())
		var d sweep.Document
		Expect(json.Unmarshal(data, &d)).To(Succeed())
		return d
	}
	// summary is a document without what differs between two runs of it.
	type row struct{ Unit, State, Reason, Level, Verdicts string }
	summary := func(d sweep.Document) []row {
		var out []row
		for _, l := range report.SweepLines(d) {
			out = append(out, row{l.Unit, l.State, l.Service, l.Exposure, l.Verdicts})
		}
		return out
	}

	It("gives every unit a row, and two shards merged equal the whole sweep", func(ctx SpecContext) {
		dir, out := units(), GinkgoT().TempDir()
		whole := filepath.Join(out, "whole.json")
		stdout, stderr, code := hardenlab(ctx, "sweep", "--units", dir, "--out", whole)
		Expect(code).To(Equal(1), "a refused unit makes the exit 1: "+stdout+stderr)
		d := load(whole)
		Expect(sweep.Missing(d)).To(BeEmpty())
		Expect(d.Incomplete).To(BeFalse())
		states := map[string]string{}
		for _, r := range d.Rows {
			states[r.Unit] = r.State
		}
		Expect(states).To(Equal(map[string]string{"p3test.service": sweep.Ran, "p3test-hardened.service": sweep.Ran,
			"typo.service": sweep.Refused, "getty@.service": sweep.Skipped, "masked.service": sweep.Skipped}))
		Expect(stdout).To(MatchRegexp(`typo\.service\s+refused .*typo\.service:3: ProtectSytem=strict`))

		var shards []string
		for _, s := range []string{"1/2", "2/2"} {
			p := filepath.Join(out, "shard-"+s[:1]+".json")
			_, stderr, _ := hardenlab(ctx, "sweep", "--units", dir, "--shard", s, "--out", p)
			Expect(sweep.Missing(load(p))).To(BeEmpty(), stderr)
			shards = append(shards, p)
		}
		merged := filepath.Join(out, "merged.json")
		stdout, stderr, code = hardenlab(ctx, append([]string{"merge", "--out", merged}, shards...)...)
		Expect(code).To(Equal(0), stdout+stderr)
		Expect(summary(load(merged))).To(Equal(summary(d)))
	}, SpecTimeout(5*time.Minute))

	It("resumes an interrupted sweep, running only the units without a row", func(ctx SpecContext) {
		dir, out := units(), filepath.Join(GinkgoT().TempDir(), "sweep.json")
		_, _, _ = hardenlab(ctx, "sweep", "--units", dir, "--out", out)
		d := load(out)
		kept := map[string]string{}
		var rows []sweep.Row
		for _, r := range d.Rows {
			if r.Unit == "p3test-hardened.service" {
				continue // as if the sweep was stopped before it
			}
			rows = append(rows, r)
			if r.Record != nil {
				kept[r.Unit] = r.Record.RunID
			}
		}
		d.Rows, d.Incomplete = rows, true
		data, err := json.Marshal(d)
		Expect(err).NotTo(HaveOccurred())
		Expect(os.WriteFile(out, data, 0o644)).To(Succeed())

		stdout, stderr, _ := hardenlab(ctx, "sweep", "--units", dir, "--resume", out)
		r := load(out)
		Expect(sweep.Missing(r)).To(BeEmpty(), stdout+stderr)
		Expect(r.Incomplete).To(BeFalse())
		for _, row := range r.Rows {
			if id, ok := kept[row.Unit]; ok {
				Expect(row.Record.RunID).To(Equal(id), "%s was run again", row.Unit)
			}
			if row.Unit == "p3test-hardened.service" {
				Expect(row.State).To(Equal(sweep.Ran))
				Expect(row.Record.RunID).NotTo(Equal(kept["p3test.service"]), "the resumed unit ran in the new sweep")
			}
		}
	}, SpecTimeout(5*time.Minute))

	// Two shapes of real units that a sweep of this machine's own once
	// failed: an ExecStart= with a prefix (systemd-networkd's "!!", sent
	// as ExecStartEx beside the demo's ExecStart, PID 1 refused "more than
	// one ExecStart="), and a package's account that only the root's own
	// /etc has (redis-server's User=redis), which needs the overlay view
	// while the other units keep the volatile one.
	It("runs prefixed commands, and gives only a unit whose account a volatile /etc lacks the overlay view", func(ctx SpecContext) {
		if _, err := user.Lookup("redis"); err != nil {
			Skip("no redis account here (.ci/setup installs redis-server, which makes it)")
		}
		dir := GinkgoT().TempDir()
		for name, body := range map[string]string{
			"prefixed.service": "[Service]\nExecStart=!!/usr/bin/python3 -m http.server\nExecStop=+/bin/kill $MAINPID\n",
			"packaged.service": "[Service]\nExecStart=/usr/bin/redis-server --port 0\nUser=redis\nGroup=redis\n",
		} {
			Expect(os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)).To(Succeed())
		}
		out := filepath.Join(GinkgoT().TempDir(), "sweep.json")
		stdout, stderr, code := hardenlab(ctx, "sweep", "--units", dir, "--out", out)
		Expect(code).To(Equal(0), stdout+stderr)
		Expect(stderr).To(ContainSubstring("1 of 2 units (packaged) run as accounts a volatile /etc lacks (user redis, group redis)"))
		views := map[string]string{}
		for _, r := range load(out).Rows {
			Expect(r.State).To(Equal(sweep.Ran), "%s: %s", r.Unit, r.Reason)
			Expect(r.Record.Behavior.Outcome).To(BeEquivalentTo("serves"), "%s: %v", r.Unit, r.Record.Behavior.JournalTail)
			views[r.Unit] = string(r.Record.Environment.RootView)
		}
		Expect(views).To(Equal(map[string]string{"prefixed.service": "volatile", "packaged.service": "overlay"}))
	}, SpecTimeout(5*time.Minute))
})
