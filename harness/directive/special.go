package directive

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
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

// workingDirectorySpec: an absolute path or "~", optionally prefixed "-"
// (missing is fine); systemd reports the "-" as "!".
func workingDirectorySpec() Spec {
	return Spec{
		Name: "WorkingDirectory", Example: "-/srv/www", Section: "Service", Properties: []string{"WorkingDirectory"}, Signature: "s", Kind: KindDirectory,
		Doc: "directory the processes start in",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.WorkingDirectory = ""
				return nil
			}
			v, missingOK := strings.CutPrefix(a.Value, "-")
			if v != "~" {
				var err error
				v, err = checkSpecifiers(v)
				if err == nil {
					v, err = normalizePath(v)
				}
				if err != nil {
					return newError(a, "%v", err)
				}
			}
			if missingOK {
				v = "-" + v
			}
			r.s.WorkingDirectory = v
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop("WorkingDirectory", s.WorkingDirectory)}
		},
		want: func(s *Settings) string {
			if v, ok := strings.CutPrefix(s.WorkingDirectory, "-"); ok {
				return "!" + v
			}
			return s.WorkingDirectory
		},
		got:       gotString,
		isDefault: func(s *Settings) bool { return s.WorkingDirectory == "" },
	}
}

// environmentSpec: "VAR=value" words, unquoted and C-unescaped; a later
// assignment of the same variable replaces the earlier one in place.
func environmentSpec() Spec {
	return Spec{
		Name: "Environment", Example: `LANG=C.UTF-8 "GREETING=hello world"`, Section: "Service", Properties: []string{"Environment"}, Signature: "as", Kind: KindEnvironment,
		Doc: "environment variables of the processes",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.Environment, r.envIndex = nil, nil
				return nil
			}
			if r.envIndex == nil {
				r.envIndex = map[string]int{}
			}
			words, err := splitWords(a.Value, unquote|cunescape)
			if err != nil {
				return newError(a, "%v", err)
			}
			for _, w := range words {
				w, err = checkSpecifiers(w)
				if err != nil {
					return newError(a, "%v", err)
				}
				key, _, ok := strings.Cut(w, "=")
				if !ok || !validEnvName(key) {
					return newError(a, "%q is not a VAR=value assignment with a valid variable name", w)
				}
				if strings.ContainsRune(w, 0) || !utf8Valid(w) {
					return newError(a, "%q is not valid UTF-8 text", w)
				}
				if i, ok := r.envIndex[key]; ok {
					r.s.Environment[i] = w
				} else {
					r.envIndex[key] = len(r.s.Environment)
					r.s.Environment = append(r.s.Environment, w)
				}
			}
			return nil
		},
		props:     func(s *Settings) []dbus.Property { return []dbus.Property{prop("Environment", nonNil(s.Environment))} },
		want:      func(s *Settings) string { return strings.Join(s.Environment, " ") },
		got:       gotStrings,
		isDefault: func(s *Settings) bool { return len(s.Environment) == 0 },
	}
}

func validEnvName(k string) bool {
	if k == "" || len(k) > 4096 || (k[0] >= '0' && k[0] <= '9') {
		return false
	}
	for _, c := range []byte(k) {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func supplementaryGroupsSpec() Spec {
	return Spec{
		Name: "SupplementaryGroups", Example: "adm systemd-journal", Section: "Service", Properties: []string{"SupplementaryGroups"}, Signature: "as", Kind: KindUsers,
		Doc: "extra groups of the processes",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.SupplementaryGroups = nil
				return nil
			}
			words, err := splitWords(a.Value, 0)
			if err != nil {
				return newError(a, "%v", err)
			}
			for _, w := range words {
				w, err = checkSpecifiers(w)
				if err == nil {
					err = checkUserName(w)
				}
				if err != nil {
					return newError(a, "%v", err)
				}
				r.s.SupplementaryGroups = append(r.s.SupplementaryGroups, w)
			}
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop("SupplementaryGroups", nonNil(s.SupplementaryGroups))}
		},
		want:      func(s *Settings) string { return strings.Join(s.SupplementaryGroups, " ") },
		got:       gotStrings,
		isDefault: func(s *Settings) bool { return len(s.SupplementaryGroups) == 0 },
	}
}

// defaultUMask is systemd's UMask= default.
const defaultUMask uint32 = 0o022

