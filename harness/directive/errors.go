package directive

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Error is a problem with one assignment. Callers can errors.As it to find
// the file, line and directive that were refused.
type Error struct {
	Source    Source
	Directive string
	Value     string
	Reason    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s=%s: %s", e.Source, e.Directive, displayValue(e.Value), e.Reason)
}

// maxDisplayedValue keeps messages about hostile input readable.
const maxDisplayedValue = 200

// displayValue shows a value as written, unless it would break the
// one-line message: control characters and invalid UTF-8 are quoted, and
// long values are cut.
func displayValue(v string) string {
	cut := len(v) > maxDisplayedValue
	if cut {
		v = v[:maxDisplayedValue]
	}
	printable := utf8.ValidString(v)
	for _, r := range v {
		if r < ' ' || r == 0x7f {
			printable = false
		}
	}
	if !printable {
		v = strconv.Quote(v)
	}
	if cut {
		v += "..."
	}
	return v
}

// String renders the source as "FILE:LINE" (or just FILE when there is no
// line, as for command-line assignments).
func (s Source) String() string {
	file := s.File
	if file == "" {
		file = "-p"
	}
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d", file, s.Line)
	}
	return file
}

func newError(a Assignment, format string, args ...any) *Error {
	return &Error{Source: a.Source, Directive: a.Name, Value: a.Value, Reason: fmt.Sprintf(format, args...)}
}
