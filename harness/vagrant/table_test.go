package vagrant

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// repoRoot is the repository, two levels up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func loadRepoTable(t *testing.T) Table {
	t.Helper()
	tab, err := LoadTable(filepath.Join(repoRoot(t), TableFile))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func TestTableIsValid(t *testing.T) {
	loadRepoTable(t)
}

// The issue asks for these distributions under both providers.
func TestTableHasTheRequiredDistributions(t *testing.T) {
	tab := loadRepoTable(t)
	for _, want := range []string{"Debian 12", "Debian 13", "Ubuntu 24.04", "Fedora"} {
		i := slices.IndexFunc(tab.Machines, func(m Machine) bool { return strings.HasPrefix(m.Distro, want) })
		if i < 0 {
			t.Errorf("no machine for %s", want)
			continue
		}
		for _, p := range Providers() {
			if tab.Machines[i].Boxes[p] == "" {
				t.Errorf("%s has no %s box", tab.Machines[i].Name, p)
			}
		}
	}
}

var goDirective = regexp.MustCompile(`(?m)^go (\d+\.\d+(?:\.\d+)?)$`)

// The pinned tarball (and the toolchain distro Go switches to) must be the
// version go.mod asks for, or the checksum pins the wrong thing.
func TestPinnedGoIsGoModsVersion(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := goDirective.FindSubmatch(b)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	if got := loadRepoTable(t).Go.Version; got != string(m[1]) {
		t.Errorf("machines.json pins Go %s, go.mod says %s: update go.version and the tarball's url and sha256 (https://go.dev/dl/?mode=json)", got, m[1])
	}
}

// Families that skip .ci/setup must install what it would have, except
// what they skip on purpose; families that run it must use the package
// manager it knows, and the skip must still be needed.
func TestFamiliesMatchCISetup(t *testing.T) {
	root := repoRoot(t)
	setup, err := LoadCIScript(filepath.Join(root, ".ci", "setup"))
	if err != nil {
		t.Fatal(err)
	}
	setupText, err := os.ReadFile(filepath.Join(root, ".ci", "setup"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := setup.Packages()
	if err != nil {
		t.Fatal(err)
	}
	managerCommand := map[string]string{"apt": "apt-get", "dnf": "dnf"}
	for _, f := range loadRepoTable(t).Families {
		knows := strings.Contains(string(setupText), managerCommand[f.PackageManager]+" ")
		switch {
		case f.RunsCISetup && !knows:
			t.Errorf("family %s runs .ci/setup, which does not use %s", f.Name, managerCommand[f.PackageManager])
		case !f.RunsCISetup && knows:
			t.Errorf("family %s skips .ci/setup, which now uses %s: set runs_ci_setup to true", f.Name, managerCommand[f.PackageManager])
		case !f.RunsCISetup:
			for _, p := range want {
				if !slices.Contains(f.Packages, p) && f.Skipped[p] == "" {
					t.Errorf("family %s skips .ci/setup but neither installs nor deliberately skips its package %s", f.Name, p)
				}
			}
		}
	}
}

func TestValidateRejectsBadRows(t *testing.T) {
	good := func() Table {
		return Table{
			Go: GoToolchain{Version: "1.26.8", Tarballs: map[string]Tarball{"amd64": {
				URL:    "https://go.dev/dl/go1.26.8.linux-amd64.tar.gz",
				SHA256: strings.Repeat("ab", 32),
			}}},
			Families: []Family{{Name: "debian", PackageManager: "apt", RunsCISetup: true, Packages: []string{"curl"}, GoPackage: "golang-go"}},
			Machines: []Machine{{Name: "debian12", Distro: "Debian 12", Family: "debian", Go: GoTarball, DistroGo: "1.19",
				Boxes: map[string]string{"libvirt": "debian/bookworm64", "virtualbox": "debian/bookworm64"}}},
		}
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("the good table is rejected: %v", err)
	}
	tests := []struct {
		name  string
		spoil func(*Table)
		want  string
	}{
		{"short checksum", func(t *Table) { t.Go.Tarballs["amd64"] = Tarball{URL: t.Go.Tarballs["amd64"].URL, SHA256: "abc"} }, "64 lowercase hex"},
		{"url of another version", func(t *Table) {
			t.Go.Tarballs["amd64"] = Tarball{URL: "https://go.dev/dl/go1.22.0.linux-amd64.tar.gz", SHA256: strings.Repeat("ab", 32)}
		}, "the pinned version"},
		{"bad go version", func(t *Table) { t.Go.Version = "latest" }, "go.version"},
		{"missing provider box", func(t *Table) { delete(t.Machines[0].Boxes, "libvirt") }, "no valid libvirt box"},
		{"unknown provider", func(t *Table) { t.Machines[0].Boxes["vmware"] = "a/b" }, `unknown provider "vmware"`},
		{"unknown family", func(t *Table) { t.Machines[0].Family = "arch" }, `unknown family "arch"`},
		{"duplicate machine", func(t *Table) { t.Machines = append(t.Machines, t.Machines[0]) }, "duplicate machine"},
		{"name with a dash", func(t *Table) { t.Machines[0].Name = "debian-12" }, "name must match"},
		{"old distro go", func(t *Table) { t.Machines[0].Go = GoDistro }, "cannot switch"},
		{"tarball where distro go would do", func(t *Table) { t.Machines[0].DistroGo = "1.24" }, `prefer "distro"`},
		{"unknown go source", func(t *Table) { t.Machines[0].Go = "snap" }, "neither"},
		{"unknown package manager", func(t *Table) { t.Families[0].PackageManager = "pacman" }, "pacman"},
		{"bad package name", func(t *Table) { t.Families[0].Packages = []string{"curl; rm -rf /"} }, "not a package name"},
		{"skip without reason", func(t *Table) { t.Families[0].RunsCISetup = false }, "without why_not_ci_setup"},
		{"no machines", func(t *Table) { t.Machines = nil }, "no machines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab := good()
			tt.spoil(&tab)
			err := tab.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestParseTableNamesFileAndLine(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"syntax", "{\n\"go\": {\n\"version\": 1.26,,\n}}", "machines.json:3:"},
		{"type", "{\n\"go\": {\"version\": \"1.26.8\"},\n\"machines\": 7}", "machines.json:3:"},
		{"unknown key", `{"go": {}, "colour": "blue"}`, `unknown field "colour"`},
		{"invalid row", `{"go": {"version": "1.26.8"}, "families": [], "machines": []}`, "machines.json: no machines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseTable("machines.json", []byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseTable() = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestGuestEnvCarriesTheTarballOnlyWhenUsed(t *testing.T) {
	tab := loadRepoTable(t)
	for _, m := range tab.Machines {
		env := tab.GuestEnv(m, false)
		_, hasURL := env["HARDENLAB_GO_TARBALL_URL"]
		if hasURL != (m.Go == GoTarball) {
			t.Errorf("%s: go %s, tarball url passed: %v", m.Name, m.Go, hasURL)
		}
		if env["HARDENLAB_MACHINE"] != m.Name || env["HARDENLAB_GO_VERSION"] != tab.Go.Version {
			t.Errorf("%s: env %v", m.Name, env)
		}
	}
}
