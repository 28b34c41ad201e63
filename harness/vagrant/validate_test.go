package vagrant

import (
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireVagrant skips when vagrant is missing, unless
// HARDENLAB_REQUIRE_VAGRANT=1 (.ci/vagrant-validate sets it after
// installing vagrant), where a missing vagrant is a failure.
func requireVagrant(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, ErrNoVagrant) {
		if os.Getenv("HARDENLAB_REQUIRE_VAGRANT") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// validateModes are the ways CI validates the Vagrantfile offline: each
// provider's blocks by that provider's plugin (vagrant-libvirt from Debian;
// Vagrant's built-in VirtualBox plugin, which needs a VBoxManage that
// answers --version), and everything else with --ignore-provider.
func validateModes() []ValidateOptions {
	return []ValidateOptions{
		{Provider: "libvirt"},
		{Provider: "virtualbox", StubVBoxManage: true},
		{IgnoreProvider: true},
	}
}

// vagrant validate accepts the Vagrantfile, and the Vagrantfile defines
// exactly the table's machines with the boxes and guest environment the Go
// side expects.
func TestVagrantValidate(t *testing.T) {
	if testing.Short() {
		t.Skip("vagrant validate takes about 15 s per mode")
	}
	root := repoRoot(t)
	tab := loadRepoTable(t)
	for _, mode := range validateModes() {
		t.Run(mode.describe(), func(t *testing.T) {
			t.Parallel() // each run has its own Vagrant state; Ruby start-up dominates
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			res, err := Validate(ctx, root, mode)
			requireVagrant(t, err)
			if err != nil {
				t.Fatal(err)
			}
			t.Log(res.Output)
			if !strings.Contains(res.Output, "Vagrantfile validated successfully") {
				t.Errorf("vagrant validate did not say it validated: %s", res.Output)
			}
			if len(res.Plan) != len(tab.Machines) {
				t.Fatalf("the Vagrantfile defines %d machines, the table has %d", len(res.Plan), len(tab.Machines))
			}
			for i, m := range tab.Machines {
				p := res.Plan[i]
				if p.Name != m.Name {
					t.Errorf("machine %d is %q in the Vagrantfile, %q in the table", i, p.Name, m.Name)
					continue
				}
				if !maps.Equal(p.Boxes, m.Boxes) {
					t.Errorf("%s: boxes %v in the Vagrantfile, %v in the table", m.Name, p.Boxes, m.Boxes)
				}
				if p.Provision != GuestScript {
					t.Errorf("%s: provisioned with %q, want %q", m.Name, p.Provision, GuestScript)
				}
				if want := tab.GuestEnv(m, false); !maps.Equal(p.Env, want) {
					t.Errorf("%s: guest environment\n %v in the Vagrantfile,\n %v expected", m.Name, p.Env, want)
				}
			}
		})
	}
}

// copyTree copies the files vagrant validate reads into a scratch tree.
func copyTree(t *testing.T, root string) string {
	t.Helper()
	dst := t.TempDir()
	for _, rel := range []string{"Vagrantfile", TableFile, GuestScript} {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, rel)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, rel), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// The same validation fails on broken copies, so a pass above means
// something.
func TestVagrantValidateRejectsBrokenVagrantfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("vagrant validate takes about 15 s per case")
	}
	tests := []struct {
		name    string
		file    string
		old     string
		new     string
		mode    ValidateOptions
		message string
	}{
		{"unknown libvirt setting", "Vagrantfile", "lv.memory = 2048", "lv.memroy = 2048",
			ValidateOptions{Provider: "libvirt"}, "memroy"},
		{"unknown virtualbox setting", "Vagrantfile", "vb.cpus = 2", "vb.cpu_count = 2",
			ValidateOptions{Provider: "virtualbox", StubVBoxManage: true}, "cpu_count"},
		{"machine without a libvirt box", TableFile, `"libvirt": "debian/trixie64", `, "",
			ValidateOptions{IgnoreProvider: true}, "libvirt"},
		{"Ruby syntax error", "Vagrantfile", "Vagrant.configure(\"2\") do |config|", "Vagrant.configure(\"2\") do |config",
			ValidateOptions{IgnoreProvider: true}, "syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tree := copyTree(t, repoRoot(t))
			path := filepath.Join(tree, tt.file)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), tt.old) {
				t.Fatalf("%s no longer contains %q; update this test", tt.file, tt.old)
			}
			if err := os.WriteFile(path, []byte(strings.Replace(string(b), tt.old, tt.new, 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			_, err = Validate(ctx, tree, tt.mode)
			requireVagrant(t, err)
			if err == nil {
				t.Fatal("vagrant validate accepted a broken copy")
			}
			if !strings.Contains(err.Error(), tt.message) {
				t.Errorf("the failure does not mention %q: %v", tt.message, err)
			}
		})
	}
}

func TestValidateNeedsOneMode(t *testing.T) {
	for _, opts := range []ValidateOptions{{}, {Provider: "libvirt", IgnoreProvider: true}} {
		_, err := Validate(context.Background(), t.TempDir(), opts)
		requireVagrant(t, err)
		if err == nil {
			t.Errorf("Validate(%+v) did not fail", opts)
		}
	}
}
