// Package vagrant checks and uses what the top-level Vagrantfile declares:
// the machine table it reads (machines.json), the environment it hands to
// the guest provisioning script (guest.sh), the commands that script runs
// compared with the ones the README documents, and the merge of the reports
// the machines bring back into one comparison.
//
// The Vagrantfile itself is Ruby; keeping its data in machines.json lets Go
// validate every row without Ruby, and `vagrant validate` (Validate) checks
// that the Ruby side reads the same rows the same way.
package vagrant

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// TableFile is the machine table's path in the repository.
const TableFile = "harness/vagrant/machines.json"

// GuestScript is the provisioning script's path in the repository.
const GuestScript = "harness/vagrant/guest.sh"

// Providers are the Vagrant providers every machine must have a box for.
func Providers() []string { return []string{"libvirt", "virtualbox"} }

// Go sources a machine can get Go from.
const (
	GoDistro  = "distro"  // the distribution's package, switching to go.mod's toolchain
	GoTarball = "tarball" // the pinned official release tarball
)

// minToolchainSwitch is the oldest distro Go a machine may build with: the
// README's minimum. It also has to download and run the toolchain go.mod
// asks for, which Go does since 1.21.
func minToolchainSwitch() version { return version{1, 22, 0} }

// Table is machines.json.
type Table struct {
	Go       GoToolchain `json:"go"`
	Families []Family    `json:"families"`
	Machines []Machine   `json:"machines"`
}

// GoToolchain pins the Go release the machines build with.
type GoToolchain struct {
	// Version must equal go.mod's go directive.
	Version  string             `json:"version"`
	Tarballs map[string]Tarball `json:"tarballs"` // by GOARCH
}

// Tarball is an official Go release archive and its published SHA-256.
type Tarball struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256"`
}

// Family is what distributions sharing a package manager have in common.
type Family struct {
	Name           string   `json:"name"`
	PackageManager string   `json:"package_manager"`
	Packages       []string `json:"packages"`
	// RunsCISetup is false where .ci/setup cannot install packages; the
	// guest then installs Packages itself and runs the README's commands
	// without .ci/setup. WhyNotCISetup says why.
	RunsCISetup   bool   `json:"runs_ci_setup"`
	WhyNotCISetup string `json:"why_not_ci_setup,omitempty"`
	// Skipped lists .ci/setup packages this family does without, and why.
	Skipped   map[string]string `json:"skipped,omitempty"`
	GoPackage string            `json:"go_package"`
}

// Machine is one VM.
type Machine struct {
	Name   string            `json:"name"`
	Distro string            `json:"distro"`
	Family string            `json:"family"`
	Boxes  map[string]string `json:"boxes"` // by provider
	Go     string            `json:"go"`    // GoDistro or GoTarball
	// DistroGo is the Go version the distribution packages.
	DistroGo string `json:"distro_go"`
}

// packageManagers are the package managers guest.sh knows.
func packageManagers() []string { return []string{"apt", "dnf"} }

