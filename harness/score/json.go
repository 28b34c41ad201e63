package score

import (
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"
)

// AppendJSONFields appends the fields of r as encoding/json writes them
// (the same names, order and escaping, HTML-safe), without the braces, so
// that a caller can embed them in an object of its own. Scoring many units
// spent a third of its time in reflection-driven encoding of 81 rows each;
// TestAppendJSONFieldsMatchesEncodingJSON keeps the two byte-identical.
func AppendJSONFields(b []byte, r *Result) []byte {
	b = append(b, `"systemd_version":`...)
	b = strconv.AppendInt(b, int64(r.Version), 10)
	b = append(b, `,"offline":`...)
	b = strconv.AppendBool(b, r.Offline)
	b = append(b, `,"exposure":`...)
	b = appendJSONFloat(b, r.Exposure)
	b = append(b, `,"tenths":`...)
	b = strconv.AppendInt(b, int64(r.Tenths), 10)
	b = append(b, `,"level":`...)
	b = AppendJSONString(b, r.Level)
	b = append(b, `,"badness_sum":`...)
	b = strconv.AppendUint(b, r.BadnessSum, 10)
	b = append(b, `,"weight_sum":`...)
	b = strconv.AppendUint(b, r.WeightSum, 10)
	b = append(b, `,"checks":`...)
	if r.Checks == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	table := plainTableTexts()
	for i := range r.Checks {
		if i > 0 {
			b = append(b, ',')
		}
		var known []string
		if len(r.Checks) == len(table) { // Score's rows, in table order
			known = table[i]
		}
		b = appendCheckJSON(b, &r.Checks[i], known)
	}
	return append(b, ']')
}

// plainTableTexts are, per row of the check table, its own strings that
// JSON carries unescaped. Every unit repeats them, and comparing a row's
// string with its table's (the very same string, equal at once) is
// cheaper than scanning it for characters to escape.
var plainTableTexts = sync.OnceValue(func() [][]string {
	rows := checkTable()
	out := make([][]string, len(rows))
	var scratch []byte
	for i, c := range rows {
		for _, s := range []string{c.jsonField, c.name, c.fix, c.good, c.bad, c.na, descBootPhase, descExcluded} {
			// Every escape lengthens the string: one as long as s plus
			// its quotes is s itself.
			if scratch = AppendJSONString(scratch[:0], s); len(scratch) == len(s)+2 {
				out[i] = append(out[i], s)
			}
		}
	}
	return out
})

// appendText is AppendJSONString, short-cut for a string of known.
func appendText(b []byte, s string, known []string) []byte {
	for _, k := range known {
		if len(k) == len(s) && k == s {
			b = append(b, '"')
			b = append(b, s...)
			return append(b, '"')
		}
	}
	return AppendJSONString(b, s)
}

func appendCheckJSON(b []byte, c *Check, known []string) []byte {
	b = append(b, `{"json_field":`...)
	b = appendText(b, c.ID, known)
	b = append(b, `,"name":`...)
	b = appendText(b, c.Name, known)
	b = append(b, `,"weight":`...)
	b = strconv.AppendUint(b, c.Weight, 10)
	b = append(b, `,"range":`...)
	b = strconv.AppendUint(b, c.Range, 10)
	b = append(b, `,"badness":`...)
	b = strconv.AppendUint(b, c.Badness, 10)
	b = append(b, `,"na":`...)
	b = strconv.AppendBool(b, c.NA)
	b = append(b, `,"set":`...)
	if c.Set == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendBool(b, *c.Set)
	}
	b = append(b, `,"description":`...)
	b = appendText(b, c.Description, known)
	b = append(b, `,"exposure":`...)
	b = appendJSONFloat(b, c.Exposure)
	if c.Fix != "" {
		b = append(b, `,"fix":`...)
		b = appendText(b, c.Fix, known)
	}
	return append(b, '}')
}

// appendJSONFloat writes f as encoding/json does. An exposure is a whole
// number of tenths divided by ten, whose shortest form is that number
// with one decimal (dropped when 0); other values take strconv's shortest
// form, or encoding/json itself outside its fixed-notation range.
func appendJSONFloat(b []byte, f float64) []byte {
	if n := math.Round(f * 10); !math.Signbit(f) && n < 1e6 && n/10 == f {
		tenths := int64(n)
		b = strconv.AppendInt(b, tenths/10, 10)
		if tenths%10 != 0 {
			b = append(b, '.', byte('0'+tenths%10))
		}
		return b
	}
	if abs := math.Abs(f); f == 0 || (abs >= 1e-6 && abs < 1e21) {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	out, err := json.Marshal(f)
	if err != nil { // NaN or Inf, which no score produces
		return append(b, "null"...)
	}
	return append(b, out...)
}

// jsonPlainASCII marks with '1' the ASCII bytes a JSON string carries as
// they are: not a control character, quote, backslash or one of <, >, &.
// A table lookup per byte is what makes escaping cheap; the test checks it
// against encoding/json byte by byte.
const jsonPlainASCII = "00000000000000000000000000000000110111011111111111111111111101011111111111111111111111111111011111111111111111111111111111111111"

// AppendJSONString writes s as a JSON string the way encoding/json's
// default (HTML-escaping) encoder does: <, > and & as \u003c..., control
// characters as \n, \t, ... or \u00XX, U+2028/U+2029 escaped, and invalid
// UTF-8 as U+FFFD.
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonPlainASCII[c] == '1' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
