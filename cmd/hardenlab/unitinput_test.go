package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A run needs a unit systemd can start: a template without an instance
// is refused before anything starts, with the flag that fixes it.
func TestRunRefusesATemplateWithoutInstance(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "tpl@.service")
	if err := os.WriteFile(tpl, []byte("[Service]\nExecStart=/bin/echo %i\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	profiles, code := loadProfiles(unitSource{}, []string{tpl}, stdio{out: &out, err: &errOut})
	if code != exitUsage || profiles != nil || !strings.Contains(errOut.String(), "add --instance NAME") {
		t.Errorf("exit %d, profiles %v, stderr %s", code, profiles, errOut.String())
	}
	profiles, code = loadProfiles(unitSource{instance: "web"}, []string{tpl}, stdio{out: &out, err: &errOut})
	if code != exitOK || len(profiles) != 1 || profiles[0].Name != "tpl@web" {
		t.Errorf("with --instance: exit %d, profiles %+v", code, profiles)
	}
}

func TestUnitNameOrFile(t *testing.T) {
	for arg, name := range map[string]bool{"nginx.service": true, "./nginx.service": false, "/etc/x.service": false} {
		if got := (unitSource{root: "/r"}).isUnitName(arg); got != name {
			t.Errorf("isUnitName(%q) = %v", arg, got)
		}
	}
}
