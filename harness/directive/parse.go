package directive

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/coreos/go-systemd/v22/unit"
)

// maxFileSize bounds a unit file; real ones are a few KiB.
const maxFileSize = 10 << 20

// maxLineLen is the longest line go-systemd's unit parser accepts
// (SYSTEMD_LINE_MAX 2048 including the newline); systemd itself allows
// 1 MiB, so the error says whose limit it is.
const maxLineLen = unit.SYSTEMD_LINE_MAX - 1

// installNote is why [Install] keys are not sent.
const installNote = "ignored: [Install] has no meaning for a transient unit"

// ParseFile reads a unit file. It refuses anything but a regular file of at
// most 10 MiB, without blocking on FIFOs or devices.
func ParseFile(path string) (*Unit, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("open unit file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat unit file %s: %w", path, err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, describeMode(info.Mode()))
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%s: unit file is %d bytes, more than the 10 MiB limit", path, info.Size())
	}
	return Parse(f, path)
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

// Parse reads a unit file from r; path names it in errors. [Service]
// assignments are validated (see Resolve); [Install] keys, [Unit] keys
// hardenlab does not model and unknown sections become Notes. All problems
// are returned together, each "FILE:LINE: Directive=value: reason".
func Parse(r io.Reader, path string) (*Unit, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read unit file %s: %w", path, err)
	}
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%s: unit file larger than the 10 MiB limit", path)
	}
	if err := checkLines(data, path); err != nil {
		return nil, err
	}
	opts, err := unit.DeserializeOptions(bytes.NewReader(data))
	located, failLine := locateOptions(data)
	if err != nil {
		if failLine > 0 {
			return nil, fmt.Errorf("%s:%d: parse unit file: %w", path, failLine, err)
		}
		return nil, fmt.Errorf("%s: parse unit file: %w", path, err)
	}
	lines := lineNumbers(opts, located)

	u := &Unit{Path: path, Name: filepath.Base(path), DefaultDependencies: true}
	var errs []error
	for i, o := range opts {
		a := Assignment{Name: o.Name, Value: joinContinuations(o.Value), Source: Source{File: path, Line: lines[i]}}
		switch o.Section {
		case "Service":
			u.Service = append(u.Service, a)
		case "Unit":
			if err := u.unitKey(a); err != nil {
				errs = append(errs, err)
			}
		case "Install":
			if err := u.installKey(a); err != nil {
				errs = append(errs, err)
			}
		default:
			u.Notes = append(u.Notes, Note{Source: a.Source, Directive: a.Name,
				Reason: fmt.Sprintf("ignored: section [%s] has no meaning for a service", o.Section)})
		}
	}
	if _, err := Resolve(u.Service, u.DefaultDependencies); err != nil {
		errs = append(errs, err)
	}
	if err := joinProblems(errs); err != nil {
		return nil, err
	}
	return u, nil
}

// unitKey handles one [Unit] assignment.
func (u *Unit) unitKey(a Assignment) error {
	if err := checkAssignmentText(a); err != nil {
		return err
	}
	switch a.Name {
	case "Description":
		v, err := checkSpecifiers(a.Value)
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

// checkLines refuses NUL bytes and lines longer than go-systemd accepts,
// naming the line.
func checkLines(data []byte, path string) error {
	line := 1
	for len(data) > 0 {
		end := bytes.IndexByte(data, '\n')
		cur := data
		if end >= 0 {
			cur = data[:end]
		}
		if i := bytes.IndexByte(cur, 0); i >= 0 {
			return fmt.Errorf("%s:%d: line contains a NUL byte", path, line)
		}
		if len(cur) > maxLineLen {
			return fmt.Errorf("%s:%d: line is %d bytes; go-systemd's unit parser accepts at most %d", path, line, len(cur), maxLineLen)
		}
		if end < 0 {
			break
		}
		data = data[end+1:]
		line++
	}
	return nil
}

// lineNumbers pairs go-systemd's options with the located ones; if the
// two ever disagree the lines are unknown (0) rather than wrong.
func lineNumbers(opts []*unit.UnitOption, loc []located) []int {
	lines := make([]int, len(opts))
	if len(loc) != len(opts) {
		return lines
	}
	for i, o := range opts {
		if o.Section != loc[i].Section || o.Name != loc[i].Name || o.Value != loc[i].Value {
			return make([]int, len(opts))
		}
		lines[i] = loc[i].Line
	}
	return lines
}

// joinContinuations turns go-systemd's "\\\n" continuation joints into
// the single space systemd puts there.
func joinContinuations(v string) string {
	v = strings.ReplaceAll(v, "\\\n", " ")
	return strings.TrimSpace(strings.TrimSuffix(v, "\\"))
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
