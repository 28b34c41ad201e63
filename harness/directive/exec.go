package directive

import (
	"errors"
	"fmt"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"
)

// execSpec parses command lines like config_parse_exec(): words are
// unquoted and C-unescaped, ";" separates commands, "-" and "@" prefixes
// are honoured and the prefixes that would lift the sandbox are refused.
func execSpec(name, doc, example string, field func(*Settings) *[]ExecCommand) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "a(sasb)", Kind: KindCommand, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				*field(r.s) = nil
				return nil
			}
			cmds, err := parseCommands(a.Value)
			if err != nil {
				return newError(a, "%v", err)
			}
			*field(r.s) = append(*field(r.s), cmds...)
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			cmds := commandsOf(s, name)
			wire := make([]execWire, 0, len(cmds))
			for _, c := range cmds {
				wire = append(wire, execWire(c))
			}
			return []dbus.Property{prop(name, wire)}
		},
		want: func(s *Settings) string { return renderCommands(commandsOf(s, name)) },
		got: func(v interface{}) (string, bool) {
			rows, ok := v.([][]interface{})
			if !ok {
				return fmt.Sprint(v), false
			}
			var cmds []ExecCommand
			for _, row := range rows {
				if len(row) < 3 {
					return fmt.Sprint(v), false
				}
				p, _ := row[0].(string)
				argv, _ := row[1].([]string)
				ign, _ := row[2].(bool)
				cmds = append(cmds, ExecCommand{Path: p, Argv: argv, IgnoreFailure: ign})
			}
			return renderCommands(cmds), true
		},
		isDefault: func(s *Settings) bool { return len(commandsOf(s, name)) == 0 },
	}
}

// execWire is the (sasb) element of ExecStart=/ExecStop=: godbus derives
// the signature from the field order.
type execWire struct {
	Path          string
	Argv          []string
	IgnoreFailure bool
}

// commandsOf returns the commands of ExecStart or ExecStop, derived from
// the plain argv form when Settings was built by hand.
func commandsOf(s *Settings, name string) []ExecCommand {
	cmds, argvs := s.ExecStartCommands, s.ExecStart
	if name == "ExecStop" {
		cmds, argvs = s.ExecStopCommands, s.ExecStop
	}
	if len(cmds) > 0 {
		return cmds
	}
	for _, argv := range argvs {
		if len(argv) > 0 {
			cmds = append(cmds, ExecCommand{Path: argv[0], Argv: argv})
		}
	}
	return cmds
}

func renderCommands(cmds []ExecCommand) string {
	parts := make([]string, 0, len(cmds))
	for _, c := range cmds {
		ign := ""
		if c.IgnoreFailure {
			ign = "-"
		}
		parts = append(parts, fmt.Sprintf("%s%s %q", ign, c.Path, c.Argv))
	}
	return strings.Join(parts, "; ")
}

// execPrefixRefusals explains why hardenlab refuses the prefixes that run
// a command outside the sandbox or change how it is expanded.
var execPrefixRefusals = [...]struct {
	Prefix, Reason string
}{
	{"!!", `prefix "!!" (ambient capabilities instead of user change) is not supported: hardenlab never runs anything with loosened credentials`},
	{"+", `prefix "+" (run with full privileges, outside the sandbox) is not supported: hardenlab never runs anything unsandboxed`},
	{"!", `prefix "!" (skip the user/group change) is not supported: hardenlab never runs anything with loosened credentials`},
	{":", `prefix ":" (no environment variable expansion) is not supported: it needs ExecStartEx, which hardenlab does not send`},
}

func parseCommands(value string) ([]ExecCommand, error) {
	var cmds []ExecCommand
	rest := value
	for {
		first, after, ok, err := nextWord(rest, unquote|cunescape)
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		rest = after
		if first == ";" {
			continue
		}
		cmd, tail, err := parseCommand(first, rest)
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, cmd)
		rest = tail
	}
	if len(cmds) == 0 {
		return nil, fmt.Errorf("no command")
	}
	return cmds, nil
}

// cutExecPrefixes strips the "-" and "@" prefixes (each at most once, in
// any order, as config_parse_exec() reads them) and refuses the others.
func cutExecPrefixes(word string) (rest string, ignoreFailure, separateArgv0 bool, err error) {
	for len(word) > 0 {
		switch {
		case word[0] == '-' && !ignoreFailure:
			ignoreFailure = true
		case word[0] == '@' && !separateArgv0:
			separateArgv0 = true
		case word[0] == '+' || word[0] == '!' || word[0] == ':':
			for _, p := range execPrefixRefusals {
				if strings.HasPrefix(word, p.Prefix) {
					return "", false, false, errors.New(p.Reason)
				}
			}
		default:
			return word, ignoreFailure, separateArgv0, nil
		}
		word = word[1:]
	}
	return word, ignoreFailure, separateArgv0, nil
}

// parseCommand finishes one command whose first word is first; it returns
// the text after the command's terminating ";" (if any).
func parseCommand(first, rest string) (ExecCommand, string, error) {
	var cmd ExecCommand
	f, ignoreFailure, separateArgv0, err := cutExecPrefixes(first)
	if err != nil {
		return cmd, "", err
	}
	cmd.IgnoreFailure = ignoreFailure
	p, err := checkSpecifiers(f)
	if err != nil {
		return cmd, "", err
	}
	switch {
	case p == "":
		return cmd, "", fmt.Errorf("empty executable path")
	case strings.HasSuffix(p, "/"):
		return cmd, "", fmt.Errorf("executable path %q is a directory", p)
	case strings.ContainsAny(p, "\"'\\"):
		return cmd, "", fmt.Errorf("executable path %q contains quotes or backslashes", p)
	}
	if err := checkPathText(p); err != nil {
		return cmd, "", err
	}
	if strings.HasPrefix(p, "/") {
		if strings.Contains(p+"/", "/../") {
			return cmd, "", fmt.Errorf("executable path %q contains \"..\"", p)
		}
	} else if strings.Contains(p, "/") || p == "." || p == ".." {
		return cmd, "", fmt.Errorf("executable %q is neither an absolute path nor a plain file name", p)
	}
	var argv []string
	if !separateArgv0 {
		argv = append(argv, p)
	}
	cmd.Path = simplifyExecPath(p)
	for {
		trimmed := strings.TrimLeft(rest, wordSeparators)
		if trimmed == "" {
			rest = ""
			break
		}
		if trimmed[0] == ';' && (len(trimmed) == 1 || strings.IndexByte(wordSeparators, trimmed[1]) >= 0) {
			rest = trimmed[1:]
			break
		}
		if strings.HasPrefix(trimmed, `\;`) && (len(trimmed) == 2 || strings.IndexByte(wordSeparators, trimmed[2]) >= 0) {
			argv = append(argv, ";")
			rest = trimmed[2:]
			continue
		}
		w, after, ok, err := nextWord(trimmed, unquote|cunescape)
		if err != nil {
			return cmd, "", err
		}
		if !ok {
			rest = ""
			break
		}
		w, err = checkSpecifiers(w)
		if err != nil {
			return cmd, "", err
		}
		argv = append(argv, w)
		rest = after
	}
	if len(argv) == 0 {
		return cmd, "", fmt.Errorf("empty argv[0] after the @ prefix")
	}
	cmd.Argv = argv
	return cmd, rest, nil
}

func simplifyExecPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return p
	}
	clean, err := normalizePath(p)
	if err != nil {
		return p
	}
	return clean
}