func umaskSpec() Spec {
	return Spec{
		Name: "UMask", Example: "0077", Section: "Service", Properties: []string{"UMask"}, Signature: "u", Kind: KindMode,
		Doc: "file mode creation mask, octal",
		apply: func(r *resolver, a Assignment) error {
			n, err := strconv.ParseUint(a.Value, 8, 32)
			if err != nil || n > 0o7777 {
				return newError(a, "not an octal mode 0000..7777")
			}
			r.s.UMask = uint32(n)
			return nil
		},
		props: func(s *Settings) []dbus.Property { return []dbus.Property{prop("UMask", s.UMask)} },
		want:  func(s *Settings) string { return fmt.Sprintf("%04o", s.UMask) },
		got: func(v interface{}) (string, bool) {
			n, ok := v.(uint32)
			return fmt.Sprintf("%04o", n), ok
		},
		isDefault: func(s *Settings) bool { return s.UMask == defaultUMask },
	}
}

// delegateSpec supports the boolean form; a controller list would need
// DelegateControllers, which the Settings contract does not model.
func delegateSpec() Spec {
	s := boolSpec("Delegate", "hand the unit's cgroup subtree to the service", func(s *Settings) *bool { return &s.Delegate })
	boolApply := s.apply
	s.apply = func(r *resolver, a Assignment) error {
		if _, err := parseBool(a.Value); err != nil && a.Value != "" {
			return newError(a, "only yes/no is supported, not a controller list")
		}
		return boolApply(r, a)
	}
	return s
}

// restrictNamespacesSpec merges like config_parse_restrict_namespaces():
// booleans replace, the first list replaces, later lists set or clear bits.
func restrictNamespacesSpec() Spec {
	return Spec{
		Name: "RestrictNamespaces", Example: "uts ipc pid user cgroup", Section: "Service", Properties: []string{"RestrictNamespaces"}, Signature: "t", Kind: KindNamespaces,
		Doc: "namespace types the service may create (yes: none, ~list: all but these)",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.RestrictNamespaces, r.namespacesInitial = NamespacesAll, true
				return nil
			}
			if b, err := parseBool(a.Value); err == nil {
				r.s.RestrictNamespaces, r.namespacesInitial = NamespacesAll, false
				if b {
					r.s.RestrictNamespaces = 0
				}
				return nil
			}
			v, invert := strings.CutPrefix(a.Value, "~")
			flags, err := parseNamespaces(v)
			if err != nil {
				return newError(a, "%v", err)
			}
			switch {
			case r.namespacesInitial && invert:
				r.s.RestrictNamespaces = NamespacesAll &^ flags
			case r.namespacesInitial:
				r.s.RestrictNamespaces = flags
			case invert:
				r.s.RestrictNamespaces &^= flags
			default:
				r.s.RestrictNamespaces |= flags
			}
			r.namespacesInitial = false
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop("RestrictNamespaces", s.RestrictNamespaces)}
		},
		want: func(s *Settings) string { return strconv.FormatUint(s.RestrictNamespaces, 10) },
		got: func(v interface{}) (string, bool) {
			n, ok := v.(uint64)
			return strconv.FormatUint(n, 10), ok
		},
		isDefault: func(s *Settings) bool { return s.RestrictNamespaces == NamespacesAll },
	}
}

// filterWire is the (bas) shape of SystemCallFilter= and
// RestrictAddressFamilies=.
type filterWire struct {
	Allow bool
	Names []string
}

func systemCallFilterSpec() Spec {
	return Spec{
		Name: "SystemCallFilter", Example: "@system-service", Section: "Service", Properties: []string{"SystemCallFilter"}, Signature: "(bas)", Kind: KindSyscalls,
		Doc: "system calls the service may use (~: may not use); @groups allowed",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.SystemCallFilter = nil
				return nil
			}
			v, invert := strings.CutPrefix(a.Value, "~")
			words, err := splitWords(v, 0)
			if err != nil {
				return newError(a, "%v", err)
			}
			if len(words) == 0 {
				return newError(a, `an empty list cannot be sent over D-Bus (it would reset the filter); write SystemCallFilter= to reset`)
			}
			for _, w := range words {
				_, hasErrno, err := parseSyscall(w)
				if err != nil {
					return newError(a, "%v", err)
				}
				if hasErrno && !invert {
					return newError(a, "%q: only denied system calls (~) can carry an errno", w)
				}
			}
			r.s.SystemCallFilter = append(r.s.SystemCallFilter, FilterLine{Allow: !invert, Names: words})
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			if len(s.SystemCallFilter) == 0 {
				return []dbus.Property{prop("SystemCallFilter", filterWire{Names: []string{}})}
			}
			var out []dbus.Property
			for _, l := range s.SystemCallFilter {
				out = append(out, prop("SystemCallFilter", filterWire(l)))
			}
			return out
		},
		isDefault: func(s *Settings) bool { return len(s.SystemCallFilter) == 0 },
		compare:   compareSystemCallFilter,
	}
}

