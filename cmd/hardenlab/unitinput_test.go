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

// A .socket, a .timer or a unit without [Service] is refused before a
// sandbox boots: run would otherwise start the bare demo under the name.
func TestRunRefusesUnitsThatAreNotServices(t *testing.T) {
	dir := t.TempDir()
	units := map[string]string{
		"web.socket":     "[Socket]\nListenStream=80\n",
		"daily.timer":    "[Timer]\nOnCalendar=daily\n",
		"plain.service":  "[Unit]\nDescription=nothing else\n",
		"exit.service":   "[Unit]\nSuccessAction=exit\n",
		"server.service": "[Service]\nExecStart=/bin/true\n",
	}
	for name, text := range units {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string]string{
		"web.socket":     "web.socket is a socket unit, not a service",
		"daily.timer":    "daily.timer is a timer unit, not a service",
		"plain.service":  "plain.service: no [Service] settings",
		"exit.service":   "",
		"server.service": "",
	} {
		var errOut bytes.Buffer
		_, code := loadProfiles(unitSource{}, []string{filepath.Join(dir, name)}, stdio{out: &errOut, err: &errOut})
		if want == "" {
			if code != exitOK {
				t.Errorf("%s: exit %d, stderr %s", name, code, errOut.String())
			}
			continue
		}
		if code != exitUsage || !strings.Contains(errOut.String(), want) || !strings.Contains(errOut.String(), "nothing was started") {
			t.Errorf("%s: exit %d, stderr %s; want %q", name, code, errOut.String(), want)
		}
	}
}

// --instance is refused where it cannot mean what the user wants: beside
// a unit that names its own instance, with a "/" in it, or with --all.
func TestInstanceMisuse(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "tpl@.service")
	if err := os.WriteFile(tpl, []byte("[Service]\nExecStart=/bin/echo %i\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	inst := filepath.Join(dir, "tpl@one.service")
	for _, c := range []struct {
		src  unitSource
		arg  string
		want string
	}{
		{unitSource{instance: "two"}, inst, `tpl@one.service names its own instance "one"; give the template (tpl@.service) with --instance`},
		{unitSource{instance: "one"}, inst, ""},
		{unitSource{instance: "a/b"}, tpl, `--instance "a/b": an instance name cannot contain "/"`},
		{unitSource{instance: "web"}, tpl, ""},
	} {
		var errOut bytes.Buffer
		_, code := loadProfiles(c.src, []string{c.arg}, stdio{out: &errOut, err: &errOut})
		if c.want == "" {
			if code != exitOK {
				t.Errorf("--instance %s %s: exit %d, %s", c.src.instance, c.arg, code, errOut.String())
			}
			continue
		}
		if code != exitUsage || !strings.Contains(errOut.String(), c.want) {
			t.Errorf("--instance %s %s: exit %d, stderr %s; want %q", c.src.instance, c.arg, code, errOut.String(), c.want)
		}
	}
	if code, _, errOut := runScore(t, "--all", "--instance", "tty1"); code != exitUsage || !strings.Contains(errOut, "--all skips templates") {
		t.Errorf("--all --instance: exit %d, %s", code, errOut)
	}
}
