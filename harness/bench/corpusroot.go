package bench

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/hardenlab/hardenlab/harness/corpus"
	"github.com/hardenlab/hardenlab/harness/directive"
)

// CorpusUnitDir is where the scratch root keeps every unit: one directory
// of the search path, so that each file is found by its own name.
const CorpusUnitDir = "usr/lib/systemd/system"

// CorpusRoot is the corpus laid out as a root for `score --all --root`.
type CorpusRoot struct {
	Dir   string   // the scratch root
	Files []string // every unit file in it, sorted by name
	// Renamed are units whose name another unit of the corpus already
	// had with other text, as "ORIGIN as NAME".
	Renamed []string
	// Shared counts units dropped as the same name and text as one
	// already in: a package the root has installed ships its stock unit.
	Shared int
	// Empty are units with no text, left out: systemd treats an empty
	// unit file as masked, and --all passes over masked units.
	Empty []string
	// Instances counts templates written as the instance systemd-analyze
	// --offline scores a template as (foo@i.service for 252).
	Instances int
}

// WriteCorpusRoot writes units into dir as a root whose unit directory
// holds every one of them under the name `score --all` lists it by, with
// root's host facts. A template is written as the instance of
// directive.OfflineTemplateInstance(version), since --all passes over
// templates; a name already taken by other text gets a "-2" (or -3, ...)
// before its "@" or type suffix. Empty units (masked) are left out.
func WriteCorpusRoot(root, dir string, units []corpus.Unit, version int) (*CorpusRoot, error) {
	cr := &CorpusRoot{Dir: dir}
	unitDir := filepath.Join(dir, CorpusUnitDir)
	if err := os.MkdirAll(unitDir, 0o755); err != nil {
		return nil, fmt.Errorf("writing the corpus root: %w", err)
	}
	if err := copyHostFacts(root, dir); err != nil {
		return nil, err
	}
	texts := map[string][]byte{}
	for _, u := range units {
		if len(u.Text) == 0 {
			cr.Empty = append(cr.Empty, u.Origin)
			continue
		}
		want, err := corpusName(u.Name, version)
		if err != nil {
			return nil, fmt.Errorf("writing the corpus root: %s: %w", u.Origin, err)
		}
		name, shared := freeName(want, u.Text, texts)
		if shared {
			cr.Shared++
			continue
		}
		if name != want {
			cr.Renamed = append(cr.Renamed, u.Origin+" as "+name)
		}
		if want != u.Name {
			cr.Instances++
		}
		texts[name] = u.Text
		p := filepath.Join(unitDir, name)
		if err := os.WriteFile(p, u.Text, 0o644); err != nil {
			return nil, fmt.Errorf("writing the corpus root: %w", err)
		}
		cr.Files = append(cr.Files, p)
	}
	slices.Sort(cr.Files)
	return cr, nil
}

// corpusName is the name a unit is written under: its own, or for a
// template the instance systemd-analyze --offline of version scores.
func corpusName(name string, version int) (string, error) {
	n, err := directive.SplitUnitName(name)
	if err != nil {
		return "", err
	}
	if n.Template {
		return n.WithInstance(directive.OfflineTemplateInstance(version)).String(), nil
	}
	return name, nil
}

// freeName is want, or when taken holds want with other text the first
// of want-2, want-3, ... that is free (the number goes before the "@" or
// the type suffix, so that the name stays a unit name of its kind);
// shared says the name it settled on already holds this very text.
func freeName(want string, text []byte, taken map[string][]byte) (name string, shared bool) {
	n, err := directive.SplitUnitName(want)
	if err != nil {
		return want, false // corpusName has split it already
	}
	name = want
	for i := 2; ; i++ {
		had, ok := taken[name]
		switch {
		case !ok:
			return name, false
		case bytes.Equal(had, text):
			return name, true
		}
		renamed := n
		renamed.Prefix = fmt.Sprintf("%s-%d", n.Prefix, i)
		name = renamed.String()
	}
}

// copyHostFacts copies the host fact files root has into dir.
func copyHostFacts(root, dir string) error {
	for _, rel := range directive.HostFactFiles() {
		data, err := os.ReadFile(filepath.Join(root, rel))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("writing the corpus root: host facts: %w", err)
		}
		dest := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return fmt.Errorf("writing the corpus root: %w", err)
		}
		if err := os.WriteFile(dest, data, 0o644); err != nil {
			return fmt.Errorf("writing the corpus root: %w", err)
		}
	}
	return nil
}

// LinkAlone hard-links each file into a directory of its own under dir
// (dir/NAME/NAME) and returns the links, in the order of files: the file
// systemd-analyze scores, the very same file, where its unit search path
// (the file's directory) holds nothing else. systemd-analyze reads the
// whole directory of its unit path, and the scratch root's one directory
// of every unit made each of its runs about a tenth slower.
func LinkAlone(files []string, dir string) ([]string, error) {
	links := make([]string, 0, len(files))
	for _, f := range files {
		name := filepath.Base(f)
		link := filepath.Join(dir, name, name)
		if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
			return nil, fmt.Errorf("linking the units for systemd-analyze: %w", err)
		}
		if err := os.Link(f, link); err != nil {
			return nil, fmt.Errorf("linking the units for systemd-analyze: %w", err)
		}
		links = append(links, link)
	}
	return links, nil
}