// compareSystemCallFilter checks what can be checked without PID 1's
// group tables: the mode, and the presence of every system call named
// explicitly after the last @group that could have changed it.
func compareSystemCallFilter(want *Settings, v interface{}) (string, string, bool) {
	allow, names, ok := decodeFilter(v)
	if !ok {
		return "(bas)", fmt.Sprint(v), false
	}
	got := make(map[string]bool, len(names))
	for _, n := range names {
		base, _, _ := strings.Cut(n, ":")
		got[base] = true
	}
	wantAllow := false
	expect := map[string]bool{}
	var order []string
	for i, l := range want.SystemCallFilter {
		if i == 0 {
			wantAllow = l.Allow
		}
		for _, w := range l.Names {
			base, _, _ := strings.Cut(w, ":")
			if strings.HasPrefix(base, "@") {
				clear(expect) // the group may add or remove any earlier name
				order = order[:0]
				continue
			}
			if _, seen := expect[base]; !seen {
				order = append(order, base)
			}
			expect[base] = l.Allow == wantAllow
		}
	}
	var wantText, gotText []string
	wantText = append(wantText, modeWord(wantAllow))
	gotText = append(gotText, modeWord(allow))
	equal := allow == wantAllow || len(want.SystemCallFilter) == 0 && !allow
	for _, n := range order {
		wantText = append(wantText, presence(n, expect[n]))
		gotText = append(gotText, presence(n, got[n]))
		equal = equal && expect[n] == got[n]
	}
	return strings.Join(wantText, " "), strings.Join(gotText, " "), equal
}

func modeWord(allow bool) string {
	if allow {
		return "allow-list"
	}
	return "deny-list"
}

func presence(name string, in bool) string {
	if in {
		return "+" + name
	}
	return "-" + name
}

func decodeFilter(v interface{}) (bool, []string, bool) {
	fields, ok := v.([]interface{})
	if !ok || len(fields) != 2 {
		return false, nil, false
	}
	allow, ok1 := fields[0].(bool)
	names, ok2 := fields[1].([]string)
	return allow, names, ok1 && ok2
}

func systemCallErrorNumberSpec() Spec {
	return Spec{
		Name: "SystemCallErrorNumber", Example: "EPERM", Section: "Service", Properties: []string{"SystemCallErrorNumber"}, Signature: "i", Kind: KindErrno,
		Doc: "errno returned by filtered system calls instead of killing the process",
		apply: func(r *resolver, a Assignment) error {
			switch a.Value {
			case "":
				r.s.SystemCallErrorNumber = ""
				return nil
			case "kill":
				r.s.SystemCallErrorNumber = "kill"
				return nil
			}
			n, ok := errnoNumber(a.Value)
			if !ok {
				return newError(a, "not an errno name or number 1..%d", maxErrno)
			}
			r.s.SystemCallErrorNumber = errnoName(n)
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop("SystemCallErrorNumber", errnoValue(s.SystemCallErrorNumber))}
		},
		want: func(s *Settings) string { return strconv.Itoa(int(errnoValue(s.SystemCallErrorNumber))) },
		got: func(v interface{}) (string, bool) {
			n, ok := v.(int32)
			return strconv.Itoa(int(n)), ok
		},
		isDefault: func(s *Settings) bool { return s.SystemCallErrorNumber == "" || s.SystemCallErrorNumber == "kill" },
	}
}

func errnoValue(name string) int32 {
	if name == "" || name == "kill" {
		return seccompErrnoKill
	}
	n, _ := errnoNumber(name)
	return n
}

