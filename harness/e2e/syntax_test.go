//go:build e2e

package e2e

import (
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// templateUnit writes a template, written with systemd's line rules
// (a continuation with a comment inside, specifiers), and a drop-in for
// it that hardens it, into a fresh directory.
func templateUnit() string {
	dir := GinkgoT().TempDir()
	Expect(os.MkdirAll(filepath.Join(dir, "greeter@.service.d"), 0o755)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "greeter@.service"), []byte(
		"[Unit]\nDescription=Greeter for %I\n[Service]\nExecStart=/usr/bin/python3 -m http.server\n"+
			"Environment=GREETING=%i \\\n# a comment inside the continuation\n  UNIT=%n\n"), 0o644)).To(Succeed())
	Expect(os.WriteFile(filepath.Join(dir, "greeter@.service.d/10-harden.conf"), []byte(
		"[Service]\nPrivateTmp=yes\nProtectSystem=strict\n"), 0o644)).To(Succeed())
	return filepath.Join(dir, "greeter@.service")
}

var _ = Describe("unit-file syntax", Label("syntax"), func() {
	It("runs a template instance with its drop-in and expanded specifiers, and scores it as systemd-analyze does", func(ctx SpecContext) {
		tpl := templateUnit()
		rec := servedRecord(ctx, "--instance", "web", tpl)
		Expect(rec.Readback).To(BeEmpty(), "Environment= must read back expanded: GREETING=web UNIT=greeter@web.service")
		Expect(rec.Score.Disagreements).To(BeEmpty())
		var names []string
		for _, a := range rec.Profile.Directives {
			names = append(names, a.Name)
		}
		Expect(names).To(ContainElements("Environment", "PrivateTmp", "ProtectSystem"), "the drop-in's lines apply")
	})

	It("refuses to run a template without an instance, before anything starts", func(ctx SpecContext) {
		_, stderr, code := hardenlab(ctx, "run", "--no-probes", templateUnit())
		Expect(code).To(Equal(2))
		Expect(stderr).To(ContainSubstring("add --instance NAME"))
	})
})
