package vm

import (
	"path"
	"strings"
	"testing"
)

func TestImageNameDependsOnInputs(t *testing.T) {
	a, b := imageName("trixie"), imageName("bookworm")
	if a == b {
		t.Fatalf("different releases share an image name %q", a)
	}
	if a != imageName("trixie") {
		t.Fatal("image name is not deterministic")
	}
	if !strings.HasPrefix(a, "trixie-") || len(a) != len("trixie-")+12 {
		t.Fatalf("image name %q is not <release>-<12 hex>", a)
	}
	for _, want := range []string{"recipe=", "release=trixie", "systemd", "linux-image-cloud-amd64", runnerUnitPath} {
		if !strings.Contains(imageInputs("trixie"), want) {
			t.Errorf("image inputs do not cover %q", want)
		}
	}
}

const runnerUnitPath = "/etc/systemd/system/hardenlab-vm-runner.service"

func TestRecipeTables(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range append(append(append([]string{}, bootstrapPackages...), kernelPackages...), servicePackages()...) {
		if p == "" || strings.ContainsAny(p, ", /") || seen[p] {
			t.Errorf("bad or duplicate package %q", p)
		}
		seen[p] = true
	}
	files := map[string]guestFile{}
	for _, f := range guestFiles {
		if !path.IsAbs(f.path) || path.Clean(f.path) != f.path || files[f.path].path != "" {
			t.Errorf("bad or duplicate guest file %q", f.path)
		}
		if f.mode&^0o777 != 0 {
			t.Errorf("guest file %s has non-permission mode bits %o", f.path, f.mode)
		}
		files[f.path] = f
	}
	for _, l := range guestLinks {
		if !path.IsAbs(l.path) || !path.IsAbs(l.target) {
			t.Errorf("guest link %s -> %s is not absolute", l.path, l.target)
		}
		if _, clash := files[l.path]; clash {
			t.Errorf("guest link %s also written as a file", l.path)
		}
	}
	// The unit must exist, be enabled, and start the boot script the
	// table installs as an executable.
	if _, ok := files[runnerUnitPath]; !ok {
		t.Fatal("runner unit not in guestFiles")
	}
	enabled := false
	for _, l := range guestLinks {
		if l.target == runnerUnitPath && strings.HasPrefix(l.path, "/etc/systemd/system/multi-user.target.wants/") {
			enabled = true
		}
	}
	if !enabled {
		t.Error("runner unit is not enabled for multi-user.target")
	}
	exec := ""
	for _, line := range strings.Split(runnerUnit, "\n") {
		if v, ok := strings.CutPrefix(line, "ExecStart="); ok {
			exec = v
		}
	}
	if f, ok := files[exec]; !ok || f.mode&0o111 == 0 {
		t.Errorf("runner unit ExecStart=%q is not an executable in guestFiles", exec)
	}
	for _, want := range []string{"SuccessAction=poweroff-force\n", "FailureAction=poweroff-force\n"} {
		if !strings.Contains(runnerUnit, want) {
			t.Errorf("runner unit lacks %s: a finished guest must power off", want)
		}
	}
}

func TestKernelCmdline(t *testing.T) {
	c := kernelCmdline()
	for _, want := range []string{"root=/dev/vda", "console=ttyS0", "systemd.firstboot=off", "panic=-1"} {
		if !strings.Contains(" "+c+" ", " "+want+" ") {
			t.Errorf("kernel cmdline %q lacks %q", c, want)
		}
	}
}