func systemCallArchitecturesSpec() Spec {
	return Spec{
		Name: "SystemCallArchitectures", Example: "native", Section: "Service", Properties: []string{"SystemCallArchitectures"}, Signature: "as", Kind: KindArchitectures,
		Doc: "ABIs the service may use for system calls (native: only the host's)",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.SystemCallArchitectures = nil
				return nil
			}
			words, err := splitWords(a.Value, unquote)
			if err != nil {
				return newError(a, "%v", err)
			}
			for _, w := range words {
				if !isArchitecture(w) {
					return newError(a, "unknown architecture %q", w)
				}
				if !slices.Contains(r.s.SystemCallArchitectures, w) {
					r.s.SystemCallArchitectures = append(r.s.SystemCallArchitectures, w)
				}
			}
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop("SystemCallArchitectures", nonNil(s.SystemCallArchitectures))}
		},
		want: func(s *Settings) string { return sortedJoin(s.SystemCallArchitectures) },
		got: func(v interface{}) (string, bool) {
			l, ok := v.([]string)
			return sortedJoin(l), ok
		},
		isDefault: func(s *Settings) bool { return len(s.SystemCallArchitectures) == 0 },
	}
}

func sortedJoin(l []string) string {
	c := slices.Clone(l)
	slices.Sort(c)
	return strings.Join(c, " ")
}

// restrictAddressFamiliesSpec merges like config_parse_address_families():
// the first line after a reset fixes allow/deny mode, later lines add
// (same mode) or remove (other mode); "none" is an empty allow-list.
func restrictAddressFamiliesSpec() Spec {
	return Spec{
		Name: "RestrictAddressFamilies", Example: "AF_UNIX AF_INET AF_INET6", Section: "Service", Properties: []string{"RestrictAddressFamilies"}, Signature: "(bas)", Kind: KindFamilies,
		Doc: "socket address families the service may use (~: may not use; none: no sockets)",
		apply: func(r *resolver, a Assignment) error {
			af := &r.s.RestrictAddressFamilies
			switch a.Value {
			case "":
				*af, r.familiesListed = AddressFamilies{}, false
				return nil
			case "none":
				*af, r.familiesListed = AddressFamilies{Set: true, Allow: true}, false
				return nil
			}
			v, invert := strings.CutPrefix(a.Value, "~")
			words, err := splitWords(v, unquote)
			if err != nil {
				return newError(a, "%v", err)
			}
			var names []string
			for _, w := range words {
				name, _, ok := addressFamily(w)
				if !ok {
					return newError(a, "unknown address family %q", w)
				}
				names = append(names, name)
			}
			if !r.familiesListed {
				*af = AddressFamilies{Set: true, Allow: !invert}
				r.familiesListed = true
			}
			for _, n := range names {
				if !invert == af.Allow {
					if !slices.Contains(af.Families, n) {
						af.Families = append(af.Families, n)
					}
				} else {
					af.Families = slices.DeleteFunc(af.Families, func(f string) bool { return f == n })
				}
			}
			slices.Sort(af.Families)
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			af := s.RestrictAddressFamilies
			return []dbus.Property{prop("RestrictAddressFamilies", filterWire{Allow: af.Allow, Names: nonNil(af.Families)})}
		},
		want: func(s *Settings) string {
			af := s.RestrictAddressFamilies
			return modeWord(af.Allow) + " " + familyNumbers(af.Families)
		},
		got: func(v interface{}) (string, bool) {
			allow, names, ok := decodeFilter(v)
			return modeWord(allow) + " " + familyNumbers(names), ok
		},
		isDefault: func(s *Settings) bool { return !s.RestrictAddressFamilies.Set },
	}
}

// familyNumbers renders families by number, so that aliases (AF_LOCAL,
// AF_UNIX) compare equal.
func familyNumbers(names []string) string {
	nums := make([]int, 0, len(names))
	for _, n := range names {
		if _, num, ok := addressFamily(n); ok {
			nums = append(nums, num)
		} else {
			nums = append(nums, -1)
		}
	}
	slices.Sort(nums)
	return fmt.Sprint(nums)
}

// ipWire is the (iayu) element of IPAddressAllow=/IPAddressDeny=.
type ipWire struct {
	Family    int32
	Address   []byte
	PrefixLen uint32
}

const (
	afInet  = 2
	afInet6 = 10
)

