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
// /usr/lib/systemd/system and /lib/systemd/system. A link to a file that
// is already in the corpus under the same name or as an alias is one unit,
// not two; a masked unit (a link to /dev/null) is skipped, with the reason.
func Stock(root string) ([]Unit, []Skipped, error) {
	var units []Unit
	var skipped []Skipped
	seen := map[string]bool{} // name + "\x00" + resolved file
	seenFile := map[string]bool{}
	// The vendor directories first, so that a link in /etc to a vendor unit
	// counts as that unit.
	dirs := slices.Clone(unitDirs())
	slices.Reverse(dirs)
	walked := map[string]bool{}
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
			if d.IsDir() || !isServiceName(d.Name()) {
				return nil
			}
			origin := "/" + strings.TrimPrefix(strings.TrimPrefix(path, root), "/")
			file, err := canonicalIn(root, path)
			if err != nil {
				skipped = append(skipped, Skipped{Origin: origin, Reason: "dangling link"})
				return nil
			}
			if file == filepath.Join(root, "dev/null") {
				skipped = append(skipped, Skipped{Origin: origin, Reason: "masked (a link to /dev/null)"})
				return nil
			}
			name := d.Name()
			key := name + "\x00" + file
			// An alias (another name for a unit already taken) is the same
			// unit; an instance link is a unit of its own.
			if seen[key] || (seenFile[file] && templateOf(name) == "") {
				return nil
			}
			seen[key], seenFile[file] = true, true
			text, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("reading stock unit %s: %w", origin, err)
			}
			units = append(units, Unit{Name: name, Origin: origin, Text: text})
			return nil
		})
		if err != nil {
			return nil, nil, fmt.Errorf("listing the stock units of %s: %w", root, err)
		}
	}
	return units, skipped, nil
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
