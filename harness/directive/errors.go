package directive

import "fmt"

// Error is a problem with one assignment. Callers can errors.As it to find
// the file, line and directive that were refused.
type Error struct {
	Source    Source
	Directive string
	Value     string
	Reason    string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s=%s: %s", e.Source, e.Directive, e.Value, e.Reason)
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
