package directive

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/coreos/go-systemd/v22/dbus"
	godbus "github.com/godbus/dbus/v5"
)

// resolver holds the parser state systemd keeps beside the values while
// it reads repeated lines.
type resolver struct {
	s *Settings
	// namespacesInitial: RestrictNamespaces= was never assigned (or was
	// reset), so the next list replaces instead of merging.
	namespacesInitial bool
	// familiesListed: RestrictAddressFamilies= holds a list (systemd's
	// set is non-NULL), so the next line merges instead of fixing the mode.
	familiesListed bool
	// envIndex and prefixSeen keep merging linear, so that a hostile file
	// with a million lines cannot make Resolve quadratic.
	envIndex   map[string]int
	prefixSeen map[string]map[netip.Prefix]bool
	// privateMountsValue is the last non-empty PrivateMounts= line, and
	// privateMountsReset an empty line after it that no later value
	// overrode: 252 and 257 read that pair differently (see
	// privateMountsSpec).
	privateMountsValue *Assignment
	privateMountsReset *Assignment
	// plainSeq orders the plain directives by their last assignment.
	plainSeq map[string]int
	seq      int
}

func prop(name string, v interface{}) dbus.Property {
	return dbus.Property{Name: name, Value: godbus.MakeVariant(v)}
}

// ---- booleans

func boolSpec(name, doc string, field func(*Settings) *bool) Spec {
	return Spec{
		Name: name, Example: "yes", Section: "Service", Properties: []string{name}, Signature: "b", Kind: KindBool, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				return newError(a, "%s", emptyBoolReason(name))
			}
			v, err := ParseBool(a.Value)
			if err != nil {
				return newError(a, "%v", err)
			}
			*field(r.s) = v
			return nil
		},
		props:     func(s *Settings) []dbus.Property { return []dbus.Property{prop(name, *field(s))} },
		want:      func(s *Settings) string { return strconv.FormatBool(*field(s.Effective())) },
		got:       gotBool,
		isDefault: func(s *Settings) bool { return !*field(s) },
	}
}

// flagSpec is a boolean descriptor whose value lives in Settings.flags
// (read with Flag) rather than in a field of its own: for a directive the
// scorer does not read, the descriptor is then the only place to add.
func flagSpec(name, doc string) Spec {
	s := boolSpec(name, doc, func(*Settings) *bool { return new(bool) })
	s.apply = func(r *resolver, a Assignment) error {
		if a.Value == "" {
			return newError(a, "%s", emptyBoolReason(name))
		}
		v, err := ParseBool(a.Value)
		if err != nil {
			return newError(a, "%v", err)
		}
		if r.s.flags == nil {
			r.s.flags = map[string]bool{}
		}
		r.s.flags[name] = v
		return nil
	}
	s.props = func(s *Settings) []dbus.Property { return []dbus.Property{prop(name, s.Flag(name))} }
	s.want = func(s *Settings) string { return strconv.FormatBool(s.Effective().Flag(name)) }
	s.isDefault = func(s *Settings) bool { return !s.Flag(name) }
	return s
}

// Flag returns the value of a boolean descriptor built with flagSpec
// (false when unset).
func (s *Settings) Flag(name string) bool { return s.flags[name] }

// emptyBoolReason explains the refusal of an empty boolean: unlike list
// settings, systemd's boolean parsers do not read "" as a reset (checked
// with systemd-analyze verify of 252 and 257).
func emptyBoolReason(name string) string {
	switch name {
	case "DynamicUser":
		return "empty value: systemd 252 and 257 refuse the whole unit over it (\"Failed to parse boolean value\", fatal); write no for the default"
	}
	return "empty value: systemd 252 and 257 do not reset a boolean with it but log \"Failed to parse\" and ignore the line; write no for the default"
}

// privateMountsSpec: 257 made PrivateMounts= a tristate whose empty value
// resets it to "unset" (config_parse_tristate); 252 still logs "Failed to
// parse boolean value" and ignores the line. Where no earlier line set a
// value, both end up with the setting never assigned, so an empty line is
// accepted and sends nothing. After a value they diverge (252 keeps it,
// 257 forgets it, and its analyzer scores unset and no differently), so
// that is refused unless a later line sets a value again (finish checks).
func privateMountsSpec() Spec {
	s := boolSpec("PrivateMounts", "private mount namespace", func(s *Settings) *bool { return &s.PrivateMounts })
	boolApply := s.apply
	s.apply = func(r *resolver, a Assignment) error {
		if a.Value == "" {
			if r.privateMountsValue != nil {
				r.privateMountsReset = &a
			}
			return nil
		}
		if err := boolApply(r, a); err != nil {
			return err
		}
		r.privateMountsValue, r.privateMountsReset = &a, nil
		return nil
	}
	return s
}

