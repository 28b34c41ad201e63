package run

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/godbus/dbus/v5"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// since is the first systemd release whose PID 1 accepts each directive on
// a transient service (from systemd's server-side transient setters; see
// shared/research/dbus-properties.md §3b). Directives not listed are older
// than anything hardenlab supports.
var since = map[string]int{
	"WorkingDirectory": 227, "PrivateTmp": 227, "PrivateDevices": 227, "PrivateNetwork": 227, "NoNewPrivileges": 227,
	"ProtectSystem": 228, "ProtectHome": 228,
	"ReadWritePaths": 231, "ReadOnlyPaths": 231, "InaccessiblePaths": 231, "MemoryDenyWriteExecute": 231, "RestrictRealtime": 231,
	"PrivateUsers": 232, "DynamicUser": 232, "RemoveIPC": 232, "ProtectKernelTunables": 232, "ProtectKernelModules": 232, "ProtectControlGroups": 232,
	"RestrictNamespaces":    233,
	"CapabilityBoundingSet": 235, "AmbientCapabilities": 235, "SystemCallFilter": 235, "SystemCallArchitectures": 235,
	"SystemCallErrorNumber": 235, "RestrictAddressFamilies": 235, "LockPersonality": 235, "KeyringMode": 235, "UMask": 235,
	"IPAddressAllow": 235, "IPAddressDeny": 235,
	"ExecStop":        236,
	"ProtectHostname": 242, "RestrictSUIDSGID": 242,
	"ProtectKernelLogs": 244,
	"ProtectClock":      245,
	"ProtectProc":       247, "ProcSubset": 247,
}

// RefusalError is a directive the systemd under test cannot take.
type RefusalError struct {
	Directive string
	Value     string
	Source    string
	Systemd   string
	Reason    string
}

func (e *RefusalError) Error() string {
	return fmt.Sprintf("%s: %s=%s: systemd %s %s", e.Source, e.Directive, e.Value, e.Systemd, e.Reason)
}

// checkSupported refuses, before anything starts, directives that are
// newer than the systemd under test.
func checkSupported(p Profile, systemdVersion string) error {
	major, err := strconv.Atoi(leadingNumber(systemdVersion))
	if err != nil {
		return nil // unknown version: let systemd itself decide
	}
	var errs []error
	for _, a := range p.Assignments {
		if v, ok := since[a.Name]; ok && major < v {
			errs = append(errs, &RefusalError{Directive: a.Name, Value: a.Value, Source: a.Source.String(), Systemd: systemdVersion,
				Reason: fmt.Sprintf("does not support it: it needs systemd %d or newer", v)})
		}
	}
	return errors.Join(errs...)
}

var cannotSet = regexp.MustCompile(`Cannot set property (\w+)`)

// explainRefusal turns systemd's "Cannot set property X, or unknown
// property" into the directive of the profile that produced X.
func explainRefusal(err error, p Profile, systemdVersion string) error {
	var de dbus.Error
	if !errors.As(err, &de) {
		var dp *dbus.Error
		if !errors.As(err, &dp) {
			return err
		}
		de = *dp
	}
	if de.Name != "org.freedesktop.DBus.Error.PropertyReadOnly" || len(de.Body) == 0 {
		return err
	}
	msg, _ := de.Body[0].(string)
	m := cannotSet.FindStringSubmatch(msg)
	if m == nil {
		return err
	}
	name := directiveOfProperty(m[1])
	for _, a := range p.Assignments {
		if a.Name == name {
			return &RefusalError{Directive: a.Name, Value: a.Value, Source: a.Source.String(), Systemd: systemdVersion,
				Reason: fmt.Sprintf("refused D-Bus property %s: this systemd does not know it or does not allow it on transient units", m[1])}
		}
	}
	return fmt.Errorf("systemd %s refused D-Bus property %s (not from a directive of the unit): %w", systemdVersion, m[1], err)
}

func directiveOfProperty(prop string) string {
	for _, s := range directive.Specs() {
		for _, p := range s.Properties {
			if p == prop {
				return s.Name
			}
		}
	}
	return prop
}
