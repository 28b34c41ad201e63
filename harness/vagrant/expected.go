package vagrant

import (
	"fmt"
	"path"
	"strings"
)

// HostRunFlags are the flags every machine adds to the README's run
// command ("$@" in .ci/main): host mode is required, not a fallback, and
// the records land where the Vagrantfile copies them from.
func HostRunFlags(machine string) string {
	return "--sandbox host --json --out " + path.Join("out", machine, "run.json")
}

// ExpectedCommands is what a machine must run for the README's commands to
// count as run there: each documented command line as written, with
// HostRunFlags given to scripts that pass "$@" on. Where the family cannot
// run .ci/setup, its step is left out (the guest installs the packages
// itself) and scripts that call it are replaced by their remaining lines.
// With prebuilt binaries, only the lines that pass "$@" on remain: nothing
// is built or tested.
func ExpectedCommands(f Family, machine string, prebuilt bool, readme []string, scripts map[string]CIScript) ([]string, error) {
	flags := HostRunFlags(machine)
	var want []string
	for _, line := range readme {
		var parts []string
		for _, part := range strings.Split(line, " && ") {
			name, ok := strings.CutPrefix(strings.TrimSpace(part), "bash ")
			if !ok {
				return nil, fmt.Errorf("README command %q: %q does not run a .ci script", line, part)
			}
			script, ok := scripts[name]
			if !ok {
				return nil, fmt.Errorf("README command %q runs %s, which is not in the repository", line, name)
			}
			passesArgs := script.passesArgs()
			switch {
			case prebuilt:
				if passesArgs {
					parts = append(parts, script.argsLine(flags))
				}
			case f.RunsCISetup:
				if passesArgs {
					part += " " + flags
				}
				parts = append(parts, part)
			case name == ".ci/setup":
			case script.callsSetup():
				parts = append(parts, script.WithoutSetup(flags))
			default:
				parts = append(parts, part)
			}
		}
		if len(parts) > 0 {
			want = append(want, strings.Join(parts, " && "))
		}
	}
	return want, nil
}

func (s CIScript) passesArgs() bool {
	for _, c := range s.Commands {
		if strings.Contains(c, `"$@"`) {
			return true
		}
	}
	return false
}

func (s CIScript) callsSetup() bool {
	for _, c := range s.Commands {
		if c == "bash .ci/setup" {
			return true
		}
	}
	return false
}

// argsLine is the line that passes "$@" on, with args in its place.
func (s CIScript) argsLine(args string) string {
	for _, c := range s.Commands {
		if strings.Contains(c, `"$@"`) {
			c = strings.TrimPrefix(c, "exec ")
			return strings.Join(strings.Fields(strings.ReplaceAll(c, `"$@"`, args)), " ")
		}
	}
	return ""
}
