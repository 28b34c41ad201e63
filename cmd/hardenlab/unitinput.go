package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
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
	// hosts and trees keep what is read once per root: the host facts and
	// the unit search path's links (reading them again for every unit took
	// longer than parsing and scoring it).
	hosts map[string]directive.HostFacts
	trees map[string]unitpath.Tree
	// listed are the units --all found while listing the root, by name:
	// looking each up again cost as much as parsing it.
	listed map[string]unitpath.Unit
}

// tree is root's search path for the version, one per command.
func (s unitSource) tree(root string) unitpath.Tree {
	if t, ok := s.trees[root]; ok {
		return t
	}
	t := unitpath.SystemFor(root, s.version)
	if s.trees != nil {
		s.trees[root] = t
	}
	return t
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
	if strings.Contains(s.instance, "/") {
		// systemd-escape turns a path into an instance name.
		return nil, fmt.Errorf("--instance %q: an instance name cannot contain \"/\" (systemd-escape %s gives one)", s.instance, s.instance)
	}
	root := orRoot(s.root)
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
	if u, ok := s.listed[arg]; ok {
		return u, nil
	}
	u, err := s.tree(root).Find(arg)
	if errors.Is(err, unitpath.ErrMasked) {
		return u, fmt.Errorf("%w; systemd refuses to load a masked unit (unmask it, or score the unit file itself)", err)
	}
	if errors.Is(err, unitpath.ErrNotFound) {
		return u, fmt.Errorf("%w (searched %s; give a path to score a unit file that is not installed)", err, strings.Join(unitpath.SearchPath(), " "))
	}
	return u, err
}

// fileArgument reads a unit file as systemd-analyze reads a FILE: its
// directory goes first in the unit search path of this machine, so the
// drop-ins are FILE.d/ beside it and those of every search directory, and
// a missing foo@bar.service is read from foo@.service beside it.
func (s unitSource) fileArgument(p string) (string, directive.Files, error) {
	name := filepath.Base(p)
	alone := directive.Files{Fragment: p}
	// Only a symlink can be a mask; most arguments are plain files, and
	// resolving every path component of each cost more than parsing it.
	info, statErr := os.Lstat(p)
	if statErr == nil && (info.Mode()&fs.ModeSymlink != 0 || info.Mode()&fs.ModeDevice != 0) {
		if target, err := filepath.EvalSymlinks(p); err == nil && target == "/dev/null" {
			return "", alone, fmt.Errorf("%s: unit is masked (a symlink to /dev/null), nothing to read", p)
		}
		info, statErr = os.Stat(p)
	}
	if statErr == nil && info.Mode().IsRegular() && info.Size() == 0 {
		return "", alone, fmt.Errorf("%s: unit file is empty, which systemd treats as masked; nothing to read", p)
	}
	n, err := directive.SplitUnitName(name)
	if err != nil || (statErr != nil && n.Instance == "") {
		// Not a unit name, or no file: reading it alone gives the error.
		return name, alone, nil
	}
	dir, err := filepath.Abs(filepath.Dir(p))
	if err != nil {
		return "", alone, fmt.Errorf("%s: %w", p, err)
	}
	lookup := name
	if n.Template && s.instance != "" {
		// The instance's own drop-ins (foo@bar.service.d/) apply too.
		lookup = n.WithInstance(s.instance).String()
	}
	u, err := s.tree("/").WithDir(dir).Find(lookup)
	if errors.Is(err, unitpath.ErrNotFound) {
		return name, alone, nil
	}
	if err != nil {
		return "", alone, err
	}
	files := u.Files()
	if u.InRoot == filepath.Join(dir, name) {
		files.Fragment = p // name the file as the user wrote it
	}
	return u.Name, files, nil
}

// instanceName applies --instance and refuses a template that has none
// where the caller needs one.
func (s unitSource) instanceName(name, arg string) (string, error) {
	n, err := directive.SplitUnitName(name)
	if err != nil || !n.Template {
		switch {
		case s.instance == "" || err != nil:
		case n.Instance == "":
			return "", fmt.Errorf("%s: --instance %s given, but %s is not a template (NAME@.service)", arg, s.instance, name)
		case n.Instance != s.instance:
			return "", fmt.Errorf("%s: --instance %s given, but %s names its own instance %q; give the template (%s) with --instance, or the instance alone", arg, s.instance, name, n.Instance, n.TemplateName())
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

// requireService refuses a unit that is not a service before anything is
// scored or started: hardenlab models [Service] only, and a .socket or
// .timer would otherwise boot a sandbox to run the bare demo. systemd
// loads a service without commands only when [Unit] gives a
// SuccessAction= (systemd-exit.service), so that one passes.
func requireService(u *directive.Unit, arg string) error {
	if n, err := directive.SplitUnitName(u.Name); err == nil && n.Suffix != ".service" {
		return fmt.Errorf("%s: %s is a %s unit, not a service; hardenlab scores and runs service units (the service it starts, e.g. %s.service)",
			arg, u.Name, strings.TrimPrefix(n.Suffix, "."), n.Prefix)
	}
	if len(u.Service) == 0 && !unitHas(u, "SuccessAction") {
		return fmt.Errorf("%s: no [Service] settings, nothing to score or run (is this a service unit?)", arg)
	}
	return nil
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

// orRoot is the root a --root flag means: "/" when not given.
func orRoot(root string) string {
	if root == "" {
		return "/"
	}
	return root
}
