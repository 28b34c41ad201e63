package directive

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Resolve merges assignments in order, exactly as systemd's unit-file
// parser merges repeated lines, and validates every value. It returns all
// problems at once, each an *Error.
func Resolve(assigns []Assignment, defaultDependencies bool) (*Settings, error) {
	table := specs()
	r := &resolver{s: newSettings(defaultDependencies), namespacesInitial: true}
	var errs []error
	for _, a := range assigns {
		if err := checkAssignmentText(a); err != nil {
			errs = append(errs, err)
			continue
		}
		i := specIndex(table, a.Name)
		if i < 0 {
			if err := r.resolveOther(a); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if err := table[i].apply(r, a); err != nil {
			errs = append(errs, err)
			continue
		}
		r.s.assigned[a.Name] = true
	}
	errs = append(errs, r.finish()...)
	r.finishPlain()
	// Directives whose last word was a reset to systemd's "never set"
	// state are not sent at all.
	if r.namespacesInitial {
		delete(r.s.assigned, "RestrictNamespaces")
	}
	if !r.s.RestrictAddressFamilies.Set {
		delete(r.s.assigned, "RestrictAddressFamilies")
	}
	for _, name := range []string{"SystemCallErrorNumber", "KeyringMode", "NotifyAccess"} {
		if i := specIndex(table, name); table[i].isDefault(r.s) && r.s.assigned[name] && emptyString(r.s, name) {
			delete(r.s.assigned, name)
		}
	}
	if !defaultDependencies {
		// Comes from [Unit], not from an assignment, but must be sent.
		r.s.assigned["DefaultDependencies"] = true
	}
	r.s.ExecStart = argvs(r.s.ExecStartCommands)
	r.s.ExecStop = argvs(r.s.ExecStopCommands)
	if r.s.Type != "oneshot" && len(r.s.ExecStartCommands) > 1 {
		errs = append(errs, &Error{Source: lastSource(assigns, "ExecStart"), Directive: "ExecStart",
			Value:  fmt.Sprintf("(%d commands)", len(r.s.ExecStartCommands)),
			Reason: "more than one ExecStart= command is only allowed with Type=oneshot"})
	}
	if err := joinProblems(errs); err != nil {
		return nil, err
	}
	return r.s, nil
}

func emptyString(s *Settings, name string) bool {
	switch name {
	case "SystemCallErrorNumber":
		return s.SystemCallErrorNumber == ""
	case "KeyringMode":
		return s.KeyringMode == ""
	case "NotifyAccess":
		return s.NotifyAccess == ""
	}
	return false
}

func lastSource(assigns []Assignment, name string) Source {
	var src Source
	for _, a := range assigns {
		if a.Name == name {
			src = a.Source
		}
	}
	return src
}

func argvs(cmds []ExecCommand) [][]string {
	var out [][]string
	for _, c := range cmds {
		out = append(out, c.Argv)
	}
	return out
}

// newSettings returns the defaults systemd 252 applies to a service.
func newSettings(defaultDependencies bool) *Settings {
	return &Settings{
		DefaultDependencies:   defaultDependencies,
		Type:                  "simple",
		UMask:                 defaultUMask,
		ProtectSystem:         "no",
		ProtectHome:           "no",
		ProtectProc:           "default",
		ProcSubset:            "all",
		DevicePolicy:          "auto",
		CapabilityBoundingSet: ^uint64(0),
		RestrictNamespaces:    NamespacesAll,
		assigned:              map[string]bool{},
	}
}

// maxValueLen bounds one value; systemd's own limit for a unit-file line
// is 1 MiB (LONG_LINE_MAX).
const maxValueLen = 1 << 20

// checkAssignmentText refuses text that no directive can hold.
func checkAssignmentText(a Assignment) error {
	switch {
	case len(a.Value) > maxValueLen:
		return newError(a, "value longer than 1 MiB")
	case containsByte(a.Name, 0) || containsByte(a.Value, 0):
		return newError(a, "contains a NUL byte")
	case !utf8.ValidString(a.Name):
		return newError(a, "directive name is not valid UTF-8")
	case containsByte(a.Name, '\n') || containsByte(a.Value, '\n'):
		return newError(a, "contains a newline")
	}
	return nil
}

func containsByte(s string, b byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return true
		}
	}
	return false
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

// Set reports whether the assignments named the directive (even to its
// default value). For Settings built by hand it reports whether the value
// differs from systemd's default.
func (s *Settings) Set(name string) bool {
	if s == nil {
		return false
	}
	if s.assigned != nil {
		return s.assigned[name]
	}
	spec, ok := Lookup(name)
	if !ok {
		return false
	}
	return !spec.isDefault(s)
}

// Effective returns a copy of the settings with the implications systemd
// applies when it loads the unit (unit_patch_contexts in 252): the
// capabilities PrivateDevices=, ProtectKernelModules=, ProtectKernelLogs=
// and ProtectClock= drop, the sandbox DynamicUser= forces, and the device
// policy PrivateDevices= closes. The scorer and CheckReadback need these.
func (s *Settings) Effective() *Settings {
	e := *s
	const (
		capSysModule = 16
		capSysRawio  = 17
		capSysTime   = 25
		capMknod     = 27
		capSyslog    = 34
		capWakeAlarm = 35
	)
	if e.PrivateDevices {
		e.CapabilityBoundingSet &^= 1<<capMknod | 1<<capSysRawio
		if e.DevicePolicy == "" || e.DevicePolicy == "auto" {
			e.DevicePolicy = "closed"
		}
	}
	if e.ProtectKernelModules {
		e.CapabilityBoundingSet &^= 1 << capSysModule
	}
	if e.ProtectKernelLogs {
		e.CapabilityBoundingSet &^= 1 << capSyslog
	}
	if e.ProtectClock {
		e.CapabilityBoundingSet &^= 1<<capSysTime | 1<<capWakeAlarm
	}
	if e.DynamicUser {
		e.PrivateTmp = true
		e.RemoveIPC = true
		e.ProtectSystem = "strict"
		if e.ProtectHome == "" || e.ProtectHome == "no" {
			e.ProtectHome = "read-only"
		}
		e.NoNewPrivileges = true
		e.RestrictSUIDSGID = true
	}
	return &e
}

// maxReported bounds how many problems one error lists; a hostile file can
// have a million bad lines, and nobody reads past the first screen.
const maxReported = 50

// joinProblems joins errors like errors.Join, keeping the first
// maxReported and counting the rest.
func joinProblems(errs []error) error {
	if len(errs) > maxReported {
		more := len(errs) - maxReported
		errs = append(errs[:maxReported:maxReported], fmt.Errorf("... and %d more problems", more))
	}
	return errors.Join(errs...)
}
