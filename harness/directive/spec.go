package directive

import (
	"slices"
	"strings"
	"sync"

	"github.com/coreos/go-systemd/v22/dbus"
)

// Kind names the syntax a directive's value follows.
type Kind string

// The value kinds of the directive table.
const (
	KindBool          Kind = "boolean"
	KindEnum          Kind = "enumeration"
	KindText          Kind = "free text"
	KindPath          Kind = "absolute path"
	KindUser          Kind = "user or group name, or numeric ID"
	KindUsers         Kind = "list of group names"
	KindMode          Kind = "octal file mode"
	KindCapabilities  Kind = "capability list, optionally ~negated"
	KindNamespaces    Kind = "namespace list, optionally ~negated, or boolean"
	KindSyscalls      Kind = "system call list with @groups, optionally ~negated"
	KindErrno         Kind = "errno name or number, or kill"
	KindArchitectures Kind = "architecture list"
	KindFamilies      Kind = "address family list, optionally ~negated, or none"
	KindAddresses     Kind = "IP prefixes or any/localhost/link-local/multicast"
	KindPaths         Kind = "list of absolute paths, each optionally prefixed - or +"
	KindDevice        Kind = "device node or char-/block- class, and rwm"
	KindCommand       Kind = "command line"
	KindEnvironment   Kind = "list of VAR=value"
	KindDirectory     Kind = "absolute path or ~, optionally prefixed -"
	KindDelegate      Kind = "boolean, or a list of cgroup controllers"
)

// Spec describes one supported directive: its syntax, the D-Bus
// properties it becomes and how it is merged, sent and read back.
type Spec struct {
	Name       string   // as written in a unit file
	Section    string   // "Service" or "Unit"
	Properties []string // D-Bus property names on the transient unit
	Signature  string   // D-Bus signature of each property, space-separated where there are several
	Kind       Kind
	Values     []string // the accepted words of an enumeration
	Doc        string   // one line for `hardenlab` help
	Example    string   // a typical value, valid on its own
	// Since is the first systemd release whose PID 1 accepts the directive
	// on a transient service (from systemd's server-side transient
	// setters; see shared/research/dbus-properties.md §3b), so that an
	// older systemd's refusal can be explained; 0 means older than
	// anything hardenlab supports.
	Since int
	// Area groups a security directive with its neighbours (its file is
	// security_<area>.go); empty for the directives that say what the
	// service is rather than restrict it, which matrices never ablate.
	Area string
	// NoProbe says why no probe evidences the directive; the descriptor
	// tests require it of a directive the scorer reads and no probe
	// claims, and forbid it where a probe does.
	NoProbe string

	// apply merges one assignment into the settings being resolved.
	apply func(r *resolver, a Assignment) error
	// props renders the resolved value as StartTransientUnit properties.
	props func(s *Settings) []dbus.Property
	// want renders the value systemd should report for each property
	// (after systemd's own implications), in the form gotValue renders
	// what it did report.
	want func(s *Settings) string
	// got renders a property value read back from systemd.
	got func(v interface{}) (string, bool)
	// isDefault says whether the field still holds the default value.
	isDefault func(s *Settings) bool
	// compare replaces want/got where equality of two renderings is not
	// the right test (lists systemd extends on its own, filters it expands).
	compare func(want *Settings, got interface{}) (wantText, gotText string, equal bool)
	// compareProps replaces compare where the value is spread over
	// several properties; got holds every property read back.
	compareProps func(want *Settings, got map[string]interface{}) (wantText, gotText string, equal bool)
}

// Specs returns the directive table, in the order properties are sent.
// The result is the caller's to modify.
func Specs() []Spec {
	out := slices.Clone(specs())
	for i := range out {
		out[i].Properties = slices.Clone(out[i].Properties)
		out[i].Values = slices.Clone(out[i].Values)
	}
	return out
}

// Lookup finds a directive by its exact (case-sensitive) name.
func Lookup(name string) (Spec, bool) {
	if i := specIndex(specs(), name); i >= 0 {
		s := specs()[i]
		s.Properties, s.Values = slices.Clone(s.Properties), slices.Clone(s.Values)
		return s, true
	}
	return Spec{}, false
}

// Security says whether name is a security directive: one with a
// descriptor, which the scorer may read, probes may evidence and matrices
// ablate. Plain pass-through keys and the service's own (Type=,
// ExecStart=, ...) are not.
func Security(name string) bool {
	s, ok := Lookup(name)
	return ok && s.Area != ""
}

// sandboxingPlain are the plain directives of systemd.exec's sandboxing
// that no probe or score row reads yet: a run passes them through, and a
// matrix ablates them like the security directives, since they are
// hardening the unit's author chose.
func sandboxingPlain() []string {
	return []string{
		"ExecPaths", "NoExecPaths", "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths",
		"RestrictFileSystems", "RestrictNetworkInterfaces",
		"SecureBits", "Personality", "MountAPIVFS", "PrivatePIDs", "NetworkNamespacePath", "IPCNamespacePath",
	}
}

// Hardening says whether a directive is hardening a matrix ablates: a
// security directive, or a sandboxing one passed through as it is.
func Hardening(name string) bool {
	return Security(name) || slices.Contains(sandboxingPlain(), name)
}

// Descriptors returns the security directives' descriptors, area by area.
func Descriptors() []Spec {
	return slices.DeleteFunc(Specs(), func(s Spec) bool { return s.Area == "" })
}

// inArea marks the rows of one security_<area>.go file.
func inArea(area string, rows ...Spec) []Spec {
	for i := range rows {
		rows[i].Area = area
	}
	return rows
}

// unprobed records why no probe can evidence the directive.
func (s Spec) unprobed(reason string) Spec {
	s.NoProbe = reason
	return s
}

// SignatureOf returns the D-Bus signature of one of the directive's
// properties ("" when it has no such property).
func (s Spec) SignatureOf(property string) string {
	sigs := strings.Fields(s.Signature)
	for i, p := range s.Properties {
		if p == property && i < len(sigs) {
			return sigs[i]
		}
	}
	if len(sigs) > 0 && slices.Contains(s.Properties, property) {
		return sigs[0]
	}
	return ""
}

// specs is the table built once; package code only reads it.
var specs = sync.OnceValue(specTable)
