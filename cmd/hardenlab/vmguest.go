package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/vm"
)

// freshRun is what runFresh needs besides the profiles.
type freshRun struct {
	sandbox   sandbox.Options
	envName   string
	opts      run.Options
	installed string // --installed, checked unchanged afterwards in a VM guest
	first     *sandbox.Environment
	done      func(i int, rec report.Record)
}

// runFresh runs each profile in a sandbox of its own (see freshSandboxes):
// a fresh nspawn container each, or, as the command of a VM run, the
// guest's own systemd with fresh overlays over the directories a service
// writes (vm.MountFreshState), put back after every profile. The VM is
// the one place hardenlab clones an installed unit on the systemd that
// runs it; there it also proves the unit's files unchanged afterwards.
func runFresh(ctx context.Context, fr freshRun, profiles []profile.Profile, progress *progress) ([]report.Record, error) {
	if fr.first == nil {
		fr.first = &sandbox.Environment{}
	}
	if !vm.InGuest() {
		return run.RunFresh(ctx, bootFresh(fr.sandbox, fr.envName, progress, fr.first), fr.opts, profiles, fr.done)
	}
	return runFreshInGuest(ctx, fr, profiles, progress)
}

// runFreshInGuest is runFresh as the command of a VM run.
func runFreshInGuest(ctx context.Context, fr freshRun, profiles []profile.Profile, progress *progress) ([]report.Record, error) {
	var before map[string]string
	var err error
	if fr.installed != "" {
		if before, err = installedFingerprint(fr.installed); err != nil {
			return nil, err
		}
	}
	var state *vm.FreshState
	boot := func(ctx context.Context, n int) (*sandbox.Sandbox, error) {
		if state != nil {
			if err := state.Unmount(); err != nil {
				return nil, err
			}
		}
		if state, err = vm.MountFreshState(); err != nil {
			return nil, err
		}
		o := fr.sandbox
		o.Kind = sandbox.Host
		o.RunID = fmt.Sprintf("%s-p%d", fr.sandbox.RunID, n)
		sb, err := sandbox.Start(ctx, o)
		if err != nil {
			return nil, err
		}
		sb.Env.Name = fr.envName
		sb.Env.RootView = sandbox.Overlay
		if n == 0 {
			*fr.first = sb.Env
		}
		progress.linef("profile %d of %d in the guest's systemd, with fresh overlays on %s", n+1, len(profiles), strings.Join(vm.FreshPaths(), " "))
		return sb, nil
	}
	records, err := run.RunFresh(ctx, boot, fr.opts, profiles, fr.done)
	if state != nil {
		err = errors.Join(err, state.Unmount())
	}
	if fr.installed == "" || err != nil {
		return records, err
	}
	after, err := installedFingerprint(fr.installed)
	if err != nil {
		return records, err
	}
	if changed := changedPaths(before, after); len(changed) > 0 {
		return records, fmt.Errorf("the installed %s or its files changed in the guest: %s", fr.installed, strings.Join(changed, ", "))
	}
	progress.linef("installed %s unchanged in the guest: %d files and links compared", fr.installed, len(after))
	return records, nil
}

// installedFingerprint is the state of an installed unit a clone must
// never change: its fragment, drop-ins and enablement links, and what is
// in the directories and files its service owns.
func installedFingerprint(name string) (map[string]string, error) {
	u, err := unitSource{}.load(name)
	if err != nil {
		return nil, fmt.Errorf("reading the installed %s: %w", name, err)
	}
	p, err := profile.FromUnit(u, strings.TrimSuffix(u.Name, ".service"))
	if err != nil {
		return nil, fmt.Errorf("reading the installed %s: %w", name, err)
	}
	globs := append([]string{u.Path, "/etc/systemd/system/*.wants/" + u.Name}, u.DropIns...)
	for _, d := range ownedPaths(p) {
		globs = append(globs, d, filepath.Join(d, "*"))
	}
	out := map[string]string{}
	for _, g := range globs {
		paths, err := filepath.Glob(g)
		if err != nil {
			return nil, fmt.Errorf("listing %s: %w", g, err)
		}
		for _, path := range paths {
			if sum, ok := fingerprint(path); ok {
				out[path] = sum
			}
		}
	}
	return out, nil
}

// ownedDirectories are where systemd puts each *Directory= name.
var ownedDirectories = map[string]string{
	"RuntimeDirectory": "/run", "StateDirectory": "/var/lib", "CacheDirectory": "/var/cache",
	"LogsDirectory": "/var/log", "ConfigurationDirectory": "/etc",
}

// ownedPaths are the absolute paths a unit's service writes: its
// directories, ReadWritePaths= and PIDFile=.
func ownedPaths(p profile.Profile) []string {
	var out []string
	for _, rw := range p.Settings.ReadWritePaths {
		out = append(out, strings.TrimLeft(rw, "-+"))
	}
	words := func(d string) []string {
		// The rendered value quotes paths and brackets lists.
		v := strings.NewReplacer(`"`, "", "[", "", "]", "", ",", " ").Replace(strings.Join(p.Settings.PlainValue(d), " "))
		return strings.Fields(v)
	}
	for d, base := range ownedDirectories {
		for _, w := range words(d) {
			name, _, _ := strings.Cut(w, ":") // NAME[:SYMLINK]
			out = append(out, filepath.Join(base, name))
		}
	}
	out = append(out, words("PIDFile")...)
	slices.Sort(out)
	return slices.Compact(out)
}

// fingerprint is a path's type, mode, owner-visible time and content.
func fingerprint(path string) (string, bool) {
	fi, err := os.Lstat(path)
	if err != nil {
		return "", false
	}
	sum := fi.Mode().String() + " " + fi.ModTime().UTC().String()
	switch {
	case fi.Mode().IsRegular():
		b, err := os.ReadFile(path)
		if err != nil {
			return sum + " unreadable", true
		}
		h := sha256.Sum256(b)
		sum += " " + hex.EncodeToString(h[:])
	case fi.Mode()&os.ModeSymlink != 0:
		t, _ := os.Readlink(path)
		sum += " -> " + t
	}
	return sum, true
}

// changedPaths lists paths added, removed or changed between two
// fingerprints, sorted.
func changedPaths(before, after map[string]string) []string {
	var out []string
	for p, s := range before {
		if a, ok := after[p]; !ok {
			out = append(out, p+" (removed)")
		} else if a != s {
			out = append(out, p+" (changed)")
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			out = append(out, p+" (added)")
		}
	}
	slices.Sort(out)
	return out
}
