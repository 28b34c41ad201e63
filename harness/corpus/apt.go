package corpus

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// DefaultCacheDir keeps the downloaded packages between runs.
const DefaultCacheDir = "/var/cache/hardenlab/debs"

// Runner runs a command in dir and returns its standard output; tests
// replace it.
type Runner func(ctx context.Context, dir, name string, args ...string) ([]byte, error)

// Exec is the Runner that really runs the command.
func Exec(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// Apt fetches the unit files of Debian packages with apt-get download
// and dpkg-deb, installing nothing.
type Apt struct {
	// Suite names the cache subdirectory, e.g. "bookworm".
	Suite string
	// Sources, if set, is a sources.list text (e.g. a trixie root's): apt
	// then uses its own lists under the cache directory and never the
	// host's configuration. Empty: the host's sources and lists.
	Sources  string
	CacheDir string // "" means DefaultCacheDir
	Run      Runner // nil means Exec
}

// Package is what apt knows about one package.
type Package struct {
	Name, Version, Arch string
}

// debName is the file name apt-get download writes: the epoch's colon is
// escaped.
func (p Package) debName() string {
	return p.Name + "_" + strings.ReplaceAll(p.Version, ":", "%3a") + "_" + p.Arch + ".deb"
}

func (a Apt) dir() string {
	d := a.CacheDir
	if d == "" {
		d = DefaultCacheDir
	}
	return filepath.Join(d, a.Suite)
}

func (a Apt) run(ctx context.Context, dir, name string, args ...string) ([]byte, error) {
	if a.Run == nil {
		return Exec(ctx, dir, name, args...)
	}
	return a.Run(ctx, dir, name, args...)
}

// options point apt at the private sources and state, when there are any.
func (a Apt) options() []string {
	if a.Sources == "" {
		return nil
	}
	state := filepath.Join(a.dir(), "apt")
	return []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(state, "sources.list"),
		"-o", "Dir::Etc::SourceParts=/dev/null",
		"-o", "Dir::State::Lists=" + filepath.Join(state, "lists"),
		"-o", "Dir::State::status=" + filepath.Join(state, "status"),
		"-o", "Dir::Cache=" + filepath.Join(state, "cache"),
		"-o", "Debug::NoLocking=1",
	}
}

// prepare makes the cache directory and, with private sources, the apt
// state; it reads the package lists only when there are none yet (or
// the sources changed).
func (a Apt) prepare(ctx context.Context) error {
	if err := os.MkdirAll(a.dir(), 0o755); err != nil {
		return fmt.Errorf("making the package cache: %w", err)
	}
	if a.Sources == "" {
		return nil
	}
	state := filepath.Join(a.dir(), "apt")
	for _, d := range []string{"lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(state, d), 0o755); err != nil {
			return fmt.Errorf("making apt's state for %s: %w", a.Suite, err)
		}
	}
	if err := os.WriteFile(filepath.Join(state, "status"), nil, 0o644); err != nil {
		return fmt.Errorf("making apt's state for %s: %w", a.Suite, err)
	}
	list := filepath.Join(state, "sources.list")
	old, _ := os.ReadFile(list)
	lists, _ := filepath.Glob(filepath.Join(state, "lists", "*Packages*"))
	if string(old) == a.Sources && len(lists) > 0 {
		return nil
	}
	if err := os.WriteFile(list, []byte(a.Sources), 0o644); err != nil {
		return fmt.Errorf("writing apt's sources for %s: %w", a.Suite, err)
	}
	return a.update(ctx)
}

func (a Apt) update(ctx context.Context) error {
	if _, err := a.run(ctx, a.dir(), "apt-get", append(a.options(), "-q", "update")...); err != nil {
		return fmt.Errorf("reading the %s package lists: %w", a.Suite, err)
	}
	return nil
}

// Resolve asks apt-cache for the candidate version of each package; the
// names apt does not know are returned apart.
func (a Apt) Resolve(ctx context.Context, names []string) (found []Package, unknown []string, err error) {
	args := append(a.options(), "show", "--no-all-versions")
	out, err := a.run(ctx, a.dir(), "apt-cache", append(args, names...)...)
	if err != nil && len(out) == 0 {
		return nil, nil, fmt.Errorf("looking up %s packages: %w", a.Suite, err)
	}
	byName := map[string]Package{}
	for _, p := range parseStanzas(out) {
		byName[p.Name] = p
	}
	for _, n := range names {
		if p, ok := byName[n]; ok {
			found = append(found, p)
		} else {
			unknown = append(unknown, n)
		}
	}
	return found, unknown, nil
}

// parseStanzas reads Package, Version and Architecture from apt-cache show.
func parseStanzas(out []byte) []Package {
	var pkgs []Package
	var cur Package
	flush := func() {
		if cur.Name != "" && cur.Version != "" && cur.Arch != "" {
			pkgs = append(pkgs, cur)
		}
		cur = Package{}
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			flush()
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			continue
		}
		switch k {
		case "Package":
			cur.Name = v
		case "Version":
			cur.Version = v
		case "Architecture":
			cur.Arch = v
		}
	}
	flush()
	return pkgs
}

