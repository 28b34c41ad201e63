package directive

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"
)

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
				v, err = a.expand(v)
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
				w, err = a.expand(w)
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
				w, err = a.expand(w)
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

// delegateSpec models config_parse_delegate and bus-unit-util: a boolean
// sets Delegate= (yes: every controller), anything else is a controller
// list, which means yes plus those controllers; an empty value is yes
// with none, and later lists add to earlier ones. A list is sent as
// DelegateControllers "as", which PID 1 reads the same way.
func delegateSpec() Spec {
	return Spec{
		Name: "Delegate", Example: "pids memory", Section: "Service", Properties: []string{"Delegate", "DelegateControllers"}, Signature: "b as",
		Kind: KindDelegate, Doc: "hand the unit's cgroup subtree to the service (yes, or the controllers to delegate)",
		apply: applyDelegate,
		props: func(s *Settings) []dbus.Property {
			if s.DelegateControllers == nil {
				return []dbus.Property{prop("Delegate", s.Delegate)}
			}
			return []dbus.Property{prop("DelegateControllers", nonNil(s.DelegateControllers))}
		},
		want:         func(s *Settings) string { return strconv.FormatBool(s.Delegate) },
		got:          gotBool,
		compareProps: compareDelegate,
		isDefault:    func(s *Settings) bool { return !s.Delegate && s.DelegateControllers == nil },
	}
}

// compareDelegate reads Delegate back, and for a list that every listed
// controller is among DelegateControllers (PID 1 lists its mask, which
// may name more than the unit did).
func compareDelegate(want *Settings, got map[string]interface{}) (string, string, bool) {
	wantText := strconv.FormatBool(want.Delegate)
	b, ok := got["Delegate"].(bool)
	if !ok {
		return wantText, fmt.Sprintf("unexpected %T %v", got["Delegate"], got["Delegate"]), false
	}
	gotText := strconv.FormatBool(b)
	if len(want.DelegateControllers) == 0 || b != want.Delegate {
		return wantText, gotText, b == want.Delegate
	}
	listed, _ := got["DelegateControllers"].([]string)
	wantText += " " + strings.Join(want.DelegateControllers, " ")
	gotText += " " + strings.Join(listed, " ")
	for _, c := range want.DelegateControllers {
		if !slices.Contains(listed, c) {
			return wantText, gotText, false
		}
	}
	return wantText, wantText, true
}

func applyDelegate(r *resolver, a Assignment) error {
	if b, err := ParseBool(a.Value); err == nil {
		r.s.Delegate, r.s.DelegateControllers = b, nil
		return nil
	}
	words, err := splitWords(a.Value, unquote)
	if err != nil {
		return newError(a, "%v", err)
	}
	for _, w := range words {
		if !slices.Contains(delegateControllers, w) {
			return newError(a, "unknown cgroup controller %q (want one of %s, or a boolean); systemd would log \"Invalid controller name\" and ignore it", w, strings.Join(delegateControllers, ", "))
		}
	}
	switch {
	case r.s.Delegate && r.s.DelegateControllers == nil && len(words) > 0:
		// Delegate=yes already hands over every controller.
	case len(words) == 0:
		r.s.Delegate, r.s.DelegateControllers = true, []string{}
	default:
		r.s.Delegate = true
		for _, w := range words {
			if !slices.Contains(r.s.DelegateControllers, w) {
				r.s.DelegateControllers = append(r.s.DelegateControllers, w)
			}
		}
	}
	return nil
}

// delegateControllers are the names systemd 252 and 257 take in
// Delegate= (cgroup_controller_from_string; checked with
// systemd-analyze verify of both).
var delegateControllers = []string{
	"cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids",
	"bpf-firewall", "bpf-devices", "bpf-foreign", "bpf-socket-bind", "bpf-restrict-network-interfaces",
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
			if b, err := ParseBool(a.Value); err == nil {
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
