package directive

import (
	"bytes"
	"fmt"
	"iter"
	"strings"
	"unicode/utf8"
)

// hardenlab reads unit files with its own lexer rather than go-systemd's
// unit.DeserializeOptions, because go-systemd differs from systemd's
// config_parse() on text systemd accepts: it refuses lines of 2048 bytes
// or more (systemd allows almost 1 MiB), it ends a continuation at a
// comment line (systemd skips the comment and goes on), it keeps the
// backslash-newline inside the value, and it does not end lines at "\r".
// Each rule below was checked against systemd-analyze verify and security
// --offline=true of 252 and 257, which agree on all of them. One
// deliberate difference: systemd also ends a line at a NUL byte; hardenlab
// refuses the byte, naming the line, since a NUL in a unit file is never
// what its author meant.

// longLineMax is systemd's LONG_LINE_MAX: a physical line must be shorter,
// and so must a whole continued line.
const longLineMax = 1 << 20

// rawOption is one assignment as systemd's config parser hands it on: the
// key and the value with surrounding whitespace stripped, continuation
// lines joined, and the line on which the assignment ends (which is the
// line systemd names in its messages).
type rawOption struct {
	Section, Name, Value string
	Line                 int
}

// lexed is what one file yields: the options in order, and the lines
// systemd would warn about and skip.
type lexed struct {
	options []rawOption
	skipped []Note
}

// physicalLines yields the lines of text as systemd's read_line() splits
// them: "\n", "\r" and "\r\n" each end a line (systemd also ends one at
// NUL, which lexUnit refuses instead). A UTF-8 byte order
// mark at the start is dropped. The lines share text's memory.
func physicalLines(text string) iter.Seq2[int, string] {
	text = strings.TrimPrefix(text, "\xef\xbb\xbf")
	return func(yield func(int, string) bool) {
		n, start := 0, 0
		for i := 0; i < len(text); i++ {
			c := text[i]
			if c != '\n' && c != '\r' {
				continue
			}
			n++
			if !yield(n, text[start:i]) {
				return
			}
			if c == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			start = i + 1
		}
		if start < len(text) {
			yield(n+1, text[start:])
		}
	}
}

// lexUnit reads a unit file's text the way config_parse() does. Fatal
// problems (systemd refuses to load the unit) are errors naming
// FILE:LINE; lines systemd skips with a warning become notes.
func lexUnit(data []byte, path string) (lexed, error) {
	// Every option has an "=": sized once, the options are not copied
	// over and over as they grow.
	out := lexed{options: make([]rawOption, 0, bytes.Count(data, []byte("=")))}
	var continued []byte // the text so far of a continued line
	inContinuation := false
	var section *string // nil before the first section header
	last := 0
	for n, line := range physicalLines(string(data)) {
		last = n
		if len(line) >= longLineMax {
			return out, fmt.Errorf("%s:%d: line is %d bytes; systemd refuses lines of %d bytes or more", path, n, len(line), longLineMax)
		}
		if strings.IndexByte(line, 0) >= 0 {
			// systemd would end the line at the NUL and read the rest as
			// a line of its own: never what the author meant.
			return out, fmt.Errorf("%s:%d: line contains a NUL byte (systemd would split the line there); remove it", path, n)
		}
		if l := trimLeftSeparators(line); l != "" && (l[0] == '#' || l[0] == ';') {
			// A comment line is skipped even in the middle of a
			// continuation, which then goes on with the next line.
			continue
		}
		if inContinuation && len(continued)+len(line) > longLineMax {
			return out, fmt.Errorf("%s:%d: continued line is longer than systemd's limit of %d bytes", path, n, longLineMax)
		}
		// The text before ends in an unescaped space, so the new line
		// alone decides whether the backslash at the end is escaped.
		if endsEscaped(line) {
			// The backslash becomes a space and the next line is appended.
			continued = append(continued, line...)
			continued[len(continued)-1] = ' '
			inContinuation = true
			continue
		}
		text := line
		if inContinuation {
			text = string(append(continued, line...))
		}
		continued, inContinuation = continued[:0], false
		if err := out.parseLine(text, path, n, &section); err != nil {
			return out, err
		}
	}
	if inContinuation {
		// A backslash on the last line: systemd parses what it has.
		if err := out.parseLine(string(continued), path, last, &section); err != nil {
			return out, err
		}
	}
	return out, nil
}

// endsEscaped says whether s ends in a backslash that no other backslash
// escapes.
func endsEscaped(s string) bool {
	escaped := false
	for i := 0; i < len(s); i++ {
		if escaped {
			escaped = false
		} else if s[i] == '\\' {
			escaped = true
		}
	}
	return escaped
}

// parseLine handles one logical line like systemd's parse_line().
func (out *lexed) parseLine(text, path string, n int, section **string) error {
	l := trimSeparators(text)
	if l == "" {
		return nil
	}
	src := Source{File: path, Line: n}
	if !utf8.ValidString(l) {
		return fmt.Errorf("%s:%d: line is not valid UTF-8 (systemd refuses the unit)", path, n)
	}
	if l[0] == '[' {
		if l[len(l)-1] != ']' {
			return fmt.Errorf("%s:%d: invalid section header %q (systemd refuses the unit)", path, n, l)
		}
		name := l[1 : len(l)-1]
		if !sectionNameSafe(name) {
			return fmt.Errorf("%s:%d: bad characters in section header %q (systemd refuses the unit)", path, n, l)
		}
		*section = &name
		return nil
	}
	if *section == nil {
		out.skipped = append(out.skipped, Note{Source: src, Reason: "ignored: assignment outside of any section (systemd ignores it too)", SystemdWarns: true})
		return nil
	}
	key, value, ok := strings.Cut(l, "=")
	switch {
	case !ok:
		out.skipped = append(out.skipped, Note{Source: src, Directive: l, Reason: `ignored: line without "=" (systemd ignores it too)`, SystemdWarns: true})
		return nil
	case key == "":
		out.skipped = append(out.skipped, Note{Source: src, Reason: `ignored: no key name before "=" (systemd ignores it too)`, SystemdWarns: true})
		return nil
	}
	out.options = append(out.options, rawOption{Section: **section,
		Name: trimSeparators(key), Value: trimSeparators(value), Line: n})
	return nil
}

// sectionNameSafe is systemd's string_is_safe(): no control characters,
// quotes, backslashes or DEL.
func sectionNameSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c == 0x7f || c == '"' || c == '\'' || c == '\\' {
			return false
		}
	}
	return true
}
