package vagrant

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrNoVagrant is returned by Validate when the vagrant command is not
// installed.
var ErrNoVagrant = errors.New("vagrant is not installed (Debian: apt-get install --no-install-recommends vagrant vagrant-libvirt)")

// ValidateOptions says how `vagrant validate` should judge the Vagrantfile.
type ValidateOptions struct {
	// Provider is the provider whose config blocks are validated too (by
	// that provider's own plugin); empty with IgnoreProvider.
	Provider string
	// IgnoreProvider validates everything but provider config blocks
	// (vagrant validate --ignore-provider).
	IgnoreProvider bool
	// StubVBoxManage puts a VBoxManage on PATH that only answers
	// --version, so that Vagrant's VirtualBox plugin agrees to validate the
	// virtualbox blocks on a machine without VirtualBox (Debian main has
	// none). Nothing is ever started: validate does not call it otherwise.
	StubVBoxManage bool
}

// PlannedMachine is one machine as the Vagrantfile defines it, dumped by the
// Vagrantfile itself when HARDENLAB_VAGRANT_PLAN names a file.
type PlannedMachine struct {
	Name      string            `json:"name"`
	Boxes     map[string]string `json:"boxes"`
	Provision string            `json:"provision"`
	Env       map[string]string `json:"env"`
}

// ValidateResult is what `vagrant validate` said and what the Vagrantfile
// defined while it was loaded.
type ValidateResult struct {
	Output string
	Plan   []PlannedMachine
}

// Validate runs `vagrant validate` on the repository's Vagrantfile, with
// Vagrant's state (VAGRANT_HOME, .vagrant) in a temporary directory that is
// removed afterwards, so nothing is left in the tree or in ~/.vagrant.d.
// Host settings that change the machines (HARDENLAB_PREBUILT,
// HARDENLAB_BOX_*) are not passed on. No box is downloaded.
func Validate(ctx context.Context, repo string, opts ValidateOptions) (ValidateResult, error) {
	vagrant, err := exec.LookPath("vagrant")
	if err != nil {
		return ValidateResult{}, ErrNoVagrant
	}
	if opts.IgnoreProvider == (opts.Provider != "") {
		return ValidateResult{}, errors.New("validating the Vagrantfile: give either a provider or IgnoreProvider")
	}
	state, err := os.MkdirTemp("", "hardenlab-vagrant-validate-")
	if err != nil {
		return ValidateResult{}, fmt.Errorf("validating the Vagrantfile: %w", err)
	}
	defer os.RemoveAll(state)

	path := os.Getenv("PATH")
	if opts.StubVBoxManage {
		bin := filepath.Join(state, "bin")
		stub := "#!/bin/sh\n# Stub for vagrant validate: answers --version only.\n" +
			"[ \"$1\" = --version ] && { echo 7.0.20r163906; exit 0; }\necho \"stub VBoxManage: $*\" >&2\nexit 1\n"
		if err := os.MkdirAll(bin, 0o755); err != nil {
			return ValidateResult{}, fmt.Errorf("validating the Vagrantfile: %w", err)
		}
		if err := os.WriteFile(filepath.Join(bin, "VBoxManage"), []byte(stub), 0o755); err != nil {
			return ValidateResult{}, fmt.Errorf("validating the Vagrantfile: %w", err)
		}
		path = bin + string(os.PathListSeparator) + path
	}
	planFile := filepath.Join(state, "plan.json")
	env := []string{
		"PATH=" + path,
		"HOME=" + state,
		"VAGRANT_HOME=" + filepath.Join(state, "vagrant.d"),
		"VAGRANT_DOTFILE_PATH=" + filepath.Join(state, "dotfile"),
		"VAGRANT_CWD=" + repo,
		"VAGRANT_CHECKPOINT_DISABLE=1",
		"VAGRANT_NO_COLOR=1",
		"HARDENLAB_VAGRANT_PLAN=" + planFile,
	}
	if opts.Provider != "" {
		env = append(env, "VAGRANT_DEFAULT_PROVIDER="+opts.Provider)
	}
	args := []string{"validate"}
	if opts.IgnoreProvider {
		args = append(args, "--ignore-provider")
	}
	cmd := exec.CommandContext(ctx, vagrant, args...)
	cmd.Dir = repo
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	res := ValidateResult{}
	runErr := cmd.Run()
	res.Output = strings.TrimSpace(out.String())
	if runErr != nil {
		return res, fmt.Errorf("vagrant validate (%s) failed: %w:\n%s", opts.describe(), runErr, res.Output)
	}
	b, err := os.ReadFile(planFile)
	if err != nil {
		return res, fmt.Errorf("vagrant validate (%s) passed but the Vagrantfile wrote no plan: %w", opts.describe(), err)
	}
	if err := json.Unmarshal(b, &res.Plan); err != nil {
		return res, fmt.Errorf("decoding the Vagrantfile's plan: %w", err)
	}
	return res, nil
}

func (o ValidateOptions) describe() string {
	if o.IgnoreProvider {
		return "--ignore-provider"
	}
	s := "provider " + o.Provider
	if o.StubVBoxManage {
		s += ", stub VBoxManage"
	}
	return s
}
