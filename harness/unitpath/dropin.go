package unitpath

import (
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// dropInDirs lists the ".d" directory names systemd searches for a unit
// known by names, most specific first (systemd.unit(5)): each name
// itself, its template, the dash-truncated prefixes ("foo-bar-.service",
// "foo-.service"), and the type-level directory ("service.d").
func dropInDirs(names []string) []string {
	var out []string
	add := func(n string) {
		if !slices.Contains(out, n+".d") {
			out = append(out, n+".d")
		}
	}
	suffix := ""
	for _, name := range names {
		n, err := directive.SplitUnitName(name)
		if err != nil {
			continue
		}
		suffix = n.Suffix
		add(name)
		if t := n.TemplateName(); t != "" {
			add(t)
		}
		for p := n.Prefix; ; {
			i := strings.LastIndexByte(strings.TrimSuffix(p, "-"), '-')
			if i < 0 {
				break
			}
			p = p[:i+1]
			add(p + n.Suffix)
		}
	}
	if suffix != "" {
		add(strings.TrimPrefix(suffix, "."))
	}
	return out
}

// findDropIns returns the drop-in files of a unit as systemd applies
// them: of equally named ".conf" files the one in the higher-priority
// search directory (and there the more specific ".d" directory) wins, a
// symlink to /dev/null masks the name, and the winners are applied in
// lexicographic order of their file names, wherever they are.
func (t Tree) findDropIns(names []string) []string {
	root := t.Root
	chosen := map[string]string{} // file name -> path on this machine, "" when masked
	dirs := dropInDirs(names)
	for _, dir := range t.SearchPath {
		listed := t.list(dir).names
		for _, d := range dirs {
			if _, ok := listed[d]; !ok && !strings.Contains(d, "/") {
				continue // no such directory: skip the open
			}
			inRoot := path.Join(dir, d)
			entries, err := os.ReadDir(filepath.Join(root, inRoot))
			if err != nil {
				continue
			}
			for _, e := range entries {
				if !strings.HasSuffix(e.Name(), ".conf") {
					continue
				}
				if _, seen := chosen[e.Name()]; seen {
					continue
				}
				final, err := resolveInRoot(root, path.Join(inRoot, e.Name()))
				if err != nil || final == "/dev/null" {
					chosen[e.Name()] = ""
					continue
				}
				if info, err := os.Stat(filepath.Join(root, final)); err != nil || !info.Mode().IsRegular() {
					continue
				}
				chosen[e.Name()] = filepath.Join(root, final)
			}
		}
	}
	var files []string
	for _, name := range slices.Sorted(maps.Keys(chosen)) {
		if chosen[name] != "" {
			files = append(files, chosen[name])
		}
	}
	return files
}