// finish runs the checks that need every line: it returns the problems and
// takes back "assigned" from directives whose lines left them never set.
func (r *resolver) finish() []error {
	var errs []error
	if r.privateMountsValue == nil {
		delete(r.s.assigned, "PrivateMounts")
	}
	if a, v := r.privateMountsReset, r.privateMountsValue; a != nil {
		errs = append(errs, newError(*a, "empty value after PrivateMounts=%s (%s): systemd 252 ignores the empty line and keeps %s, 257 resets the setting to unset; remove one of the lines",
			v.Value, v.Source, v.Value))
	}
	return errs
}

func gotBool(v interface{}) (string, bool) {
	b, ok := v.(bool)
	return strconv.FormatBool(b), ok
}

func gotString(v interface{}) (string, bool) {
	s, ok := v.(string)
	return s, ok
}

// ---- enumerations and strings

// enumSpec builds a string enumeration. withBool maps boolean words to
// "yes"/"no" first, as systemd's *_WITH_BOOLEAN string tables do.
func enumSpec(name, doc string, values []string, def string, withBool bool, field func(*Settings) *string) Spec {
	return Spec{
		Name: name, Example: values[len(values)-1], Section: "Service", Properties: []string{name}, Signature: "s", Kind: KindEnum, Values: values, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			v := a.Value
			if b, err := ParseBool(v); withBool && err == nil {
				v = "no"
				if b {
					v = "yes"
				}
			}
			if err := oneOf(v, values); err != nil {
				return newError(a, "%v", err)
			}
			*field(r.s) = v
			return nil
		},
		props: func(s *Settings) []dbus.Property { return []dbus.Property{prop(name, orDefault(*field(s), def))} },
		want:  func(s *Settings) string { return orDefault(*field(s.Effective()), def) },
		got:   gotString,
		isDefault: func(s *Settings) bool {
			return *field(s) == "" || *field(s) == def
		},
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// pathSpec builds a single absolute path that an empty value clears.
func pathSpec(name, doc, example string, field func(*Settings) *string) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "s", Kind: KindPath, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				*field(r.s) = ""
				return nil
			}
			v, err := a.expand(a.Value)
			if err == nil {
				v, err = normalizePath(v)
			}
			if err != nil {
				return newError(a, "%v", err)
			}
			*field(r.s) = v
			return nil
		},
		props:     func(s *Settings) []dbus.Property { return []dbus.Property{prop(name, *field(s))} },
		want:      func(s *Settings) string { return *field(s) },
		got:       gotString,
		isDefault: func(s *Settings) bool { return *field(s) == "" },
	}
}

func userSpec(name, doc, example string, field func(*Settings) *string) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "s", Kind: KindUser, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				*field(r.s) = ""
				return nil
			}
			v, err := a.expand(a.Value)
			if err == nil {
				err = checkUserName(v)
			}
			if err != nil {
				return newError(a, "%v", err)
			}
			*field(r.s) = v
			return nil
		},
		props:     func(s *Settings) []dbus.Property { return []dbus.Property{prop(name, *field(s))} },
		want:      func(s *Settings) string { return *field(s) },
		got:       gotString,
		isDefault: func(s *Settings) bool { return *field(s) == "" },
	}
}

// ---- path lists

func pathListSpec(name, doc, example string, field func(*Settings) *[]string) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "as", Kind: KindPaths, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				*field(r.s) = nil
				return nil
			}
			words, err := splitWords(a.Value, unquote)
			if err != nil {
				return newError(a, "%v", err)
			}
			for _, w := range words {
				prefix := ""
				if strings.HasPrefix(w, "-") {
					prefix, w = "-", w[1:]
				}
				if strings.HasPrefix(w, "+") {
					prefix, w = prefix+"+", w[1:]
				}
				p, err := a.expand(w)
				if err == nil {
					p, err = normalizePath(p)
				}
				if err != nil {
					return newError(a, "%v", err)
				}
				*field(r.s) = append(*field(r.s), prefix+p)
			}
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop(name, nonNil(*field(s)))}
		},
		want:      func(s *Settings) string { return strings.Join(*field(s), " ") },
		got:       gotStrings,
		isDefault: func(s *Settings) bool { return len(*field(s)) == 0 },
	}
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

func gotStrings(v interface{}) (string, bool) {
	l, ok := v.([]string)
	return strings.Join(l, " "), ok
}

// ---- capabilities

