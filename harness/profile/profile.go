// Package profile names directive sets and generates the matrices that
// attribute a unit's score, enforcement and breakage to each directive: the
// control, each directive alone, the unit's own order cumulatively (the
// tutorial's step-by-step ladder), and the full set minus one.
package profile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// Kinds of generated profiles.
const (
	Control     = "control"
	Full        = "full"
	Single      = "single"
	Ladder      = "ladder"
	LeaveOneOut = "leave-one-out"
)

// Profile is one directive set to test.
type Profile struct {
	Name        string
	Kind        string // one of the kinds above; "" for a plain unit file
	Step        int    // ladder step, 1-based
	Directive   string // the directive a single/leave-one-out/ladder step is about
	Source      string // unit file, if any
	Assignments []directive.Assignment
	Settings    *directive.Settings
	Notes       []directive.Note
	// DefaultDependencies comes from the unit's [Unit] section.
	DefaultDependencies bool
}

// Modes are the matrix shapes `hardenlab matrix --mode` accepts.
var modes = map[string][]string{
	"single":        {Control, Single, Full},
	"ladder":        {Control, Ladder},
	"leave-one-out": {Control, Full, LeaveOneOut},
	"all":           {Control, Single, Ladder, LeaveOneOut},
}

// ValidMode says whether mode is a known matrix mode.
func ValidMode(mode string) bool { _, ok := modes[mode]; return ok }

// ModeNames lists the modes for help texts.
func ModeNames() []string { return []string{"ladder", "single", "leave-one-out", "all"} }

// notHardening says whether every generated profile keeps the
// assignment: only hardening (security directives, and the sandboxing
// ones passed through) is ablated; the service's own keys (Restart=,
// PIDFile=, StateDirectory=, ...) are its environment.
func notHardening(name string) bool { return !directive.Hardening(directive.Canonical(name)) }

// Directives lists the unit's hardening directives in the order they first
// appear; repeated lines of one directive are one step.
func Directives(assigns []directive.Assignment) []string {
	var out []string
	seen := map[string]bool{}
	for _, a := range assigns {
		name := directive.Canonical(a.Name)
		if notHardening(name) || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, name)
	}
	return out
}

// FromUnit is the unit file as it stands.
func FromUnit(u *directive.Unit, name string) (Profile, error) {
	return build(name, "", 0, "", u, u.Service)
}

// ErrNoHardening is a unit that declares nothing a matrix could take away.
var ErrNoHardening = errors.New("no hardening directives to build a matrix from")

// Generate makes the profiles of a matrix mode from a unit. Profiles that
// come out identical (the last ladder step and the full set, the first
// ladder step and that directive alone) are kept once, under the first
// name, with the others listed in Aliases.
func Generate(u *directive.Unit, mode string) ([]Profile, error) {
	kinds, ok := modes[mode]
	if !ok {
		return nil, fmt.Errorf("unknown matrix mode %q (want %s)", mode, strings.Join(ModeNames(), ", "))
	}
	dirs := Directives(u.Service)
	if len(dirs) == 0 {
		return nil, fmt.Errorf("%s: %w", u.Path, ErrNoHardening)
	}
	base := keep(u.Service, func(a directive.Assignment) bool { return notHardening(a.Name) })
	var out []Profile
	add := func(name, kind string, step int, dir string, assigns []directive.Assignment) error {
		p, err := build(name, kind, step, dir, u, assigns)
		if err != nil {
			return err
		}
		out = append(out, p)
		return nil
	}
	for _, kind := range kinds {
		var err error
		switch kind {
		case Control:
			err = add("control", Control, 0, "", base)
		case Full:
			err = add("full", Full, 0, "", u.Service)
		case Single:
			for _, d := range dirs {
				d := d
				if err = add("single-"+d, Single, 0, d, keep(u.Service, func(a directive.Assignment) bool {
					return notHardening(a.Name) || directive.Canonical(a.Name) == d
				})); err != nil {
					break
				}
			}
		case Ladder:
			for i, d := range dirs {
				upTo := map[string]bool{}
				for _, e := range dirs[:i+1] {
					upTo[e] = true
				}
				if err = add(fmt.Sprintf("ladder-%02d-%s", i+1, d), Ladder, i+1, d, keep(u.Service, func(a directive.Assignment) bool {
					return notHardening(a.Name) || upTo[directive.Canonical(a.Name)]
				})); err != nil {
					break
				}
			}
		case LeaveOneOut:
			for _, d := range dirs {
				d := d
				if err = add("without-"+d, LeaveOneOut, 0, d, keep(u.Service, func(a directive.Assignment) bool {
					return directive.Canonical(a.Name) != d
				})); err != nil {
					break
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func keep(assigns []directive.Assignment, pred func(directive.Assignment) bool) []directive.Assignment {
	var out []directive.Assignment
	for _, a := range assigns {
		if pred(a) {
			out = append(out, a)
		}
	}
	return out
}

func build(name, kind string, step int, dir string, u *directive.Unit, assigns []directive.Assignment) (Profile, error) {
	s, err := directive.Resolve(assigns, u.DefaultDependencies)
	if err != nil {
		return Profile{}, fmt.Errorf("building profile %s: %w", name, err)
	}
	return Profile{
		Name: name, Kind: kind, Step: step, Directive: dir, Source: u.Path,
		Assignments: assigns, Settings: s, Notes: u.Notes, DefaultDependencies: u.DefaultDependencies,
	}, nil
}

// Key identifies a profile's content: two profiles with the same key are
// the same experiment.
func Key(p Profile) string {
	var b strings.Builder
	for _, a := range p.Assignments {
		b.WriteString(a.Name)
		b.WriteByte('=')
		b.WriteString(a.Value)
		b.WriteByte('\n')
	}
	return b.String()
}
