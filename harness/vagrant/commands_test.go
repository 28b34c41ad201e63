package vagrant

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readmeCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := DocumentedCommands(b, QuickStart)
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) == 0 {
		t.Fatalf("README.md's %s documents no `bash .ci/...` command", QuickStart)
	}
	return cmds
}

func ciScripts(t *testing.T) map[string]CIScript {
	t.Helper()
	scripts := map[string]CIScript{}
	paths, err := filepath.Glob(filepath.Join(repoRoot(t), ".ci", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		s, err := LoadCIScript(p)
		if err != nil {
			t.Fatal(err)
		}
		scripts[".ci/"+filepath.Base(p)] = s
	}
	return scripts
}

// missing returns the commands of want that got lacks.
func missing(got, want []string) []string {
	var m []string
	for _, w := range want {
		if !slices.Contains(got, w) {
			m = append(m, w)
		}
	}
	return m
}

// Every machine, dry-run through guest.sh with the environment the
// Vagrantfile gives it, runs the README's commands in host mode.
func TestEveryMachineRunsTheREADMECommands(t *testing.T) {
	root := repoRoot(t)
	tab := loadRepoTable(t)
	readme := readmeCommands(t)
	scripts := ciScripts(t)
	for _, prebuilt := range []bool{false, true} {
		for _, m := range tab.Machines {
			name := m.Name
			if prebuilt {
				name += "/prebuilt"
			}
			t.Run(name, func(t *testing.T) {
				f, _ := tab.Family(m)
				want, err := ExpectedCommands(f, m.Name, prebuilt, readme, scripts)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatal("no command expected: the README's commands were not understood")
				}
				got, err := GuestCommands(context.Background(), root, tab.GuestEnv(m, prebuilt))
				if err != nil {
					t.Fatal(err)
				}
				if m := missing(got, want); len(m) > 0 {
					t.Errorf("guest.sh does not run the README's commands %q\n it runs: %q", m, got)
				}
				for _, c := range got {
					if strings.Contains(c, "hardenlab run") || strings.Contains(c, ".ci/main") || strings.Contains(c, "hardenlab matrix") {
						if !strings.Contains(c, "--sandbox host") {
							t.Errorf("%q does not insist on host mode", c)
						}
					}
				}
			})
		}
	}
}

// The Go install step matches the machine's row: tarball machines verify
// the pinned checksum before unpacking; distro machines install the package.
func TestGuestInstallsGoAsTheTableSays(t *testing.T) {
	root := repoRoot(t)
	tab := loadRepoTable(t)
	for _, m := range tab.Machines {
		t.Run(m.Name, func(t *testing.T) {
			f, _ := tab.Family(m)
			got, err := GuestCommands(context.Background(), root, tab.GuestEnv(m, false))
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(got, "\n")
			tarball := tab.Go.Tarballs["amd64"]
			switch m.Go {
			case GoTarball:
				check := slices.IndexFunc(got, func(c string) bool { return strings.Contains(c, tarball.SHA256) && strings.Contains(c, "sha256sum -c") })
				unpack := slices.IndexFunc(got, func(c string) bool { return strings.Contains(c, "tar -C /usr/local") })
				if check < 0 || unpack < 0 || check > unpack {
					t.Errorf("the tarball is not verified against %s before it is unpacked:\n%s", tarball.SHA256, all)
				}
			case GoDistro:
				if strings.Contains(all, tarball.URL) {
					t.Errorf("a distro-Go machine downloads the tarball:\n%s", all)
				}
				if !strings.Contains(all, " "+f.GoPackage) {
					t.Errorf("the distro's Go package %s is not installed:\n%s", f.GoPackage, all)
				}
			}
		})
	}
}

func TestGuestRefusesAMissingEnvironment(t *testing.T) {
	tab := loadRepoTable(t)
	env := tab.GuestEnv(tab.Machines[0], false)
	delete(env, "HARDENLAB_PACKAGE_MANAGER")
	if _, err := GuestCommands(context.Background(), repoRoot(t), env); err == nil {
		t.Error("guest.sh ran without HARDENLAB_PACKAGE_MANAGER")
	}
}

func TestDocumentedCommands(t *testing.T) {
	readme := "# x\n\n    bash .ci/before\n\n## Quick start (fresh)\n\n    bash .ci/main\n\ntext bash .ci/nope\n\n" +
		"    bash .ci/setup && bash .ci/test\n    go test ./...\n\tbash .ci/main\n```\nbash .ci/fenced\n```\n" +
		"### sub\n\n    bash .ci/sub\n\n## Checked in CI\n\n    bash .ci/vagrant-validate\n"
	got, err := DocumentedCommands([]byte(readme), QuickStart)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bash .ci/main", "bash .ci/setup && bash .ci/test", "bash .ci/sub"}
	if !slices.Equal(got, want) {
		t.Errorf("DocumentedCommands() = %q, want %q", got, want)
	}
	if _, err := DocumentedCommands([]byte("## Other\n\n    bash .ci/main\n"), QuickStart); err == nil {
		t.Error("a README without the section was accepted")
	}
}

func TestExpectedCommands(t *testing.T) {
	scripts := map[string]CIScript{
		".ci/setup": {Commands: []string{"apt-get install -y x"}},
		".ci/test":  {Commands: []string{"bash .ci/build", "go test ./..."}},
		".ci/build": {Commands: []string{"go build ./..."}},
		".ci/main":  {Commands: []string{"bash .ci/setup", "bash .ci/build", `exec bin/hardenlab run "$@" a.service`}},
	}
	readme := []string{"bash .ci/main", "bash .ci/setup && bash .ci/test"}
	flags := HostRunFlags("m")
	tests := []struct {
		name     string
		family   Family
		prebuilt bool
		want     []string
	}{
		{"runs setup", Family{RunsCISetup: true}, false,
			[]string{"bash .ci/main " + flags, "bash .ci/setup && bash .ci/test"}},
		{"cannot run setup", Family{RunsCISetup: false}, false,
			[]string{"bash .ci/build && bin/hardenlab run " + flags + " a.service", "bash .ci/test"}},
		{"prebuilt", Family{RunsCISetup: true}, true,
			[]string{"bin/hardenlab run " + flags + " a.service"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ExpectedCommands(tt.family, "m", tt.prebuilt, readme, scripts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ExpectedCommands() =\n %q\nwant\n %q", got, tt.want)
			}
		})
	}
	if _, err := ExpectedCommands(Family{}, "m", false, []string{"bash .ci/missing"}, scripts); err == nil {
		t.Error("a README command running a missing script was accepted")
	}
	if _, err := ExpectedCommands(Family{}, "m", false, []string{"make test"}, scripts); err == nil {
		t.Error("a README command that runs no .ci script was accepted")
	}
}

func TestLoadCIScript(t *testing.T) {
	p := filepath.Join(t.TempDir(), "setup")
	script := "#!/usr/bin/env bash\n# comment\nset -euo pipefail\ncd \"$(dirname \"$0\")/..\"\n\nfor pkg in a b \\\n\tc; do\n\techo $pkg\ndone\nexec bin/x \"$@\"\n"
	if err := os.WriteFile(p, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadCIScript(p)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := s.Packages()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pkgs, []string{"a", "b", "c"}) {
		t.Errorf("Packages() = %q", pkgs)
	}
	if got := s.WithoutSetup("-v"); got != "for pkg in a b c; do && echo $pkg && done && bin/x -v" {
		t.Errorf("WithoutSetup() = %q", got)
	}
	if _, err := (CIScript{Path: "x"}).Packages(); err == nil {
		t.Error("Packages() of a script without a package loop did not fail")
	}
}
