package run

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/godbus/dbus/v5"

	"github.com/hardenlab/hardenlab/harness/directive"
)

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
// newer than the systemd under test (directive.Spec.Since), and system
// call names in SystemCallFilter= that its libseccomp does not resolve
// (directive.NewerSyscalls): PID 1 would start the unit with the name
// silently dropped, so the filter would not mean what the file says.
//
// The parser accepts a name any modelled release resolves; only here,
// with the version known, is a 257-only name (mseal, listmount...) refused
// for 252. Strictly the name needs libseccomp 2.6, not systemd 257:
// hardenlab approximates the libseccomp by the systemd release whose
// Debian libseccomp its name lists were generated from.
func checkSupported(p Profile, systemdVersion string) error {
	// Keys that would change the sandbox but cannot be sent are refused
	// whatever the version.
	errs := directive.RunRefusals(append(p.Settings.Notes(), p.Notes...))
	major, err := strconv.Atoi(leadingNumber(systemdVersion))
	if err != nil {
		return errors.Join(errs...) // unknown version: let systemd itself decide the rest
	}
	for _, a := range p.Assignments {
		if since := max(directive.Since(a.Name), directive.ValueSince(a)); since > 0 && major < since {
			errs = append(errs, &RefusalError{Directive: a.Name, Value: a.Value, Source: a.Source.String(), Systemd: systemdVersion,
				Reason: fmt.Sprintf("does not support it: it needs systemd %d or newer", since)})
			continue
		}
		for _, n := range directive.NewerSyscalls(a, major) {
			errs = append(errs, &RefusalError{Directive: a.Name, Value: a.Value, Source: a.Source.String(), Systemd: systemdVersion, Reason: n.Ignored()})
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
	for _, s := range directive.PlainDirectives() {
		for _, p := range s.Properties {
			if p == prop {
				return s.Name
			}
		}
	}
	return prop
}
