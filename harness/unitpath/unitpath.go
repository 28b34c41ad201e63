// Package unitpath finds an installed unit's files under a root directory
// the way systemd's system manager does: its fragment (following aliases
// and templates, refusing masked units) and its drop-ins, in the order
// systemd applies them.
package unitpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// SearchPath is the system manager's unit search path, highest priority
// first (`systemd-analyze unit-paths` of 252; 257 drops /lib/systemd/system,
// which on a merged-/usr root is the same directory as /usr/lib/...).
// Generator directories are included: they are empty offline.
func SearchPath() []string {
	return []string{
		"/etc/systemd/system.control",
		"/run/systemd/system.control",
		"/run/systemd/transient",
		"/run/systemd/generator.early",
		"/etc/systemd/system",
		"/etc/systemd/system.attached",
		"/run/systemd/system",
		"/run/systemd/system.attached",
		"/run/systemd/generator",
		"/usr/local/lib/systemd/system",
		"/lib/systemd/system",
		"/usr/lib/systemd/system",
		"/run/systemd/generator.late",
	}
}

// ErrMasked says the unit is masked (a symlink to /dev/null or an empty
// file), which systemd refuses to load.
var ErrMasked = errors.New("unit is masked")

// ErrNotFound says no directory of the search path has the unit.
var ErrNotFound = errors.New("unit not found")

// Unit is a unit found under a root.
type Unit struct {
	Name     string   // the unit's name: the asked name, or the target of an alias
	Asked    string   // the name that was asked for
	Fragment string   // the file to read, as a path on this machine (under the root)
	InRoot   string   // the fragment's path as the root's systemd sees it (%y)
	DropIns  []string // drop-in files on this machine, in the order systemd applies them
}

// Tree is where units are looked up: a root and the unit search path
// inside it, highest priority first.
type Tree struct {
	Root       string
	SearchPath []string
	links      *linkCache // nil: read the directories at every lookup
}

// linkCache keeps each search directory's entries and where its symlinks
// end, read once per tree and the trees made from it: looking up the
// aliases and drop-in directories of many units read every directory again
// for each.
type linkCache struct {
	mu    sync.Mutex
	byDir map[string]listing
}

// listing is one search directory: its entries and its symlinks.
type listing struct {
	entries []fs.DirEntry   // sorted by name, as os.ReadDir returns them
	names   map[string]bool // entry name -> whether it is a symlink
	// finals maps each symlink that resolves to the path in the root it
	// ends at: the fragment of a unit found by that name.
	finals map[string]string
	// linksTo maps the file name a symlink finally ends at to the
	// symlinks, in directory order: every unit asks for its aliases.
	linksTo map[string][]string
	read    bool  // names are all its entries (none if it does not exist)
	err     error // why it could not be read, other than not existing
	id      dirID // the directory itself, to read one reached by two paths once
}

// dirID names a directory by device and inode.
type dirID struct{ dev, ino uint64 }

// System is the system manager's tree under root ("/" for this machine).
func System(root string) Tree {
	return Tree{Root: root, SearchPath: SearchPath(), links: &linkCache{byDir: map[string]listing{}}}
}

// splitUsrDropped is the first release without /lib/systemd/system in
// its search path (255 removed split-usr; `systemd-analyze unit-paths` of
// 257 lists no /lib).
const splitUsrDropped = 255

// SystemFor is System as systemd release version searches it (0: the
// oldest modelled, whose path is a superset), which decides whether a
// fragment is named /lib/... or /usr/lib/... on a merged-/usr root.
func SystemFor(root string, version int) Tree {
	t := System(root)
	if version >= splitUsrDropped {
		t.SearchPath = slices.DeleteFunc(slices.Clone(t.SearchPath), func(d string) bool { return d == "/lib/systemd/system" })
	}
	return t
}

// WithDir puts dir first in the search path, as systemd-analyze does for
// the directory of a unit file it is given (SYSTEMD_UNIT_PATH="dir:").
func (t Tree) WithDir(dir string) Tree {
	t.SearchPath = append([]string{dir}, t.SearchPath...)
	return t
}

// Files is what directive.ParseFiles reads.
func (u Unit) Files() directive.Files {
	return directive.Files{Fragment: u.Fragment, DropIns: u.DropIns}
}

// Find resolves name in the tree.
func (t Tree) Find(name string) (Unit, error) {
	root := t.Root
	n, err := directive.SplitUnitName(name)
	if err != nil {
		return Unit{}, err
	}
	u := Unit{Name: name, Asked: name}
	frag, target, err := t.findFragment(name)
	if errors.Is(err, ErrNotFound) && n.Instance != "" {
		// systemd loads foo@bar.service from foo@.service.
		frag, target, err = t.findFragment(n.TemplateName())
		if err == nil && target != n.TemplateName() {
			if tn, terr := directive.SplitUnitName(target); terr == nil {
				target = tn.WithInstance(n.Instance).String()
			}
		} else if err == nil {
			target = name
		}
	}
	if err != nil {
		return Unit{}, fmt.Errorf("%s under %s: %w", name, root, err)
	}
	u.Name, u.InRoot = target, frag
	u.Fragment = filepath.Join(root, frag)
	u.DropIns = t.findDropIns(append([]string{u.Name}, t.aliasesOf(u.Name)...))
	return u, nil
}

