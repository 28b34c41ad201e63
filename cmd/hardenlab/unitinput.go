package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/unitpath"
)

// unitSource says where the unit arguments of score, run, matrix and
// check come from: a FILE argument (anything with a "/", or a file in
// the current directory) is read with its drop-in directory beside it; a
// NAME is resolved in root's unit search path as systemctl --root would.
type unitSource struct {
	root     string // "" means "/"
	instance string // --instance: the instance for a template
	version  int    // systemd release the specifiers are read for; 0 any
	// templateOK lets a template without an instance load, as
	// systemd-analyze --offline scores one (with its own instance name).
	templateOK bool
	// hosts keeps the host facts read per root: reading them for every
	// unit took as long as parsing and scoring it.
	hosts map[string]directive.HostFacts
}

// hostFacts reads a root's facts once per command.
func (s unitSource) hostFacts(root string) directive.HostFacts {
	if h, ok := s.hosts[root]; ok {
		return h
	}
	h := directive.ReadHostFacts(root)
	if s.hosts != nil {
		s.hosts[root] = h
	}
	return h
}

// isUnitName says whether arg names an installed unit rather than a file.
func (s unitSource) isUnitName(arg string) bool {
	if strings.Contains(arg, "/") {
		return false
	}
	if s.root == "" {
		if _, err := os.Stat(arg); err == nil {
			return false
		}
	}
	return true
}

// load reads the unit arg names, with its drop-ins and specifiers.
func (s unitSource) load(arg string) (*directive.Unit, error) {
	root := s.root
	if root == "" {
		root = "/"
	}
	var (
		name   string
		files  directive.Files
		inRoot string
		host   directive.HostFacts
	)
	if s.isUnitName(arg) {
		u, err := s.find(root, arg)
		if err != nil {
			return nil, err
		}
		name, files, inRoot, host = u.Name, u.Files(), u.InRoot, s.hostFacts(root)
	} else {
		var err error
		name, files, err = s.fileArgument(arg)
		if err != nil {
			return nil, err
		}
		inRoot, host = absOr(files.Fragment), s.hostFacts("/")
	}
	name, err := s.instanceName(name, arg)
	if err != nil {
		return nil, err
	}
	ctx := directive.SpecifierContext{Unit: name, Fragment: inRoot, Host: host, Version: s.version}
	return directive.ParseFiles(files, ctx)
}

// find resolves a unit name, with --instance applied to a template name.
func (s unitSource) find(root, arg string) (unitpath.Unit, error) {
	n, err := directive.SplitUnitName(arg)
	if err != nil {
		return unitpath.Unit{}, err
	}
	if n.Template && s.instance != "" {
		arg = n.WithInstance(s.instance).String()
	}
	u, err := unitpath.Find(root, arg)
	if errors.Is(err, unitpath.ErrMasked) {
		return u, fmt.Errorf("%w; systemd refuses to load a masked unit (unmask it, or score the unit file itself)", err)
	}
	if errors.Is(err, unitpath.ErrNotFound) {
		return u, fmt.Errorf("%w (searched %s; give a path to score a unit file that is not installed)", err, strings.Join(unitpath.SearchPath, " "))
	}
	return u, err
}

// fileArgument finds a unit file and the drop-ins beside it: NAME.d/ and,
// for an instance, its template's; a missing foo@bar.service is read from
// foo@.service in the same directory, as systemd loads an instance.
func (s unitSource) fileArgument(path string) (string, directive.Files, error) {
	name := filepath.Base(path)
	if target, err := filepath.EvalSymlinks(path); err == nil && target == "/dev/null" {
		return "", directive.Files{}, fmt.Errorf("%s: unit is masked (a symlink to /dev/null), nothing to read", path)
	}
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() && info.Size() == 0 {
		return "", directive.Files{}, fmt.Errorf("%s: unit file is empty, which systemd treats as masked; nothing to read", path)
	}
	n, nameErr := directive.SplitUnitName(name)
	fragment := path
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && nameErr == nil && n.Instance != "" {
		template := filepath.Join(filepath.Dir(path), n.TemplateName())
		if _, terr := os.Stat(template); terr == nil {
			fragment = template
		}
	}
	dirs := []string{path + ".d"}
	if nameErr == nil && n.TemplateName() != "" && n.TemplateName() != name {
		dirs = append(dirs, filepath.Join(filepath.Dir(path), n.TemplateName()+".d"))
	}
	dropIns, err := besideDropIns(dirs)
	return name, directive.Files{Fragment: fragment, DropIns: dropIns}, err
}

// besideDropIns lists the .conf files of the directories, the first
// directory winning a file name, in lexicographic order of the names.
func besideDropIns(dirs []string) ([]string, error) {
	chosen := map[string]string{}
	var names []string
	for _, d := range dirs {
		matches, err := filepath.Glob(filepath.Join(d, "*.conf"))
		if err != nil {
			return nil, fmt.Errorf("list drop-ins in %s: %w", d, err)
		}
		for _, m := range matches {
			if _, ok := chosen[filepath.Base(m)]; !ok {
				chosen[filepath.Base(m)] = m
				names = append(names, filepath.Base(m))
			}
		}
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		if target, err := filepath.EvalSymlinks(chosen[n]); err == nil && target == "/dev/null" {
			continue
		}
		out = append(out, chosen[n])
	}
	return out, nil
}

// instanceName applies --instance and refuses a template that has none
// where the caller needs one.
func (s unitSource) instanceName(name, arg string) (string, error) {
	n, err := directive.SplitUnitName(name)
	if err != nil || !n.Template {
		if s.instance != "" && err == nil && n.Instance == "" {
			return "", fmt.Errorf("%s: --instance %s given, but %s is not a template (NAME@.service)", arg, s.instance, name)
		}
		return name, nil
	}
	switch {
	case s.instance != "":
		return n.WithInstance(s.instance).String(), nil
	case s.templateOK:
		return n.WithInstance(directive.OfflineTemplateInstance(s.version)).String(), nil
	}
	return "", fmt.Errorf("%s: %s is a template, which systemd cannot start without an instance; add --instance NAME (e.g. --instance tty1 for getty@tty1.service)", arg, name)
}

func absOr(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// unitHas says whether any file of the unit assigns the directive, in a
// section hardenlab models or one it only notes.
func unitHas(u *directive.Unit, name string) bool {
	for _, a := range u.Service {
		if a.Name == name {
			return true
		}
	}
	for _, n := range u.Notes {
		if n.Directive == name {
			return true
		}
	}
	return false
}
