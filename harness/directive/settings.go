package directive

import (
	"net/netip"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// Source says where an assignment came from, so that every error can name
// the file, the line and the directive.
type Source struct {
	File string // unit file path, or "-p" for a command-line assignment
	Line int    // 1-based; 0 when not from a file
}

// Assignment is one "Name=value" line as the user wrote it.
type Assignment struct {
	Name   string
	Value  string
	Source Source
	// Context expands the specifiers of a unit-file line; nil for a
	// command-line assignment, which may not use any.
	Context *SpecifierContext
}

// Note records something hardenlab deliberately did not pass to systemd
// (an [Install] key, a [Unit] key it does not model, ...), with the reason.
type Note struct {
	Source    Source
	Directive string
	Reason    string
	// BlocksRun: the key would change the service's execution environment
	// but cannot be sent to a transient unit, so run and matrix refuse the
	// unit; score only needs it parsed.
	BlocksRun bool
	// SystemdWarns: systemd logs a warning for the line when it loads the
	// unit ("Missing '=', ignoring line."), so score says so as well.
	SystemdWarns bool
}

// Unit is a parsed unit file.
type Unit struct {
	Path                string
	Name                string // base name, e.g. "p3test.service"
	Description         string
	DefaultDependencies bool // [Unit] DefaultDependencies=, true unless set to false
	Service             []Assignment
	Notes               []Note
	DropIns             []string // drop-in files read after the fragment Path, in order

	problems []error // collected while reading, returned by finish
	resolved resolvedService
}

// resolvedService keeps the Settings that parsing resolved (to validate
// the lines) for the Service slice it resolved, so that scoring does not
// resolve the same lines a second time.
type resolvedService struct {
	settings            *Settings
	service             []Assignment
	defaultDependencies bool
}

// Settings is Resolve(u.Service, u.DefaultDependencies): the result
// parsing computed while validating the unit, or a new Resolve when the
// unit's Service lines or DefaultDependencies were replaced or appended to
// since. Callers must not modify the Settings.
func (u *Unit) Settings() (*Settings, error) {
	r := u.resolved
	same := r.settings != nil && len(r.service) == len(u.Service) && r.defaultDependencies == u.DefaultDependencies &&
		(len(u.Service) == 0 || &r.service[0] == &u.Service[0])
	if same {
		return r.settings, nil
	}
	return Resolve(u.Service, u.DefaultDependencies)
}

// FilterLine is one SystemCallFilter= assignment. PID 1 resolves @groups and
// merges the lines in order (the first non-empty line fixes allow/deny mode),
// so the lines after the last reset are kept as written.
type FilterLine struct {
	Allow bool     // false when the value began with "~"
	Names []string // syscall names, "@group"s, optionally "name:ERRNO" in deny mode
}

// AddressFamilies is RestrictAddressFamilies= after merging all its lines.
type AddressFamilies struct {
	Set      bool     // any non-reset assignment seen
	Allow    bool     // allow-list (true) or deny-list (false)
	Families []string // canonical upper-case "AF_INET", ...; sorted, unique
}

// DeviceRule is one DeviceAllow= entry.
type DeviceRule struct {
	Path  string // "/dev/null", "char-rtc", "block-loop", ...
	Perms string // subset of "rwm", never empty
}

// Settings is the effective value of every supported directive after
// merging repeated lines exactly as systemd's unit-file parser does.
// Fields left at their zero value mean "not set", except where noted.
type Settings struct {
	// [Unit]
	DefaultDependencies bool   // default true
	Description         string // only when given as an assignment (ParseFile puts it in Unit)

	// Service
	Type      string     // default "simple"
	ExecStart [][]string // argv per line (argv[0] is the absolute path)
	ExecStop  [][]string
	// ExecStartCommands/ExecStopCommands carry what ExecStart/ExecStop
	// cannot: the "-" and "@" prefixes. Resolve fills both forms; code that
	// builds Settings by hand may fill only ExecStart/ExecStop.
	ExecStartCommands []ExecCommand
	ExecStopCommands  []ExecCommand
	WorkingDirectory  string
	Environment       []string // "K=V", later keys override earlier ones
	NotifyAccess      string   // "" = not set (systemd default "none")

	// Identity
	User                string
	Group               string
	DynamicUser         bool
	SupplementaryGroups []string
	UMask               uint32 // default 0o022

	// Booleans
	NoNewPrivileges        bool
	PrivateTmp             bool
	PrivateDevices         bool
	PrivateNetwork         bool
	PrivateUsers           bool
	PrivateMounts          bool
	ProtectKernelTunables  bool
	ProtectKernelModules   bool
	ProtectKernelLogs      bool
	ProtectControlGroups   bool
	ProtectClock           bool
	ProtectHostname        bool
	RestrictSUIDSGID       bool
	RestrictRealtime       bool
	MemoryDenyWriteExecute bool
	LockPersonality        bool
	RemoveIPC              bool
	Delegate               bool
	// DelegateControllers is Delegate='s controller list; nil when the
	// last word was a boolean (yes delegates every controller).
	DelegateControllers []string

	// Enumerations, canonical spelling
	ProtectSystem string // "no" (default), "yes", "full", "strict"
	ProtectHome   string // "no" (default), "yes", "read-only", "tmpfs"
	ProtectProc   string // "default" (default), "noaccess", "invisible", "ptraceable"
	ProcSubset    string // "all" (default), "pid"
	KeyringMode   string // "" = not set (systemd default: "private" for system services)
	DevicePolicy  string // "auto" (default), "closed", "strict"

	// Bitmasks
	CapabilityBoundingSet uint64 // default all ones
	AmbientCapabilities   uint64
	RestrictNamespaces    uint64 // CLONE_NEW* bits still allowed; default NamespacesAll

	// Lists
	SystemCallFilter        []FilterLine
	SystemCallErrorNumber   string // "" = not set, else an errno name such as "EPERM" or "kill"
	SystemCallArchitectures []string
	RestrictAddressFamilies AddressFamilies
	IPAddressAllow          []netip.Prefix
	IPAddressDeny           []netip.Prefix
	ReadWritePaths          []string
	ReadOnlyPaths           []string
	InaccessiblePaths       []string
	DeviceAllow             []DeviceRule

	RootDirectory string
	RootImage     string

	// flags holds the boolean descriptors no scorer fact reads (flagSpec),
	// so that adding one takes its descriptor alone.
	flags map[string]bool

	// plain holds the plain directives' D-Bus values, one per property of
	// the row (nil: not sent); notes the keys Resolve passed over.
	plain      map[string][]any
	plainOrder []string
	notes      []Note

	// assigned records which directives the assignments named, so that
	// Set can tell "ProtectSystem=no" written out from the default; nil
	// for Settings built by hand, where Set falls back to "differs from
	// the default".
	assigned map[string]bool
}

// NamespacesAll is the RestrictNamespaces= "everything allowed" mask of
// systemd 252..257 (mnt cgroup uts ipc user pid net).
const NamespacesAll = uint64(linux.NamespacesAll)

// ExecCommand is one command of ExecStart= or ExecStop= as systemd stores it.
type ExecCommand struct {
	Path          string   // executable: absolute path, or a bare name PID 1 searches
	Argv          []string // including argv[0] (which differs from Path with the "@" prefix)
	IgnoreFailure bool     // "-" prefix
	SeparateArgv0 bool     // "@" prefix: the second word is argv[0]
	NoEnvExpand   bool     // ":" prefix: $VAR is not expanded
	Privileged    bool     // "+" prefix: runs without the sandbox and credentials
	NoSetuid      bool     // "!" prefix: no user/group change
	AmbientMagic  bool     // "!!" prefix: "!" only where ambient capabilities are missing
}

// Flags returns the command's prefixes as the flag words of
// ExecStartEx= (systemd's exec_command_flags_to_strv()).
func (c ExecCommand) Flags() []string {
	flags := []string{}
	for _, f := range []struct {
		set  bool
		word string
	}{
		{c.IgnoreFailure, "ignore-failure"}, {c.Privileged, "privileged"}, {c.NoSetuid, "no-setuid"},
		{c.AmbientMagic, "ambient"}, {c.NoEnvExpand, "no-env-expand"},
	} {
		if f.set {
			flags = append(flags, f.word)
		}
	}
	return flags
}
