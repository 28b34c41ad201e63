package directive

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// maxFileSize bounds a unit file; real ones are a few KiB.
const maxFileSize = 10 << 20

// installNote is why [Install] keys are not sent.
const installNote = "ignored: [Install] has no meaning for a transient unit"

// ParseFile reads a unit file. It refuses anything but a regular file of at
// most 10 MiB, without blocking on FIFOs or devices.
func ParseFile(path string) (*Unit, error) {
	f, err := openUnitFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f, path)
}

// unitOpenError says "FILE: cannot open the unit file: REASON" rather than
// naming the path twice, and still unwraps to the *fs.PathError.
type unitOpenError struct{ pe *fs.PathError }

func (e unitOpenError) Error() string {
	return e.pe.Path + ": cannot open the unit file: " + e.pe.Err.Error()
}

func (e unitOpenError) Unwrap() error { return e.pe }

func openError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return unitOpenError{pe}
	}
	return fmt.Errorf("open unit file: %w", err)
}

func openUnitFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, openError(err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat unit file %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, describeMode(info.Mode()))
	}
	if info.Size() > maxFileSize {
		f.Close()
		return nil, fmt.Errorf("%s: unit file is %d bytes, more than the 10 MiB limit", path, info.Size())
	}
	return f, nil
}

func describeMode(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "mode " + m.String()
}

// Parse reads a unit file from r; path names it in errors and gives the
// unit its name. Specifiers expand with the facts of this machine (see
// ParseFiles for a unit under another root).
func Parse(r io.Reader, path string) (*Unit, error) {
	ctx := SpecifierContext{Unit: filepath.Base(path), Fragment: absPath(path), Host: ReadHostFacts("/")}
	u := &Unit{Path: path, Name: ctx.Unit, DefaultDependencies: true}
	if err := u.read(r, path, &ctx); err != nil {
		return nil, err
	}
	return u.finish()
}

// Files is a unit as systemd loads it: a fragment and its drop-ins.
type Files struct {
	Fragment string   // the unit file to read
	DropIns  []string // drop-in files to read after it, in systemd's order
}

// ParseFiles reads a fragment and then its drop-ins as one unit, the way
// systemd merges them: every drop-in line applies after the fragment's,
// in order. ctx names the unit and gives the specifiers' host facts.
func ParseFiles(files Files, ctx SpecifierContext) (*Unit, error) {
	u := &Unit{Path: files.Fragment, Name: ctx.Unit, DropIns: files.DropIns, DefaultDependencies: true}
	for _, path := range append([]string{files.Fragment}, files.DropIns...) {
		data, err := readUnitFile(path)
		if err != nil {
			return nil, err
		}
		if err := u.add(data, path, &ctx); err != nil {
			return nil, err
		}
	}
	return u.finish()
}

// readUnitFile reads a whole unit file as openUnitFile admits one, in
// five system calls (open, fstat, a read of its size, the read that sees
// the end, close): an *os.File also offers a regular file to the poller
// and io.ReadAll reads in growing steps, which for a directory of units
// cost more than lexing them.
func readUnitFile(path string) ([]byte, error) {
	fd, err := openNoBlock(path)
	if err != nil {
		return nil, openError(&fs.PathError{Op: "open", Path: path, Err: err})
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("stat unit file %s: %w", path, err)
	}
	if mode := fileType(st.Mode); !mode.IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, describeMode(mode))
	}
	if st.Size > maxFileSize {
		return nil, fmt.Errorf("%s: unit file is %d bytes, more than the 10 MiB limit", path, st.Size)
	}
	data := make([]byte, 0, st.Size+512) // room to see the end, or a file that grew
	for len(data) <= maxFileSize {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := unix.Read(fd, data[len(data):cap(data)])
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read unit file %s: %w", path, err)
		}
		if n == 0 {
			return data, nil
		}
		data = data[:len(data)+n]
	}
	return nil, fmt.Errorf("%s: unit file larger than the 10 MiB limit", path)
}

func openNoBlock(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
		if !errors.Is(err, unix.EINTR) {
			return fd, err
		}
	}
}

// fileType is the type bits of a stat mode as an fs.FileMode.
func fileType(mode uint32) fs.FileMode {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return 0
	case unix.S_IFDIR:
		return fs.ModeDir
	case unix.S_IFIFO:
		return fs.ModeNamedPipe
	case unix.S_IFCHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.S_IFBLK:
		return fs.ModeDevice
	case unix.S_IFSOCK:
		return fs.ModeSocket
	case unix.S_IFLNK:
		return fs.ModeSymlink
	}
	return fs.ModeIrregular
}

