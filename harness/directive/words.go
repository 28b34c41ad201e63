package directive

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// splitFlags select how splitWords treats quotes and backslashes; they
// mirror the flags systemd's unit-file parsers pass to their word splitter,
// because each directive splits its value slightly differently.
type splitFlags uint8

const (
	unquote   splitFlags = 1 << iota // quotes group words and are removed
	cunescape                        // backslash starts a C escape (\n, \x41, \u00e9, ...)
)

const wordSeparators = " \t\n\r"

// isSeparator says whether c is one of wordSeparators: a comparison per
// byte, where strings.IndexByte and strings.Trim search the set (Trim
// builds it again per call).
func isSeparator(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// trimSeparators is strings.Trim(s, wordSeparators).
func trimSeparators(s string) string {
	return trimRightSeparators(trimLeftSeparators(s))
}

// trimLeftSeparators is strings.TrimLeft(s, wordSeparators).
func trimLeftSeparators(s string) string {
	i := 0
	for i < len(s) && isSeparator(s[i]) {
		i++
	}
	return s[i:]
}

// trimRightSeparators is strings.TrimRight(s, wordSeparators).
func trimRightSeparators(s string) string {
	j := len(s)
	for j > 0 && isSeparator(s[j-1]) {
		j--
	}
	return s[:j]
}

var (
	errUnbalancedQuote = errors.New("unbalanced quote")
	errTrailingEscape  = errors.New("trailing backslash")
)

// plainWord is nextWord for s that starts with a word without escapes or
// quotes, which is the text itself: most words are, and building each one
// byte by byte was most of a unit's allocations. ok is false when the
// word needs nextWord's full rules.
func plainWord(s string, flags splitFlags) (word, rest string, ok bool) {
	for j := 0; j < len(s); j++ {
		c := s[j]
		if c == '\\' || ((c == '\'' || c == '"') && flags&unquote != 0) {
			return "", "", false
		}
		if isSeparator(c) {
			return s[:j], trimLeftSeparators(s[j:]), true
		}
	}
	return s, "", true
}

// nextWord returns the first word of s and the rest after it, with the
// semantics of systemd's extract_first_word(): separators coalesce, quotes
// may open and close in the middle of a word, and a backslash escapes the
// next character (or starts a C escape with cunescape). ok is false when
// only separators were left.
func nextWord(s string, flags splitFlags) (word, rest string, ok bool, err error) {
	i := 0
	for i < len(s) && isSeparator(s[i]) {
		i++
	}
	if i == len(s) {
		return "", "", false, nil
	}
	if word, rest, ok := plainWord(s[i:], flags); ok {
		return word, rest, true, nil
	}
	var b strings.Builder
	var quote byte
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\':
			if i+1 >= len(s) {
				return "", "", false, errTrailingEscape
			}
			if flags&cunescape != 0 {
				n, err := unescapeOne(s[i+1:], &b)
				if err != nil {
					return "", "", false, err
				}
				i += 1 + n
				continue
			}
			b.WriteByte(s[i+1])
			i += 2
			continue
		case quote != 0:
			if c == quote {
				quote = 0
				i++
				continue
			}
		case (c == '\'' || c == '"') && flags&unquote != 0:
			quote = c
			i++
			continue
		case isSeparator(c):
			j := i
			for j < len(s) && isSeparator(s[j]) {
				j++
			}
			return b.String(), s[j:], true, nil
		}
		b.WriteByte(c)
		i++
	}
	if quote != 0 {
		return "", "", false, errUnbalancedQuote
	}
	return b.String(), "", true, nil
}

// splitWords splits a whole value into words (see nextWord).
func splitWords(s string, flags splitFlags) ([]string, error) {
	var words []string
	for {
		w, rest, ok, err := nextWord(s, flags)
		if err != nil {
			return nil, err
		}
		if !ok {
			return words, nil
		}
		words = append(words, w)
		s = rest
	}
}

// unescapeOne decodes the C escape at the start of s (the part after the
// backslash), writes it to b and returns how many bytes of s it used.
func unescapeOne(s string, b *strings.Builder) (int, error) {
	simple := map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
		'v': '\v', '\\': '\\', '"': '"', '\'': '\'', 's': ' '}
	if r, ok := simple[s[0]]; ok {
		b.WriteByte(r)
		return 1, nil
	}
	hexRune := func(digits int) (int, error) {
		if len(s) < 1+digits {
			return 0, errors.New("short \\" + s[:1] + " escape")
		}
		v, err := strconv.ParseUint(s[1:1+digits], 16, 32)
		if err != nil {
			return 0, errors.New("bad \\" + s[:1] + " escape")
		}
		if v == 0 {
			return 0, errors.New("escape encodes NUL")
		}
		if s[0] == 'x' {
			b.WriteByte(byte(v))
		} else {
			if v > utf8.MaxRune || !utf8.ValidRune(rune(v)) {
				return 0, errors.New("escape is not a valid code point")
			}
			b.WriteRune(rune(v))
		}
		return 1 + digits, nil
	}
	switch s[0] {
	case 'x':
		return hexRune(2)
	case 'u':
		return hexRune(4)
	case 'U':
		return hexRune(8)
	case '0', '1', '2', '3', '4', '5', '6', '7':
		if len(s) < 3 {
			return 0, errors.New("short octal escape")
		}
		v, err := strconv.ParseUint(s[:3], 8, 16)
		if err != nil || v > 0xff {
			return 0, errors.New("bad octal escape")
		}
		if v == 0 {
			return 0, errors.New("escape encodes NUL")
		}
		b.WriteByte(byte(v))
		return 3, nil
	}
	return 0, errors.New("unknown escape \\" + string(s[0]))
}