// findFragment looks for name in the search path; the first directory
// that has it wins. It returns the fragment's path in the root and the
// unit's real name (different when name is an alias).
func (t Tree) findFragment(name string) (frag, target string, err error) {
	root := t.Root
	for _, dir := range t.SearchPath {
		var l listing
		if t.links != nil {
			if l = t.list(dir); l.read {
				if _, listed := l.names[name]; !listed {
					continue // the listing read once answers without a stat
				}
			}
		}
		p := path.Join(dir, name)
		final := ""
		if isLink, listed := l.names[name]; listed {
			final = l.finals[name] // "" when it does not resolve: found below
			if !isLink {
				final = p
			}
		}
		if final == "" {
			if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
				continue
			}
			var err error
			if final, err = resolveInRoot(root, p); err != nil {
				return "", "", err
			}
		}
		if final == "/dev/null" {
			return "", "", fmt.Errorf("%s is a symlink to /dev/null: %w", p, ErrMasked)
		}
		info, err := os.Stat(filepath.Join(root, final))
		if err != nil {
			return "", "", fmt.Errorf("%s: %w", p, err)
		}
		if info.Size() == 0 && info.Mode().IsRegular() {
			return "", "", fmt.Errorf("%s is empty: %w", final, ErrMasked)
		}
		target = name
		if base := path.Base(final); base != name && strings.HasSuffix(base, path.Ext(name)) {
			target = base
		}
		return final, target, nil
	}
	return "", "", ErrNotFound
}

// resolveInRoot follows symlinks inside root, so that an absolute link
// target names a file of the root, not of this machine.
func resolveInRoot(root, p string) (string, error) {
	for hops := 0; hops < 40; hops++ {
		if p == "/dev/null" {
			return p, nil
		}
		info, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		link, err := os.Readlink(filepath.Join(root, p))
		if err != nil {
			return "", fmt.Errorf("read link %s: %w", p, err)
		}
		if !path.IsAbs(link) {
			link = path.Join(path.Dir(p), link)
		}
		p = path.Clean(link)
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", p)
}

// resolveListedLink is resolveInRoot for a path its directory's listing
// says is a symlink: it reads the link without an lstat first.
func resolveListedLink(root, p string) (string, error) {
	link, err := os.Readlink(filepath.Join(root, p))
	if err != nil {
		return resolveInRoot(root, p) // gone since, or not a link: say why
	}
	if !path.IsAbs(link) {
		link = path.Join(path.Dir(p), link)
	}
	return resolveInRoot(root, path.Clean(link))
}

// aliasesOf finds the symlinks of the search path that name the unit by
// another name: systemd reads their drop-ins too.
func (t Tree) aliasesOf(name string) []string {
	var out []string
	for _, dir := range t.SearchPath {
		for _, l := range t.list(dir).linksTo[name] {
			if l != name && path.Ext(l) == path.Ext(name) && !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

// list reads one search directory, or remembers it.
func (t Tree) list(dir string) listing {
	if t.links == nil {
		return t.readListing(dir, nil)
	}
	t.links.mu.Lock()
	defer t.links.mu.Unlock()
	if l, ok := t.links.byDir[dir]; ok {
		return l
	}
	l := t.readListing(dir, t.links.byDir)
	t.links.byDir[dir] = l
	return l
}

// readListing reads dir. A directory already listed under another path
// (/lib/systemd/system is /usr/lib/systemd/system on a merged-/usr root)
// shares its entries, read once; its symlinks are resolved from this path,
// which names the fragments found through it.
func (t Tree) readListing(dir string, known map[string]listing) listing {
	var l listing
	f, err := os.Open(filepath.Join(t.Root, dir))
	if err == nil {
		defer f.Close()
		if info, serr := f.Stat(); serr == nil {
			if st, ok := info.Sys().(*syscall.Stat_t); ok {
				l.id = dirID{uint64(st.Dev), st.Ino}
			}
		}
		if same, ok := sameDir(known, l.id); ok {
			l.entries, l.names, l.read = same.entries, same.names, true
		} else {
			l.entries, err = f.ReadDir(-1)
			slices.SortFunc(l.entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
		}
	}
	switch {
	case l.read:
	case err == nil || errors.Is(err, fs.ErrNotExist):
		l.read = true
	default:
		l.err = err
	}
	if l.names == nil {
		l.names = make(map[string]bool, len(l.entries))
		for _, e := range l.entries {
			l.names[e.Name()] = e.Type()&fs.ModeSymlink != 0
		}
	}
	for _, e := range l.entries {
		if e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		final, err := resolveListedLink(t.Root, path.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if l.linksTo == nil {
			l.linksTo, l.finals = map[string][]string{}, map[string]string{}
		}
		base := path.Base(final)
		l.linksTo[base] = append(l.linksTo[base], e.Name())
		l.finals[e.Name()] = final
	}
	return l
}

// sameDir finds a listing already read of the directory id.
func sameDir(known map[string]listing, id dirID) (listing, bool) {
	if id == (dirID{}) {
		return listing{}, false
	}
	for _, l := range known {
		if l.id == id && l.err == nil {
			return l, true
		}
	}
	return listing{}, false
}