// capabilitySpec merges lines like config_parse_capability_set(): the
// first line, an empty one, "~" or a line while the set still holds its
// initial value replaces; later lines add (or with "~" remove).
func capabilitySpec(name, doc, example string, initial uint64, field func(*Settings) *uint64) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "t", Kind: KindCapabilities, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			v, invert := strings.CutPrefix(a.Value, "~")
			sum, err := parseCapabilities(v)
			if err != nil {
				return newError(a, "%v", err)
			}
			cur := field(r.s)
			switch {
			case sum == 0 || *cur == initial:
				*cur = sum
				if invert {
					*cur = ^sum
				}
			case invert:
				*cur &^= sum
			default:
				*cur |= sum
			}
			return nil
		},
		props: func(s *Settings) []dbus.Property { return []dbus.Property{prop(name, *field(s))} },
		want: func(s *Settings) string {
			return strconv.FormatUint(*field(s.Effective()), 10)
		},
		got: func(v interface{}) (string, bool) {
			n, ok := v.(uint64)
			return strconv.FormatUint(n, 10), ok
		},
		isDefault: func(s *Settings) bool { return *field(s) == initial },
	}
}

// ---- the table

// specTable lists every supported directive: the few that make the
// service what it is, then the security descriptors area by area (one
// file each, security_*.go). Order matters only for the order of
// properties sent to systemd.
func specTable() []Spec {
	return slices.Concat(serviceSpecs(),
		identitySpecs(), privilegesSpecs(), namespacesSpecs(), kernelSpecs(), filesystemSpecs(),
		syscallsSpecs(), networkSpecs(), devicesSpecs(), serviceSharingSpecs())
}

// serviceSpecs are the directives that say what the service is; every
// generated profile keeps them (Area is empty).
func serviceSpecs() []Spec {
	return []Spec{
		{
			Name: "Description", Example: "demo web server", Section: "Unit", Properties: []string{"Description"}, Signature: "s", Kind: KindText,
			Doc: "human-readable unit description",
			apply: func(r *resolver, a Assignment) error {
				v, err := a.expand(a.Value)
				if err != nil {
					return newError(a, "%v", err)
				}
				r.s.Description = v
				return nil
			},
			props:     func(s *Settings) []dbus.Property { return []dbus.Property{prop("Description", s.Description)} },
			want:      func(s *Settings) string { return s.Description },
			got:       gotString,
			isDefault: func(s *Settings) bool { return s.Description == "" },
		},
		{
			Name: "DefaultDependencies", Example: "no", Section: "Unit", Properties: []string{"DefaultDependencies"}, Signature: "b", Kind: KindBool,
			Doc: "add the implicit dependencies on basic.target and shutdown.target",
			apply: func(r *resolver, a Assignment) error {
				v, err := ParseBool(a.Value)
				if err != nil {
					return newError(a, "%v", err)
				}
				r.s.DefaultDependencies = v
				return nil
			},
			props: func(s *Settings) []dbus.Property {
				return []dbus.Property{prop("DefaultDependencies", s.DefaultDependencies)}
			},
			want:      func(s *Settings) string { return strconv.FormatBool(s.DefaultDependencies) },
			got:       gotBool,
			isDefault: func(s *Settings) bool { return s.DefaultDependencies },
		},
		enumSpec("Type", "how systemd decides the service has started", []string{"simple", "exec", "forking", "oneshot", "dbus", "notify", "notify-reload", "idle"}, "simple", false,
			func(s *Settings) *string { return &s.Type }),
		execSpec("ExecStart", "the command that runs the service", "/usr/bin/python3 -m http.server", func(s *Settings) *[]ExecCommand { return &s.ExecStartCommands }),
		execSpec("ExecStop", "the command that stops the service ($MAINPID is expanded by systemd)", "/bin/kill -9 $MAINPID", func(s *Settings) *[]ExecCommand { return &s.ExecStopCommands }).since(236),
		workingDirectorySpec().since(227),
		environmentSpec(),
	}
}

// since sets the release from which PID 1 accepts the directive on a
// transient service.
func (s Spec) since(release int) Spec {
	s.Since = release
	return s
}

// specIndex finds a directive's position in the table. For the package's
// own table (every caller) it is one map lookup: resolving a unit looks up
// every assignment, and a linear search of the table was the largest cost
// of rescoring a unit.
func specIndex(table []Spec, name string) int {
	if own := specs(); len(table) == len(own) && len(own) > 0 && &table[0] == &own[0] {
		if i, ok := specPositions()[name]; ok {
			return i
		}
		return -1
	}
	return slices.IndexFunc(table, func(s Spec) bool { return s.Name == name })
}

// specPositions maps each directive of specs() to its position.
var specPositions = sync.OnceValue(func() map[string]int {
	own := specs()
	m := make(map[string]int, len(own))
	for i := len(own) - 1; i >= 0; i-- { // the first row of a name wins, as IndexFunc finds it
		m[own[i].Name] = i
	}
	return m
})