func ipAddressSpec(name, doc, example string, field func(*Settings) *[]netip.Prefix) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "a(iayu)", Kind: KindAddresses, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if r.prefixSeen == nil {
				r.prefixSeen = map[string]map[netip.Prefix]bool{}
			}
			if a.Value == "" {
				*field(r.s), r.prefixSeen[name] = nil, nil
				return nil
			}
			if r.prefixSeen[name] == nil {
				r.prefixSeen[name] = map[netip.Prefix]bool{}
			}
			words, err := splitWords(a.Value, 0)
			if err != nil {
				return newError(a, "%v", err)
			}
			for _, w := range words {
				prefixes, err := parseAddressWord(w)
				if err != nil {
					return newError(a, "%v", err)
				}
				for _, p := range prefixes {
					if !r.prefixSeen[name][p] {
						r.prefixSeen[name][p] = true
						*field(r.s) = append(*field(r.s), p)
					}
				}
			}
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			wire := []ipWire{}
			for _, p := range *field(s) {
				w := ipWire{Family: afInet6, PrefixLen: uint32(p.Bits())}
				if p.Addr().Is4() {
					w.Family = afInet
				}
				w.Address = p.Addr().AsSlice()
				wire = append(wire, w)
			}
			return []dbus.Property{prop(name, wire)}
		},
		want: func(s *Settings) string {
			l := make([]string, 0, len(*field(s)))
			for _, p := range *field(s) {
				l = append(l, p.String())
			}
			return sortedJoin(l)
		},
		got: func(v interface{}) (string, bool) {
			rows, ok := v.([][]interface{})
			if !ok {
				return fmt.Sprint(v), false
			}
			var l []string
			for _, row := range rows {
				if len(row) != 3 {
					return fmt.Sprint(v), false
				}
				b, _ := row[1].([]byte)
				n, _ := row[2].(uint32)
				addr, ok := netip.AddrFromSlice(b)
				if !ok {
					return fmt.Sprint(v), false
				}
				l = append(l, netip.PrefixFrom(addr, int(n)).String())
			}
			return sortedJoin(l), true
		},
		isDefault: func(s *Settings) bool { return len(*field(s)) == 0 },
	}
}

// deviceAllowSpec: "PATH [rwm]" per line; PATH is a /dev node or a
// char-/block- class.
func deviceAllowSpec() Spec {
	return Spec{
		Name: "DeviceAllow", Example: "/dev/null rw", Section: "Service", Properties: []string{"DeviceAllow"}, Signature: "a(ss)", Kind: KindDevice,
		Doc: "devices the service may access, with r/w/m (mknod) rights",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.DeviceAllow = nil
				return nil
			}
			dev, rest, _, err := nextWord(a.Value, unquote)
			if err != nil {
				return newError(a, "%v", err)
			}
			if dev, err = checkSpecifiers(dev); err != nil {
				return newError(a, "%v", err)
			}
			if !strings.HasPrefix(dev, "char-") && !strings.HasPrefix(dev, "block-") {
				clean, err := normalizePath(dev)
				if err != nil || !(strings.HasPrefix(clean, "/dev/") || strings.HasPrefix(clean, "/run/systemd/inaccessible/")) {
					return newError(a, "%q is neither a device node under /dev nor a char-/block- class", dev)
				}
				dev = clean
			}
			perms := strings.TrimRight(rest, wordSeparators)
			if strings.Trim(perms, "rwm") != "" {
				return newError(a, "rights %q may only contain r, w and m", perms)
			}
			r.s.DeviceAllow = append(r.s.DeviceAllow, DeviceRule{Path: dev, Perms: canonicalPerms(perms)})
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			wire := []deviceWire{}
			for _, d := range s.DeviceAllow {
				wire = append(wire, deviceWire(d))
			}
			return []dbus.Property{prop("DeviceAllow", wire)}
		},
		isDefault: func(s *Settings) bool { return len(s.DeviceAllow) == 0 },
		compare:   compareDeviceAllow,
	}
}

type deviceWire struct {
	Path, Perms string
}

func canonicalPerms(p string) string {
	if p == "" {
		return "rwm"
	}
	out := ""
	for _, c := range "rwm" {
		if strings.ContainsRune(p, c) {
			out += string(c)
		}
	}
	return out
}

// compareDeviceAllow: every rule meant must be stored; systemd adds rules
// of its own (ProtectClock=, RootImage=), and stores rules newest first.
func compareDeviceAllow(want *Settings, v interface{}) (string, string, bool) {
	rows, ok := v.([][]interface{})
	if !ok {
		return "a(ss)", fmt.Sprint(v), false
	}
	var got []string
	for _, row := range rows {
		if len(row) != 2 {
			return "a(ss)", fmt.Sprint(v), false
		}
		p, _ := row[0].(string)
		perms, _ := row[1].(string)
		got = append(got, p+":"+canonicalPerms(perms))
	}
	var wantL []string
	equal := true
	for _, d := range want.DeviceAllow {
		e := d.Path + ":" + d.Perms
		wantL = append(wantL, e)
		equal = equal && slices.Contains(got, e)
	}
	return sortedJoin(wantL), sortedJoin(got), equal
}
