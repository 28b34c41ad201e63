package vagrant

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// GuestCommands runs guest.sh for a machine in dry-run mode, as on a fresh
// box, and returns the commands it would run, in order. Nothing is
// installed or started; the script only prints.
func GuestCommands(ctx context.Context, repo string, env map[string]string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repo, GuestScript))
	// Only the variables the Vagrantfile sets, so the host's environment
	// cannot change what the script decides.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HARDENLAB_GUEST_DRY_RUN=1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dry-running %s for %s: %w: %s", GuestScript, env["HARDENLAB_MACHINE"], err, strings.TrimSpace(stderr.String()))
	}
	var cmds []string
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "+ ")
		if !ok {
			return nil, fmt.Errorf("dry-running %s for %s: unexpected output line %q", GuestScript, env["HARDENLAB_MACHINE"], sc.Text())
		}
		cmds = append(cmds, line)
	}
	return cmds, sc.Err()
}

// readmeCommand is an indented code line of the README that runs one of the
// repository's .ci scripts: the commands the README tells people to run.
var readmeCommand = regexp.MustCompile(`^(?:    |\t)(bash \.ci/\S+(?: .*)?)$`)

// QuickStart is the README section whose commands every machine runs: the
// main job and the tests. Other sections document commands that make no
// sense inside a VM (validating the Vagrantfile, for one).
const QuickStart = "Quick start"

// DocumentedCommands returns the `bash .ci/...` command lines of the
// README's level-2 section whose heading starts with section, in order,
// without duplicates; an error when there is no such section.
func DocumentedCommands(readme []byte, section string) ([]string, error) {
	var cmds []string
	in, found := false, false
	sc := bufio.NewScanner(bytes.NewReader(readme))
	for sc.Scan() {
		line := sc.Text()
		if heading, ok := strings.CutPrefix(line, "## "); ok {
			in = strings.HasPrefix(heading, section)
			found = found || in
			continue
		}
		if !in {
			continue
		}
		m := readmeCommand.FindStringSubmatch(line)
		if m != nil && !slices.Contains(cmds, strings.TrimSpace(m[1])) {
			cmds = append(cmds, strings.TrimSpace(m[1]))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the README: %w", err)
	}
	if !found {
		return nil, fmt.Errorf("the README has no \"## %s\" section", section)
	}
	return cmds, nil
}

// CIScript is one .ci script's command lines: comments, blank lines, `set`
// and `cd` dropped, continuation lines joined.
type CIScript struct {
	Path     string
	Commands []string
}

// LoadCIScript reads a .ci script.
func LoadCIScript(path string) (CIScript, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return CIScript{}, fmt.Errorf("reading a CI script: %w", err)
	}
	s := CIScript{Path: path}
	var pending string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if cont, ok := strings.CutSuffix(line, "\\"); ok {
			pending += strings.TrimSpace(cont) + " "
			continue
		}
		line = pending + line
		pending = ""
		if line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "set ") || strings.HasPrefix(line, "cd ") {
			continue
		}
		s.Commands = append(s.Commands, line)
	}
	return s, nil
}

// setupPackages matches .ci/setup's loop over the packages it installs.
var setupPackages = regexp.MustCompile(`^for pkg in ([^;]+); do`)

// Packages returns the packages a setup script's `for pkg in ...` loop
// installs.
func (s CIScript) Packages() ([]string, error) {
	for _, c := range s.Commands {
		if m := setupPackages.FindStringSubmatch(c); m != nil {
			return strings.Fields(m[1]), nil
		}
	}
	return nil, fmt.Errorf("%s: no `for pkg in ...; do` line naming the packages it installs", s.Path)
}

// WithoutSetup is the script's work as one command line without its
// `bash .ci/setup` step, "$@" replaced by args and exec dropped: what a
// machine whose distribution .ci/setup cannot serve runs instead.
func (s CIScript) WithoutSetup(args string) string {
	var parts []string
	for _, c := range s.Commands {
		if c == "bash .ci/setup" {
			continue
		}
		c = strings.TrimPrefix(c, "exec ")
		c = strings.ReplaceAll(c, `"$@"`, args)
		parts = append(parts, strings.Join(strings.Fields(c), " "))
	}
	return strings.Join(parts, " && ")
}
