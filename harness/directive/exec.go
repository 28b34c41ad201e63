package directive

import (
	"fmt"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"
)

// execSpec parses command lines like config_parse_exec(): words are
// unquoted and C-unescaped, ";" separates commands, every prefix is kept
// and specifiers are expanded word by word (after the split, as systemd
// does, so an expansion with spaces stays one word). Commands whose
// prefixes the (sasb) form cannot carry are sent as NAMEEx, "a(sasas)",
// whose flag words are bus-unit-util.c's.
func execSpec(name, doc, example string, field func(*Settings) *[]ExecCommand) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "a(sasb)", Kind: KindCommand, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				*field(r.s) = nil
				return nil
			}
			cmds, err := parseCommands(a)
			if err != nil {
				return newError(a, "%v", err)
			}
			*field(r.s) = append(*field(r.s), cmds...)
			return nil
		},
		props: func(s *Settings) []dbus.Property { return execProperties(name, commandsOf(s, name)) },
		want:  func(s *Settings) string { return renderCommands(commandsOf(s, name)) },
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

// ExecExSignature is the D-Bus signature of ExecStartEx=/ExecStopEx=.
const ExecExSignature = "a(sasas)"

// execProperties sends the commands in the oldest form that carries all
// of their prefixes: (sasb) when only "-" and "@" are used (the "@" is
// argv[0] differing from the path), else the Ex form.
func execProperties(name string, cmds []ExecCommand) []dbus.Property {
	needEx := false
	for _, c := range cmds {
		if c.NoEnvExpand || c.Privileged || c.NoSetuid || c.AmbientMagic {
			needEx = true
		}
	}
	if !needEx {
		wire := make([]execWire, 0, len(cmds))
		for _, c := range cmds {
			wire = append(wire, execWire{Path: c.Path, Argv: c.Argv, IgnoreFailure: c.IgnoreFailure})
		}
		return []dbus.Property{prop(name, wire)}
	}
	wire := make([]execExWire, 0, len(cmds))
	for _, c := range cmds {
		wire = append(wire, execExWire{Path: c.Path, Argv: c.Argv, Flags: c.Flags()})
	}
	return []dbus.Property{prop(name+"Ex", wire)}
}

// execWire is the (sasb) element of ExecStart=/ExecStop=: godbus derives
// the signature from the field order.
type execWire struct {
	Path          string
	Argv          []string
	IgnoreFailure bool
}

// CommandProperty says whether a D-Bus property carries the command
// directive (ExecStart, ExecStop, ...), in either form execProperties
// sends it.
func CommandProperty(prop, directive string) bool {
	return prop == directive || prop == directive+"Ex"
}

// execExWire is the (sasas) element of ExecStartEx=/ExecStopEx=.
type execExWire struct {
	Path  string
	Argv  []string
	Flags []string
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

// renderCommands shows what ExecStart=/ExecStop= read back as: the
// (sasb...) form, which carries only the "-" of the prefixes.
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

func parseCommands(a Assignment) ([]ExecCommand, error) {
	var cmds []ExecCommand
	rest := a.Value
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
		cmd, tail, err := parseCommand(a, first, rest)
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

// cutExecPrefixes strips the prefixes as config_parse_exec() reads them:
// "-", "@" and ":" at most once each, in any order; "+", "!" and "!!"
// exclude each other, and a second "!" (even after other prefixes, as in
// "!-!") turns "!" into "!!". Anything else ends the prefixes and stays
// part of the path.
func cutExecPrefixes(word string) (rest string, c ExecCommand) {
	for ; len(word) > 0; word = word[1:] {
		credentials := c.Privileged || c.NoSetuid || c.AmbientMagic
		switch {
		case word[0] == '-' && !c.IgnoreFailure:
			c.IgnoreFailure = true
		case word[0] == '@' && !c.SeparateArgv0:
			c.SeparateArgv0 = true
		case word[0] == ':' && !c.NoEnvExpand:
			c.NoEnvExpand = true
		case word[0] == '+' && !credentials:
			c.Privileged = true
		case word[0] == '!' && !credentials:
			c.NoSetuid = true
		case word[0] == '!' && c.NoSetuid && !c.Privileged && !c.AmbientMagic:
			c.NoSetuid, c.AmbientMagic = false, true
		default:
			return word, c
		}
	}
	return word, c
}

// parseCommand finishes one command whose first word is first; it returns
// the text after the command's terminating ";" (if any).
func parseCommand(a Assignment, first, rest string) (ExecCommand, string, error) {
	f, cmd := cutExecPrefixes(first)
	p, err := a.expand(f)
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
	if !cmd.SeparateArgv0 {
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
		w, err = a.expand(w)
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