var (
	machineName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
	sha256Hex   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	boxName     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$`)
	packageName = regexp.MustCompile(`^[a-z0-9][a-z0-9.+-]*$`)
)

// LoadTable reads and validates a machine table.
func LoadTable(path string) (Table, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Table{}, fmt.Errorf("reading the machine table: %w", err)
	}
	return ParseTable(path, b)
}

// ParseTable decodes and validates a machine table; errors name the file
// (and the line for JSON syntax errors) and the machine or family.
func ParseTable(name string, b []byte) (Table, error) {
	var t Table
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := decodeTable(dec, &t); err != nil {
		var syntax *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syntax):
			return Table{}, fmt.Errorf("%s:%d: %w", name, lineOf(b, syntax.Offset), err)
		case errors.As(err, &typ):
			return Table{}, fmt.Errorf("%s:%d: %w", name, lineOf(b, typ.Offset), err)
		}
		return Table{}, fmt.Errorf("%s: %w", name, err)
	}
	if err := t.Validate(); err != nil {
		return Table{}, fmt.Errorf("%s: %w", name, err)
	}
	return t, nil
}

// decodeTable accepts a top-level "comment" key, which JSON lacks a syntax
// for, and nothing else unknown.
func decodeTable(dec *json.Decoder, t *Table) error {
	var withComment struct {
		Comment string `json:"comment"`
		Table
	}
	if err := dec.Decode(&withComment); err != nil {
		return err
	}
	*t = withComment.Table
	return nil
}

func lineOf(b []byte, offset int64) int {
	if offset > int64(len(b)) {
		offset = int64(len(b))
	}
	return 1 + bytes.Count(b[:offset], []byte("\n"))
}

// Validate checks every row; the error lists every problem found.
func (t Table) Validate() error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }

	if _, err := parseVersion(t.Go.Version); err != nil {
		bad("go.version: %w", err)
	}
	for arch, tb := range t.Go.Tarballs {
		if !sha256Hex.MatchString(tb.SHA256) {
			bad("go.tarballs.%s: sha256 %q is not 64 lowercase hex digits", arch, tb.SHA256)
		}
		want := fmt.Sprintf("https://go.dev/dl/go%s.linux-%s.tar.gz", t.Go.Version, arch)
		if tb.URL != want {
			bad("go.tarballs.%s: url %q, want %q (the pinned version)", arch, tb.URL, want)
		}
	}

	families := map[string]Family{}
	for i, f := range t.Families {
		where := fmt.Sprintf("families[%d] (%s)", i, f.Name)
		if f.Name == "" {
			bad("%s: no name", where)
		}
		if _, dup := families[f.Name]; dup {
			bad("%s: duplicate family", where)
		}
		families[f.Name] = f
		if !slices.Contains(packageManagers(), f.PackageManager) {
			bad("%s: package_manager %q is not one guest.sh knows %v", where, f.PackageManager, packageManagers())
		}
		for _, p := range append(slices.Clone(f.Packages), f.GoPackage) {
			if !packageName.MatchString(p) {
				bad("%s: %q is not a package name", where, p)
			}
		}
		if !f.RunsCISetup && f.WhyNotCISetup == "" {
			bad("%s: runs_ci_setup is false without why_not_ci_setup", where)
		}
		for p, why := range f.Skipped {
			if why == "" {
				bad("%s: skipped package %s without a reason", where, p)
			}
		}
	}

	seen := map[string]bool{}
	for i, m := range t.Machines {
		where := fmt.Sprintf("machines[%d] (%s)", i, m.Name)
		if !machineName.MatchString(m.Name) {
			bad("%s: name must match %s (it names the VM, out/<name>/ and HARDENLAB_BOX_<NAME>)", where, machineName)
		}
		if seen[m.Name] {
			bad("%s: duplicate machine", where)
		}
		seen[m.Name] = true
		if m.Distro == "" {
			bad("%s: no distro", where)
		}
		if _, ok := families[m.Family]; !ok {
			bad("%s: unknown family %q", where, m.Family)
		}
		for _, p := range Providers() {
			if !boxName.MatchString(m.Boxes[p]) {
				bad("%s: no valid %s box (have %q)", where, p, m.Boxes[p])
			}
		}
		for p := range m.Boxes {
			if !slices.Contains(Providers(), p) {
				bad("%s: box for unknown provider %q", where, p)
			}
		}
		distroGo, err := parseVersion(m.DistroGo)
		if err != nil {
			bad("%s: distro_go: %w", where, err)
			continue
		}
		switch m.Go {
		case GoDistro:
			if distroGo.less(minToolchainSwitch()) {
				bad("%s: go is %q but the distro's Go %s cannot switch to go%s (needs %s or newer); use %q",
					where, GoDistro, m.DistroGo, t.Go.Version, minToolchainSwitch(), GoTarball)
			}
		case GoTarball:
			if _, ok := t.Go.Tarballs["amd64"]; !ok {
				bad("%s: go is %q but go.tarballs has no amd64 entry", where, GoTarball)
			}
			if !distroGo.less(minToolchainSwitch()) {
				bad("%s: go is %q although the distro's Go %s can switch toolchains; prefer %q",
					where, GoTarball, m.DistroGo, GoDistro)
			}
		default:
			bad("%s: go %q is neither %q nor %q", where, m.Go, GoDistro, GoTarball)
		}
	}
	if len(t.Machines) == 0 {
		bad("no machines")
	}
	return errors.Join(errs...)
}

// Family returns the family a machine belongs to.
func (t Table) Family(m Machine) (Family, bool) {
	i := slices.IndexFunc(t.Families, func(f Family) bool { return f.Name == m.Family })
	if i < 0 {
		return Family{}, false
	}
	return t.Families[i], true
}

// GuestEnv is the environment the Vagrantfile gives guest.sh for a machine;
// prebuilt is HARDENLAB_PREBUILT on the host.
func (t Table) GuestEnv(m Machine, prebuilt bool) map[string]string {
	f, _ := t.Family(m)
	yesNo := map[bool]string{true: "yes", false: "no"}
	env := map[string]string{
		"HARDENLAB_MACHINE":         m.Name,
		"HARDENLAB_PACKAGE_MANAGER": f.PackageManager,
		"HARDENLAB_PACKAGES":        strings.Join(f.Packages, " "),
		"HARDENLAB_RUNS_CI_SETUP":   yesNo[f.RunsCISetup],
		"HARDENLAB_GO_SOURCE":       m.Go,
		"HARDENLAB_GO_PACKAGE":      f.GoPackage,
		"HARDENLAB_GO_VERSION":      t.Go.Version,
		"HARDENLAB_PREBUILT":        yesNo[prebuilt],
		"HARDENLAB_SRC":             GuestSource,
	}
	if m.Go == GoTarball {
		tb := t.Go.Tarballs["amd64"]
		env["HARDENLAB_GO_TARBALL_URL"] = tb.URL
		env["HARDENLAB_GO_TARBALL_SHA256"] = tb.SHA256
	}
	return env
}

// GuestSource is where the synced folder puts the tree in every guest.
const GuestSource = "/vagrant"

// version is a Go release number; patch is 0 when absent.
type version struct{ major, minor, patch int }

func parseVersion(s string) (version, error) {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return version{}, fmt.Errorf("%q is not a Go version like 1.22 or 1.26.8", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return version{}, fmt.Errorf("%q is not a Go version like 1.22 or 1.26.8", s)
		}
		n[i] = v
	}
	return version{n[0], n[1], n[2]}, nil
}

func (v version) less(w version) bool {
	return slices.Compare([]int{v.major, v.minor, v.patch}, []int{w.major, w.minor, w.patch}) < 0
}

func (v version) String() string { return fmt.Sprintf("%d.%d.%d", v.major, v.minor, v.patch) }
