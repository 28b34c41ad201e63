package directive

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"sync"
)

// SpecifierContext is what unit-file specifiers expand from: the unit as
// systemd loads it and the facts of the system it is loaded on. It is a
// plain value so that one unit's expansion can never leak into another's.
type SpecifierContext struct {
	Unit     string // unit name as loaded, e.g. "getty@tty1.service"
	Fragment string // the main unit file as the unit's systemd sees it (%y)
	Host     HostFacts
	// Version is the systemd release the unit is read for; 0 accepts the
	// specifiers of every modelled release.
	Version int
}

// HostFacts are the values of the host specifiers. systemd takes them
// from the running system when it loads the unit; systemd-analyze
// security --offline=true takes them from the machine it runs on.
type HostFacts struct {
	Architecture   string // %a, systemd's name (x86-64, arm64, ...)
	BootID         string // %b
	MachineID      string // %m
	Hostname       string // %H
	PrettyHostname string // %q; the short hostname when empty
	KernelRelease  string // %v
	OSRelease      map[string]string
	UserName       string // %u: the user of the manager, root for the system manager
	UID            string // %U
	GroupName      string // %g
	GID            string // %G
	Home           string // %h
	Shell          string // %s
}

// Specifier is one row of the specifier table.
type Specifier struct {
	Letter  byte
	Meaning string
	Since   int  // first modelled systemd release that expands it
	Removed bool // deprecated: systemd warns and expands it to an offline value
	// How says where the value comes from, for the table's readers.
	How    string
	expand func(c *SpecifierContext) string
}

// Specifiers returns the table of every specifier systemd 252 and 257
// expand in unit files (systemd.unit(5) "Specifiers", checked letter by
// letter with systemd-analyze verify of both releases: every other letter
// is refused with "Failed to resolve unit specifiers ...: Invalid slot").
func Specifiers() []Specifier {
	osr := func(key string) func(c *SpecifierContext) string {
		return func(c *SpecifierContext) string { return c.Host.OSRelease[key] }
	}
	fixed := func(v string) func(*SpecifierContext) string { return func(*SpecifierContext) string { return v } }
	return []Specifier{
		{'a', "architecture", 252, false, "host", func(c *SpecifierContext) string { return c.Host.Architecture }},
		{'A', "OS image version (IMAGE_VERSION=)", 252, false, "os-release of the root", osr("IMAGE_VERSION")},
		{'b', "boot ID", 252, false, "host", func(c *SpecifierContext) string { return c.Host.BootID }},
		{'B', "OS build ID (BUILD_ID=)", 252, false, "os-release of the root", osr("BUILD_ID")},
		{'c', "control group path of the unit", 252, true, "offline value: \"/\" + unit name", func(c *SpecifierContext) string { return "/" + c.Unit }},
		{'C', "cache directory root", 252, false, "system manager", fixed("/var/cache")},
		{'d', "credentials directory", 252, false, "/run/credentials/ + unit name", func(c *SpecifierContext) string { return "/run/credentials/" + c.Unit }},
		{'D', "shared data directory", 257, false, "system manager", fixed("/usr/share")},
		{'E', "configuration directory root", 252, false, "system manager", fixed("/etc")},
		{'f', "unescaped file name", 252, false, "unit name", func(c *SpecifierContext) string { return unitFileName(c.Unit) }},
		{'g', "group of the manager", 252, false, "host", func(c *SpecifierContext) string { return c.Host.GroupName }},
		{'G', "GID of the manager", 252, false, "host", func(c *SpecifierContext) string { return c.Host.GID }},
		{'h', "home directory of the manager's user", 252, false, "host", func(c *SpecifierContext) string { return c.Host.Home }},
		{'H', "host name", 252, false, "host", func(c *SpecifierContext) string { return c.Host.Hostname }},
		{'i', "instance name", 252, false, "unit name", func(c *SpecifierContext) string { return unitParts(c.Unit).instance }},
		{'I', "unescaped instance name", 252, false, "unit name", func(c *SpecifierContext) string { return unescapeUnitName(unitParts(c.Unit).instance) }},
		{'j', "final component of the prefix", 252, false, "unit name", func(c *SpecifierContext) string { return lastDash(unitParts(c.Unit).prefix) }},
		{'J', "unescaped final component of the prefix", 252, false, "unit name", func(c *SpecifierContext) string { return unescapeUnitName(lastDash(unitParts(c.Unit).prefix)) }},
		{'l', "short host name", 252, false, "host", func(c *SpecifierContext) string { return shortHost(c.Host.Hostname) }},
		{'L', "log directory root", 252, false, "system manager", fixed("/var/log")},
		{'m', "machine ID", 252, false, "machine-id of the root", func(c *SpecifierContext) string { return c.Host.MachineID }},
		{'M', "OS image identifier (IMAGE_ID=)", 252, false, "os-release of the root", osr("IMAGE_ID")},
		{'n', "full unit name", 252, false, "unit name", func(c *SpecifierContext) string { return c.Unit }},
		{'N', "unit name without the type suffix", 252, false, "unit name", func(c *SpecifierContext) string { return unitParts(c.Unit).withoutSuffix }},
		{'o', "OS ID (ID=)", 252, false, "os-release of the root", osr("ID")},
		{'p', "prefix name", 252, false, "unit name", func(c *SpecifierContext) string { return unitParts(c.Unit).prefix }},
		{'P', "unescaped prefix name", 252, false, "unit name", func(c *SpecifierContext) string { return unescapeUnitName(unitParts(c.Unit).prefix) }},
		{'q', "pretty host name", 252, false, "machine-info of the root, else the short host name", prettyHost},
		{'r', "control group of the unit's slice", 252, true, "offline value: empty", fixed("")},
		{'R', "root of the control group tree", 252, true, "offline value: empty", fixed("")},
		{'s', "shell of the manager's user", 252, false, "passwd of the root", func(c *SpecifierContext) string { return c.Host.Shell }},
		{'S', "state directory root", 252, false, "system manager", fixed("/var/lib")},
		{'t', "runtime directory root", 252, false, "system manager", fixed("/run")},
		{'T', "directory for temporary files", 252, false, "system manager (PID 1 has no $TMPDIR)", fixed("/tmp")},
		{'u', "user of the manager", 252, false, "host", func(c *SpecifierContext) string { return c.Host.UserName }},
		{'U', "UID of the manager", 252, false, "host", func(c *SpecifierContext) string { return c.Host.UID }},
		{'v', "kernel release", 252, false, "host", func(c *SpecifierContext) string { return c.Host.KernelRelease }},
		{'V', "directory for larger persistent temporary files", 252, false, "system manager (PID 1 has no $TMPDIR)", fixed("/var/tmp")},
		{'w', "OS version ID (VERSION_ID=)", 252, false, "os-release of the root", osr("VERSION_ID")},
		{'W', "OS variant ID (VARIANT_ID=)", 252, false, "os-release of the root", osr("VARIANT_ID")},
		{'y', "path of the fragment", 252, false, "the unit file", func(c *SpecifierContext) string { return c.Fragment }},
		{'Y', "directory of the fragment", 252, false, "the unit file", func(c *SpecifierContext) string { return path.Dir(c.Fragment) }},
	}
}