// Deb returns the cached .deb of a package version, downloading it first
// if it is not cached yet (and reading the lists again once if the mirror
// no longer has that version). Other cached versions of it are removed.
func (a Apt) Deb(ctx context.Context, p Package) (string, error) {
	path := filepath.Join(a.dir(), p.debName())
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	args := append(a.options(), "-q", "download", p.Name+"="+p.Version)
	if _, err := a.run(ctx, a.dir(), "apt-get", args...); err != nil {
		return "", fmt.Errorf("downloading %s %s: %w", p.Name, p.Version, err)
	}
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("downloading %s %s: apt-get wrote no %s", p.Name, p.Version, p.debName())
	}
	old, _ := filepath.Glob(filepath.Join(a.dir(), p.Name+"_*.deb"))
	for _, o := range old {
		if o != path {
			os.Remove(o)
		}
	}
	return path, nil
}

// Units returns the service unit files of the packages (their candidate
// versions), and the names that no package of the suite has.
func (a Apt) Units(ctx context.Context, names []string) ([]Unit, []string, error) {
	if err := a.prepare(ctx); err != nil {
		return nil, nil, err
	}
	pkgs, unknown, err := a.Resolve(ctx, names)
	if err == nil && len(pkgs) == 0 && a.Sources == "" {
		// A fresh machine may never have read the host's lists.
		if err = a.update(ctx); err == nil {
			pkgs, unknown, err = a.Resolve(ctx, names)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	var units []Unit
	for _, p := range pkgs {
		deb, err := a.Deb(ctx, p)
		if err != nil && a.Sources != "" {
			// The lists may be older than the mirror: read them again once.
			if uerr := a.update(ctx); uerr != nil {
				return nil, nil, errors.Join(err, uerr)
			}
			var again []Package
			if again, _, err = a.Resolve(ctx, []string{p.Name}); err == nil && len(again) == 1 {
				deb, err = a.Deb(ctx, again[0])
			}
		}
		if err != nil {
			return nil, nil, err
		}
		got, err := a.unpack(ctx, p, deb)
		if err != nil {
			return nil, nil, err
		}
		units = append(units, got...)
	}
	return units, unknown, nil
}

// unpack extracts a .deb into a temporary directory and keeps only its
// service unit files.
func (a Apt) unpack(ctx context.Context, p Package, deb string) ([]Unit, error) {
	tmp, err := os.MkdirTemp("", "hardenlab-deb-")
	if err != nil {
		return nil, fmt.Errorf("unpacking %s: %w", p.Name, err)
	}
	defer os.RemoveAll(tmp)
	if _, err := a.run(ctx, tmp, "dpkg-deb", "-x", deb, tmp); err != nil {
		return nil, fmt.Errorf("unpacking %s: %w", p.Name, err)
	}
	var units []Unit
	for _, dir := range unitDirs() {
		base := filepath.Join(tmp, dir)
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && path == base {
				return fs.SkipDir
			}
			if err != nil {
				return err
			}
			if d.IsDir() || !isServiceName(d.Name()) || d.Type()&fs.ModeSymlink != 0 {
				return nil // a link in a package is an alias or a mask
			}
			text, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			origin := fmt.Sprintf("%s %s: /%s", p.Name, p.Version, strings.TrimPrefix(path, tmp+"/"))
			units = append(units, Unit{Name: d.Name(), Origin: origin, Package: p.Name, Text: text})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading the units of %s: %w", p.Name, err)
		}
	}
	return units, nil
}

// SourcesOf reads a root's apt sources (sources.list and the one-line
// .list files), so that its packages are fetched from where it came from.
func SourcesOf(root string) (string, error) {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(root, "etc/apt/sources.list.d/*.list"))
	for _, f := range append([]string{filepath.Join(root, "etc/apt/sources.list")}, files...) {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("reading apt sources of %s: %w", root, err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	if strings.TrimSpace(b.String()) == "" {
		return "", fmt.Errorf("reading apt sources of %s: none in etc/apt", root)
	}
	return b.String(), nil
}

// ServerPackages are popular Debian server packages that ship service units.
func ServerPackages() []string {
	return []string{
		"nginx-common", "openssh-server", "redis-server", "postgresql-common", "apache2",
		"chrony", "tor", "bind9", "unbound", "dnsmasq-base", "dnsmasq", "mariadb-server",
		"haproxy", "squid", "memcached", "rsyslog", "cron", "avahi-daemon", "cups-daemon",
		"samba", "prometheus-node-exporter", "postfix", "dovecot-core", "fail2ban",
		"nftables", "openvpn", "lighttpd", "knot", "smartmontools", "exim4-base",
	}
}
