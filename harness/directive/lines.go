package directive

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// located is one option as go-systemd's unit parser reports it, plus the
// line it starts on. go-systemd does not report lines, so locateOptions
// walks the text with the same lexing rules only to count them; Parse
// cross-checks both results so that a divergence can never attach a wrong
// line to an error.
type located struct {
	Section, Name, Value string
	Line                 int
}

// locateOptions mirrors the state machine of go-systemd's unit lexer
// (v22.7.0) on an in-memory file. It stops at the first lexing error and
// returns the line it stopped on (0 when there was none), so that the
// caller can put a line number on go-systemd's error.
func locateOptions(data []byte) (opts []located, failLine int) {
	l := lineLexer{data: data, line: 1}
	var out []located
	fail := func() ([]located, int) { return out, max(l.line, 1) }
	section := ""
	inSection := false
	for l.pos < len(data) {
		r := l.readRune()
		switch {
		case r == '[':
			start := l.line
			name, ok := l.readUntil(']')
			if !ok {
				l.line = start
				return fail()
			}
			rest, _ := l.toEOL()
			if len(bytes.TrimSpace(rest)) > 0 {
				l.line--
				return fail()
			}
			section, inSection = string(name), true
		case r == '#' || r == ';':
			l.ignoreLine()
		case !inSection:
			// Text before the first section is skipped rune by rune.
		case unicode.IsSpace(r):
		default:
			l.unread(r)
			opt, ok := l.option(section)
			if !ok {
				return fail()
			}
			out = append(out, opt)
		}
	}
	return out, 0
}

type lineLexer struct {
	data     []byte
	pos      int
	line     int
	lastSize int
}

func (l *lineLexer) readRune() rune {
	r, n := utf8.DecodeRune(l.data[l.pos:])
	l.pos += n
	l.lastSize = n
	if r == '\n' {
		l.line++
	}
	return r
}

func (l *lineLexer) unread(r rune) {
	if r == '\n' {
		l.line--
	}
	l.pos -= l.lastSize
}

func (l *lineLexer) readUntil(delim byte) ([]byte, bool) {
	i := bytes.IndexByte(l.data[l.pos:], delim)
	if i < 0 {
		return nil, false
	}
	chunk := l.data[l.pos : l.pos+i]
	l.line += bytes.Count(chunk, []byte{'\n'})
	l.pos += i + 1
	return chunk, true
}

// toEOL returns the rest of the line like go-systemd's toEOL: a trailing
// "\r" is cut only when it is the very last byte, then the "\n". eof says
// the line had no "\n".
func (l *lineLexer) toEOL() (line []byte, eof bool) {
	i := bytes.IndexByte(l.data[l.pos:], '\n')
	if i < 0 {
		line = l.data[l.pos:]
		l.pos = len(l.data)
		eof = true
	} else {
		line = l.data[l.pos : l.pos+i+1]
		l.pos += i + 1
		l.line++
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	return bytes.TrimSuffix(line, []byte{'\n'}), eof
}

func (l *lineLexer) eof() bool { return l.pos >= len(l.data) }

func (l *lineLexer) ignoreLine() {
	for {
		line, _ := l.toEOL()
		if !bytes.HasSuffix(bytes.TrimSuffix(line, []byte{' '}), []byte{'\\'}) {
			return
		}
	}
}

func (l *lineLexer) option(section string) (located, bool) {
	start := l.line
	var name strings.Builder
	for {
		if l.eof() {
			return located{}, false
		}
		r := l.readRune()
		if r == '\n' {
			l.line--
		}
		if r == '\n' || r == '\r' {
			return located{}, false
		}
		if r == '=' {
			break
		}
		name.WriteRune(r)
	}
	var value bytes.Buffer
	for {
		line, eof := l.toEOL()
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		value.Write(line)
		if !bytes.HasSuffix(line, []byte{'\\'}) {
			break
		}
		if !eof {
			value.WriteByte('\n')
		}
	}
	v := value.String()
	if strings.HasSuffix(v, "\n") {
		v = strings.TrimSpace(v) + "\n"
	} else {
		v = strings.TrimSpace(v)
	}
	return located{Section: section, Name: strings.TrimSpace(name.String()), Value: v, Line: start}, true
}