func findSpecifier(table []Specifier, letter byte) (Specifier, bool) {
	for _, s := range table {
		if s.Letter == letter {
			return s, true
		}
	}
	return Specifier{}, false
}

// specifierTable is Specifiers built once: expanding builds no table of
// closures per word. Package code only reads it.
var specifierTable = sync.OnceValue(Specifiers)

// expand replaces the specifiers in s as systemd's specifier_printf()
// does: "%%" is "%", a "%" at the very end stays, and any other "%X"
// must be in the table. A nil context (an assignment from the command
// line, sent over D-Bus where PID 1 expands nothing) refuses every
// specifier, since passing one on would silently change its meaning.
func (c *SpecifierContext) expand(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	table := specifierTable()
	var b strings.Builder
	b.Grow(len(s) + 32)
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		if s[i] == '%' {
			b.WriteByte('%')
			continue
		}
		spec, ok := findSpecifier(table, s[i])
		switch {
		case !ok:
			return "", fmt.Errorf("unknown specifier %q: systemd fails with \"Failed to resolve unit specifiers\" (write %%%% for a literal %%)", s[i-1:i+1])
		case c == nil:
			return "", fmt.Errorf("unit specifier %q is not supported in a command-line assignment: PID 1 does not expand it over D-Bus (write %%%% for a literal %%)", s[i-1:i+1])
		case c.Version != 0 && c.Version < spec.Since:
			return "", fmt.Errorf("specifier %q (%s) needs systemd %d, the unit is read for %d", s[i-1:i+1], spec.Meaning, spec.Since, c.Version)
		}
		b.WriteString(spec.expand(c))
	}
	return b.String(), nil
}

// expand expands the specifiers of one word of the assignment.
func (a Assignment) expand(s string) (string, error) { return a.Context.expand(s) }

// nameParts are the pieces of a unit name the specifiers use.
type nameParts struct {
	prefix, instance, withoutSuffix string
}

func unitParts(unit string) nameParts {
	withoutSuffix := unit
	if i := strings.LastIndexByte(unit, '.'); i > 0 {
		withoutSuffix = unit[:i]
	}
	prefix, instance, _ := strings.Cut(withoutSuffix, "@")
	return nameParts{prefix: prefix, instance: instance, withoutSuffix: withoutSuffix}
}

func lastDash(prefix string) string {
	if i := strings.LastIndexByte(prefix, '-'); i >= 0 {
		return prefix[i+1:]
	}
	return prefix
}

// unescapeUnitName undoes systemd-escape: "-" is "/", "\xNN" a byte.
func unescapeUnitName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '-':
			b.WriteByte('/')
		case s[i] == '\\' && i+3 < len(s) && s[i+1] == 'x':
			if v, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
			b.WriteByte(s[i])
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unitFileName is %f: the instance (else the prefix) unescaped as a path,
// with a leading "/".
func unitFileName(unit string) string {
	p := unitParts(unit)
	s := p.instance
	if s == "" {
		s = p.prefix
	}
	if s == "-" {
		return "/"
	}
	return "/" + strings.TrimPrefix(unescapeUnitName(s), "/")
}

func shortHost(h string) string {
	short, _, _ := strings.Cut(h, ".")
	return short
}

func prettyHost(c *SpecifierContext) string {
	if c.Host.PrettyHostname != "" {
		return c.Host.PrettyHostname
	}
	return shortHost(c.Host.Hostname)
}
