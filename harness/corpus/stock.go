package corpus

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Stock returns every service unit file of a root ("/" for the host):
// everything under /etc/systemd/system (at any depth: the .wants links
// that name an instance of a template are units of their own) and in
// /usr/lib/systemd/system and /lib/systemd/system. A link to a unit file
// already in the corpus (an alias, a .wants link) is that unit, not
// another; a masked unit (a link to /dev/null) is skipped, with the reason.
func Stock(root string) ([]Unit, []Skipped, error) {
	entries, err := stockEntries(root)
	if err != nil {
		return nil, nil, err
	}
	var units []Unit
	var skipped []Skipped
	seen := map[string]bool{} // name + "\x00" + resolved file
	seenFile := map[string]bool{}
	for _, e := range entries {
		origin := "/" + strings.TrimPrefix(strings.TrimPrefix(e.path, root), "/")
		file, err := canonicalIn(root, e.path)
		switch {
		case err != nil:
			skipped = append(skipped, Skipped{Origin: origin, Reason: "dangling link"})
			continue
		case file == filepath.Join(root, "dev/null"):
			skipped = append(skipped, Skipped{Origin: origin, Reason: "masked (a link to /dev/null)"})
			continue
		}
		name := filepath.Base(e.path)
		key := name + "\x00" + file
		// An instance link is a unit of its own.
		if seen[key] || (seenFile[file] && templateOf(name) == "") {
			continue
		}
		seen[key], seenFile[file] = true, true
		text, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, fmt.Errorf("reading stock unit %s: %w", origin, err)
		}
		units = append(units, Unit{Name: name, Origin: origin, Text: text})
	}
	return units, skipped, nil
}

type stockEntry struct {
	path string
	link bool
}

// stockEntries lists the service unit paths of root: the vendor
// directories first and, within that, files before links, so that a unit
// is named after its file and not after an alias.
func stockEntries(root string) ([]stockEntry, error) {
	dirs := slices.Clone(unitDirs())
	slices.Reverse(dirs)
	walked := map[string]bool{}
	var entries []stockEntry
	for _, dir := range dirs {
		base, err := filepath.EvalSymlinks(filepath.Join(root, dir))
		if err != nil || walked[base] {
			continue // absent, or /lib -> usr/lib: the same files again
		}
		walked[base] = true
		err = filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && isServiceName(d.Name()) {
				entries = append(entries, stockEntry{path: path, link: d.Type()&fs.ModeSymlink != 0})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("listing the stock units of %s: %w", root, err)
		}
	}
	slices.SortStableFunc(entries, func(a, b stockEntry) int {
		switch {
		case a.link == b.link:
			return 0
		case a.link:
			return 1
		}
		return -1
	})
	return entries, nil
}

// canonicalIn is the file a unit path ends at inside root, with the
// directory links (/lib -> usr/lib) resolved too, so that one file has one
// name.
func canonicalIn(root, path string) (string, error) {
	file, err := resolveIn(root, path)
	if err != nil {
		return "", err
	}
	if file == filepath.Join(root, "dev/null") {
		return file, nil
	}
	return filepath.EvalSymlinks(file)
}