// read adds the assignments of one file to the unit. [Service]
// assignments are validated later (see Resolve); [Install] keys, [Unit]
// keys hardenlab does not model and unknown sections become Notes.
func (u *Unit) read(r io.Reader, path string, ctx *SpecifierContext) error {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return fmt.Errorf("read unit file %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return fmt.Errorf("%s: unit file larger than the 10 MiB limit", path)
	}
	return u.add(data, path, ctx)
}

// add adds the assignments of one file's text to the unit.
func (u *Unit) add(data []byte, path string, ctx *SpecifierContext) error {
	lex, err := lexUnit(data, path)
	if err != nil {
		return err
	}
	u.Notes = append(u.Notes, lex.skipped...)
	u.Service = slices.Grow(u.Service, len(lex.options)) // most options are [Service]'s
	for _, o := range lex.options {
		a := Assignment{Name: o.Name, Value: o.Value, Source: Source{File: path, Line: o.Line}, Context: ctx}
		u.assign(o.Section, a)
	}
	return nil
}

// finish validates what every file added, returning all problems at once,
// each "FILE:LINE: Directive=value: reason".
func (u *Unit) finish() (*Unit, error) {
	errs := u.problems
	u.problems = nil
	if s, err := Resolve(u.Service, u.DefaultDependencies); err != nil {
		errs = append(errs, err)
	} else {
		u.resolved = resolvedService{settings: s, service: u.Service, defaultDependencies: u.DefaultDependencies}
	}
	if err := joinProblems(errs); err != nil {
		return nil, err
	}
	return u, nil
}

// assign files one assignment under its section.
func (u *Unit) assign(section string, a Assignment) {
	switch section {
	case "Service":
		u.Service = append(u.Service, a)
	case "Unit":
		if err := u.unitKey(a); err != nil {
			u.problems = append(u.problems, err)
		}
	case "Install":
		if err := u.installKey(a); err != nil {
			u.problems = append(u.problems, err)
		}
	default:
		u.Notes = append(u.Notes, Note{Source: a.Source, Directive: a.Name,
			Reason:       fmt.Sprintf("ignored: section [%s] has no meaning for a service", section),
			SystemdWarns: !strings.HasPrefix(section, "X-")})
	}
}

func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// unitKey handles one [Unit] assignment.
func (u *Unit) unitKey(a Assignment) error {
	if err := checkAssignmentText(a); err != nil {
		return err
	}
	switch a.Name {
	case "Description":
		v, err := a.expand(a.Value)
		if err != nil {
			return newError(a, "%v", err)
		}
		u.Description = v
	case "DefaultDependencies":
		v, err := ParseBool(a.Value)
		if err != nil {
			return newError(a, "%v", err)
		}
		u.DefaultDependencies = v
	case "":
		return newError(a, "empty directive name")
	default:
		return u.noteKey("Unit", a, unitKeyNote)
	}
	return nil
}

// installKey notes one [Install] assignment.
func (u *Unit) installKey(a Assignment) error {
	if err := checkAssignmentText(a); err != nil {
		return err
	}
	return u.noteKey("Install", a, func(string) passedOver { return passedOver{reason: installNote} })
}

// noteKey notes a key of section that hardenlab does not send, and refuses
// one no modelled release knows.
func (u *Unit) noteKey(section string, a Assignment, why func(string) passedOver) error {
	switch {
	case a.Name == "":
		return newError(a, "empty directive name")
	case keyKnown(section, a.Name):
		u.Notes = append(u.Notes, noteOf(a, why(a.Name)))
	case strings.HasPrefix(a.Name, "X-"):
		u.Notes = append(u.Notes, Note{Source: a.Source, Directive: a.Name, Reason: xKeyNote})
	default:
		return newError(a, "%s", unknownKeyReason(section, a.Name))
	}
	return nil
}

// ParseAssignments parses lines of "Name=value" that stand one after the
// other in file from line first on, as a drop-in's or a test's lines do.
func ParseAssignments(lines []string, file string, first int) ([]Assignment, error) {
	out := make([]Assignment, 0, len(lines))
	for i, l := range lines {
		a, err := ParseAssignment(l, Source{File: file, Line: first + i})
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ParseAssignment parses "Name=value" from the command line and validates
// the value on its own.
func ParseAssignment(s string, src Source) (Assignment, error) {
	name, value, ok := strings.Cut(s, "=")
	a := Assignment{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value), Source: src}
	if !ok {
		return a, &Error{Source: src, Directive: a.Name, Reason: `missing "=": want Name=value`}
	}
	if _, err := Resolve([]Assignment{a}, true); err != nil {
		return a, err
	}
	return a, nil
}
