package directive

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
)

// plainKind is one converter of the plain table: how a unit-file value of
// this kind becomes the D-Bus values of the row's properties, the way
// systemd's client-side converter (bus-unit-util.c, what `systemd-run -p`
// accepts) does it.
type plainKind struct {
	name string // the syntax, for help and errors
	// sigs is the D-Bus signature of each property the row sends.
	sigs []string
	// parse turns one non-empty assignment into the value of each property
	// (nil: not sent), given what earlier lines left (nil when unset).
	parse func(prev []any, v string, x *SpecifierContext) ([]any, error)
	// noEmpty: an empty value is not a reset (systemd's boolean parsers
	// log and ignore it), so it is refused.
	noEmpty bool
	// trim reduces what systemd reports to the shape sent
	// (exec commands come back with their runtime fields).
	trim func(got any) any
	// expect, if set, turns the values sent into those PID 1 reports
	// (a symlink's source joins the directory list).
	expect func(sent []any) []any
	// repeated: the property is sent once per line and PID 1 merges the
	// lines as its unit-file parser does; the value is a list of lines.
	repeated bool
}

func one(v any) []any { return []any{v} }

func kindBool() plainKind {
	return plainKind{name: "boolean", sigs: []string{"b"}, noEmpty: true, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		b, err := ParseBool(v)
		return one(b), err
	}}
}

// kindString takes a value as written; check (if set) validates it.
func kindString(check func(string) error) plainKind {
	return plainKind{name: "string", sigs: []string{"s"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		v, err := x.expand(v)
		if err == nil && check != nil {
			err = check(v)
		}
		return one(v), err
	}}
}

func kindEnum(values ...string) plainKind {
	k := kindString(func(v string) error { return oneOf(v, values) })
	k.name = "one of " + strings.Join(values, ", ")
	return k
}

// kindEnumBool is an enumeration whose boolean words mean "yes" and
// "no", as systemd's *_WITH_BOOLEAN string tables read them; the value
// is sent as the word systemd stores.
func kindEnumBool(values ...string) plainKind {
	k := kindEnum(values...)
	parse := k.parse
	k.parse = func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		if b, err := ParseBool(v); err == nil {
			v = map[bool]string{true: "yes", false: "no"}[b]
		}
		return parse(prev, v, x)
	}
	return k
}

func kindPath() plainKind {
	k := kindString(func(v string) error { _, err := normalizePath(v); return err })
	k.name = "absolute path"
	return k
}

// kindInt32 and kindUint32 are plain decimal numbers within a range.
func kindInt32(min, max int64) plainKind {
	return plainKind{name: fmt.Sprintf("integer %d..%d", min, max), sigs: []string{"i"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		n, err := parseInt(v, min, max)
		return one(int32(n)), err
	}}
}

func kindUint32(max int64) plainKind {
	return plainKind{name: fmt.Sprintf("integer 0..%d", max), sigs: []string{"u"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		n, err := parseInt(v, 0, max)
		return one(uint32(n)), err
	}}
}

// kindNamed maps words (or, with numeric, numbers in range) to an "i".
func kindNamed(names map[string]int32, numeric bool, max int32) plainKind {
	words := make([]string, 0, len(names))
	for w := range names {
		words = append(words, w)
	}
	slices.Sort(words)
	return plainKind{name: "one of " + strings.Join(words, ", "), sigs: []string{"i"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		if n, ok := names[v]; ok {
			return one(n), nil
		}
		if numeric {
			if n, err := parseInt(v, 0, int64(max)); err == nil {
				return one(int32(n)), nil
			}
		}
		return nil, oneOf(v, words)
	}}
}

func kindSignal() plainKind {
	return plainKind{name: "signal name or number", sigs: []string{"i"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		n, err := parseSignal(v)
		return one(n), err
	}}
}

func kindMode() plainKind {
	return plainKind{name: "octal file mode", sigs: []string{"u"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		n, err := parseMode(v)
		return one(n), err
	}}
}

// kindTimeSpan is a time span sent in microseconds ("t"); def is the unit
// of a bare number in µs (seconds for *Sec, 1 for USec-style settings).
// Every property of the row gets the same value (TimeoutSec= sets both
// TimeoutStartUSec and TimeoutStopUSec).
func kindTimeSpan(def float64, props int) plainKind {
	sigs := slices.Repeat([]string{"t"}, props)
	return plainKind{name: "time span (5s, 1min 30s, infinity)", sigs: sigs, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		t, err := parseTimeSpan(v, def)
		out := make([]any, props)
		for i := range out {
			out[i] = t
		}
		return out, err
	}}
}

// kindTimeSpanFix0 is kindTimeSpan in seconds where 0 means infinity.
func kindTimeSpanFix0(props int) plainKind {
	k := kindTimeSpan(1e6, props)
	parse := k.parse
	k.parse = func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		out, err := parse(prev, v, x)
		for i := range out {
			if out[i] == uint64(0) {
				out[i] = uint64(infinity)
			}
		}
		return out, err
	}
	return k
}

// kindNsec is TimerSlackNSec=: a time span sent in nanoseconds.
func kindNsec() plainKind {
	return plainKind{name: "time span", sigs: []string{"t"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		t, err := parseTimeSpan(v, 1e-3)
		if t != infinity {
			t *= 1000
		}
		return one(t), err
	}}
}

// kindWeight is a cgroup weight in [min, max] ("t").
func kindWeight(min, max int64) plainKind {
	return plainKind{name: fmt.Sprintf("weight %d..%d", min, max), sigs: []string{"t"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		n, err := parseInt(v, min, max)
		return one(uint64(n)), err
	}}
}

// kindLimit is a memory or tasks limit: bytes (or, counting, a number),
// "infinity", or a percentage sent as the ...Scale property.
func kindLimit(counting bool) plainKind {
	return plainKind{name: "size with K/M/G suffix, percentage or infinity", sigs: []string{"t", "u"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		if v == "infinity" {
			return []any{uint64(infinity), nil}, nil
		}
		if p, ok, err := parsePercent(v); ok {
			return []any{nil, scaleFromPermyriad(p)}, err
		}
		if counting {
			n, err := parseInt(v, 1, 1<<62)
			return []any{uint64(n), nil}, err
		}
		n, err := parseSize(v)
		return []any{n, nil}, err
	}}
}

// kindCPUQuota is CPUQuota=: a percentage of one CPU, sent as the time
// per second the unit may use.
func kindCPUQuota() plainKind {
	return plainKind{name: "percentage (may exceed 100%)", sigs: []string{"t"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		num, ok := strings.CutSuffix(v, "%")
		p, err := parseInt(num, 1, 1<<40)
		if !ok || err != nil {
			return nil, fmt.Errorf("%q is not a percentage above 0%%", v)
		}
		return one(uint64(p) * 1e6 / 100), nil
	}}
}

// kindStrings is a word list ("as") that later lines extend; check
// validates each word.
func kindStrings(flags splitFlags, check func(string) error) plainKind {
	return plainKind{name: "list of words", sigs: []string{"as"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, flags)
		if err != nil {
			return nil, err
		}
		out := listOf[string](prev, 0)
		for _, w := range words {
			if w, err = x.expand(w); err != nil {
				return nil, err
			}
			if check != nil {
				if err := check(w); err != nil {
					return nil, err
				}
			}
			out = append(out, w)
		}
		return one(out), nil
	}}
}

// listOf returns a copy of the list property i of prev, empty if unset.
func listOf[T any](prev []any, i int) []T {
	if i < len(prev) {
		if l, ok := prev[i].([]T); ok {
			return slices.Clone(l)
		}
	}
	return []T{}
}

// kindCommands is ExecStartPre= and friends, parsed as ExecStart= is and
// sent in the Ex form ("a(sasas)", which PID 1 takes since 243), the one
// that carries every prefix as a flag.
func kindCommands() plainKind {
	return plainKind{name: "command line", sigs: []string{ExecExSignature}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		cmds, err := parseCommands(Assignment{Value: v, Context: x})
		if err != nil {
			return nil, err
		}
		out := listOf[execExWire](prev, 0)
		for _, c := range cmds {
			out = append(out, execExWire{Path: c.Path, Argv: c.Argv, Flags: c.Flags()})
		}
		return one(out), nil
	}, trim: trimRows(3)}
}

// trimRows keeps the first n fields of each struct in a reported array.
func trimRows(n int) func(any) any {
	return func(got any) any {
		rows, ok := got.([][]any)
		if !ok {
			return got
		}
		out := make([][]any, len(rows))
		for i, r := range rows {
			out[i] = r[:min(n, len(r))]
		}
		return out
	}
}

// fileWire is one EnvironmentFile= entry.
type fileWire struct {
	Path     string
	Optional bool // "-" prefix
}

func kindEnvironmentFiles() plainKind {
	return plainKind{name: "absolute path, optionally prefixed -", sigs: []string{"a(sb)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		p, optional := strings.CutPrefix(v, "-")
		p, err := x.expand(p)
		if err == nil {
			p, err = normalizePath(p)
		}
		return one(append(listOf[fileWire](prev, 0), fileWire{p, optional})), err
	}}
}

// exitStatusWire is the (aiai) of SuccessExitStatus= and friends.
type exitStatusWire struct {
	Statuses []int32
	Signals  []int32
}

// kindExitStatus merges exit statuses and signals into sets, sorted as
// systemd reports them.
func kindExitStatus() plainKind {
	return plainKind{name: "exit statuses and signal names", sigs: []string{"(aiai)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		var w exitStatusWire
		if len(prev) > 0 {
			old := prev[0].(exitStatusWire)
			w = exitStatusWire{slices.Clone(old.Statuses), slices.Clone(old.Signals)}
		}
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		for _, word := range words {
			if n, ok := parseExitStatus(word); ok {
				w.Statuses = append(w.Statuses, n)
			} else if n, err := parseSignal(word); err == nil {
				w.Signals = append(w.Signals, n)
			} else {
				return nil, fmt.Errorf("%q is neither an exit status (0..255 or a name) nor a signal", word)
			}
		}
		for _, l := range []*[]int32{&w.Statuses, &w.Signals} {
			slices.Sort(*l)
			*l = slices.Compact(*l)
			if *l == nil {
				*l = []int32{}
			}
		}
		return one(w), nil
	}}
}

// pairWire is an (ss) entry: LoadCredential=ID:PATH.
type pairWire struct{ A, B string }

func kindCredentials() plainKind {
	return plainKind{name: "ID[:PATH]", sigs: []string{"a(ss)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		id, src, _ := strings.Cut(v, ":")
		if err := checkCredentialID(id); err != nil {
			return nil, err
		}
		if src == "" {
			src = id // "inherit from above", as systemd-run sends it
		}
		src, err := x.expand(src)
		return one(append(listOf[pairWire](prev, 0), pairWire{id, src})), err
	}}
}

// kindImportCredentials is ImportCredential=GLOB[:RENAME] (257), sent as
// ImportCredentialEx "a(ss)", the form that carries the rename.
func kindImportCredentials() plainKind {
	return plainKind{name: "GLOB[:RENAME]", sigs: []string{"a(ss)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		v, err := x.expand(v)
		if err != nil {
			return nil, err
		}
		glob, rename, _ := strings.Cut(v, ":")
		if err := checkCredentialID(strings.TrimSuffix(glob, "*")); err != nil && glob != "*" {
			return nil, err
		}
		return one(append(listOf[pairWire](prev, 0), pairWire{glob, rename})), nil
	}}
}

func checkCredentialID(id string) error {
	if id == "" || len(id) > 255 || strings.ContainsAny(id, "/") || id == "." || id == ".." {
		return fmt.Errorf("credential name %q is not a valid file name", id)
	}
	return nil
}

// setCredentialWire is an (say) entry of SetCredential=.
type setCredentialWire struct {
	ID   string
	Data []byte
}

func kindSetCredential(encrypted bool) plainKind {
	return plainKind{name: "ID:DATA", sigs: []string{"a(say)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		id, data, ok := strings.Cut(v, ":")
		if !ok {
			return nil, fmt.Errorf("missing \":\" between the credential name and its data")
		}
		if err := checkCredentialID(id); err != nil {
			return nil, err
		}
		var raw []byte
		if encrypted {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(data), ""))
			if err != nil {
				return nil, fmt.Errorf("encrypted credential data is not base64: %w", err)
			}
			raw = b
		} else {
			s, err := splitWords(`"`+strings.ReplaceAll(data, `"`, `\"`)+`"`, unquote|cunescape)
			if err != nil || len(s) != 1 {
				return nil, fmt.Errorf("credential data: bad escape")
			}
			raw = []byte(s[0])
		}
		return one(append(listOf[setCredentialWire](prev, 0), setCredentialWire{id, raw})), nil
	}}
}

// kindRlimit is Limit*=: "soft:hard" or one value for both, sent as the
// hard limit and the ...Soft property. unit reads one value.
func kindRlimit(unit func(string) (uint64, error)) plainKind {
	return plainKind{name: "limit, or soft:hard, or infinity", sigs: []string{"t", "t"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		soft, hard, pair := strings.Cut(v, ":")
		s, err := rlimitValue(soft, unit)
		if err != nil {
			return nil, err
		}
		h := s
		if pair {
			if h, err = rlimitValue(hard, unit); err != nil {
				return nil, err
			}
			if s > h {
				return nil, fmt.Errorf("soft limit %s is above the hard limit %s", soft, hard)
			}
		}
		return []any{h, s}, nil
	}}
}

func rlimitValue(s string, unit func(string) (uint64, error)) (uint64, error) {
	if s == "infinity" {
		return infinity, nil
	}
	return unit(s)
}

func rlimitCount(s string) (uint64, error) {
	n, err := parseInt(s, 0, 1<<62)
	return uint64(n), err
}

// rlimitSeconds is LimitCPU=: a time span rounded up to seconds.
func rlimitSeconds(s string) (uint64, error) {
	t, err := parseTimeSpan(s, 1e6)
	if err != nil || t == infinity {
		return t, err
	}
	return (t + 999999) / 1e6, nil
}

func rlimitMicroseconds(s string) (uint64, error) { return parseTimeSpan(s, 1) }

// rlimitNice is LimitNICE=: a signed nice level (+/-) or the raw 0..40.
func rlimitNice(s string) (uint64, error) {
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		n, err := parseInt(strings.TrimPrefix(s, "+"), -20, 19)
		return uint64(20 - n), err
	}
	n, err := parseInt(s, 0, 40)
	return uint64(n), err
}

// kindStdio is StandardInput=/Output=/Error=: a word, or fd:NAME, file:,
// append: or truncate: PATH, each sent as its own property.
func kindStdio(words ...string) plainKind {
	return plainKind{name: "one of " + strings.Join(words, ", ") + ", or fd:NAME, file:PATH, append:PATH, truncate:PATH",
		sigs: []string{"s", "s", "s", "s", "s"},
		parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
			out := make([]any, 5)
			for i, prefix := range []string{"fd:", "file:", "append:", "truncate:"} {
				if rest, ok := strings.CutPrefix(v, prefix); ok {
					rest, err := x.expand(rest)
					if err == nil && i > 0 {
						_, err = normalizePath(rest)
					}
					out[i+1] = rest
					return out, err
				}
			}
			out[0] = v
			return out, oneOf(v, words)
		}}
}

// kindDirectories is StateDirectory= and friends: relative paths below the
// base directory ("as"), or SOURCE:LINK pairs sent as ...Symlink.
func kindDirectories() plainKind {
	return plainKind{name: "relative paths, optionally SOURCE:LINK", sigs: []string{"as", "a(sst)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		dirs, links := listOf[string](prev, 0), listOf[symlinkWire](prev, 1)
		for _, w := range words {
			src, dst, pair := strings.Cut(w, ":")
			if src, err = relativeDirectory(x, src); err != nil {
				return nil, err
			}
			if !pair {
				dirs = append(dirs, src)
				continue
			}
			if dst, err = relativeDirectory(x, dst); err != nil {
				return nil, err
			}
			links = append(links, symlinkWire{Source: src, Destination: dst})
		}
		out := []any{dirs, links}
		if len(links) == 0 {
			out[1] = nil
		}
		return out, nil
	}, expect: func(sent []any) []any {
		// PID 1 adds each symlink's source to the directories, after
		// those sent as such, once.
		dirs := listOf[string](sent, 0)
		for _, l := range listOf[symlinkWire](sent, 1) {
			if !slices.Contains(dirs, l.Source) {
				dirs = append(dirs, l.Source)
			}
		}
		return []any{dirs, sent[1]}
	}}
}

type symlinkWire struct {
	Source, Destination string
	Flags               uint64
}

// relativeDirectory checks a StateDirectory= path: relative, no "..",
// simplified as path_simplify() does.
func relativeDirectory(x *SpecifierContext, p string) (string, error) {
	p, err := x.expand(p)
	if err != nil {
		return "", err
	}
	return checkRelativeDirectory(p)
}

// checkRelativeDirectory checks an expanded StateDirectory= path.
func checkRelativeDirectory(p string) (string, error) {
	if strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("%q must be relative to the base directory (no leading /)", p)
	}
	abs, err := normalizePath("/" + p)
	if err != nil || abs == "/" {
		return "", fmt.Errorf("%q is not a valid directory name", p)
	}
	return abs[1:], nil
}

// basWire is the (bas) of SystemCallLog= and friends: allow-list flag and
// words.
type basWire struct {
	Allow bool
	Words []string
}

// kindAllowList is a "~"-negatable word list, sent once per line for PID 1
// to merge.
func kindAllowList() plainKind {
	return plainKind{name: "list of words, optionally ~negated", sigs: []string{"(bas)"}, repeated: true,
		parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
			rest, deny := strings.CutPrefix(v, "~")
			words, err := splitWords(rest, unquote)
			if err != nil {
				return nil, err
			}
			return one(append(listOf[basWire](prev, 0), basWire{Allow: !deny, Words: words})), nil
		}}
}

// kindBytes is "ay": StandardInputText= lines (C-unescaped, each ending in
// a newline) or StandardInputData= (base64), appended.
func kindBytes(base64Data bool) plainKind {
	return plainKind{name: "text", sigs: []string{"ay"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		out := listOf[byte](prev, 0)
		if base64Data {
			b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(v), ""))
			if err != nil {
				return nil, fmt.Errorf("not base64: %w", err)
			}
			return one(append(out, b...)), nil
		}
		s, err := splitWords(`"`+strings.ReplaceAll(v, `"`, `\"`)+`"`, unquote|cunescape)
		if err != nil || len(s) != 1 {
			return nil, fmt.Errorf("bad escape")
		}
		return one(append(append(out, s[0]...), '\n')), nil
	}}
}

// kindLogFields is LogExtraFields= ("aay"): one FIELD=value per line.
func kindLogFields() plainKind {
	return plainKind{name: "FIELD=value", sigs: []string{"aay"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		key, _, ok := strings.Cut(v, "=")
		if !ok || key == "" || strings.ToUpper(key) != key || strings.HasPrefix(key, "_") {
			return nil, fmt.Errorf("%q is not a journal FIELD=value (upper-case field name, not starting with _)", v)
		}
		return one(append(listOf[[]byte](prev, 0), []byte(v))), nil
	}}
}

// kindScale is a percentage sent as a 32-bit fraction ("u").
func kindScale() plainKind {
	return plainKind{name: "percentage", sigs: []string{"u"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		p, ok, err := parsePercent(v)
		if !ok {
			return nil, fmt.Errorf("%q is not a percentage", v)
		}
		return one(scaleFromPermyriad(p)), err
	}}
}

// kindLabel is AppArmorProfile=/SmackProcessLabel=: "(bs)", "-" makes a
// missing profile not fatal.
type labelWire struct {
	Ignore bool
	Name   string
}

func kindLabel() plainKind {
	return plainKind{name: "label, optionally prefixed -", sigs: []string{"(bs)"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		name, ignore := strings.CutPrefix(v, "-")
		name, err := x.expand(name)
		return one(labelWire{ignore, name}), err
	}}
}

// secureBits are the words of SecureBits= and their SECBIT_* bits.
var secureBits = map[string]int32{"noroot": 1 << 0, "noroot-locked": 1 << 1, "no-setuid-fixup": 1 << 2,
	"no-setuid-fixup-locked": 1 << 3, "keep-caps": 1 << 4, "keep-caps-locked": 1 << 5}

func kindSecureBits() plainKind {
	return plainKind{name: "list of noroot, noroot-locked, no-setuid-fixup, no-setuid-fixup-locked, keep-caps, keep-caps-locked", sigs: []string{"i"},
		parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
			words, err := splitWords(v, unquote)
			if err != nil {
				return nil, err
			}
			var bits int32
			for _, w := range words {
				b, ok := secureBits[w]
				if !ok {
					return nil, fmt.Errorf("unknown secure bit %q", w)
				}
				bits |= b
			}
			return one(bits), nil
		}}
}

// kindMountFlags is MountFlags=: the propagation flag sent as "t".
func kindMountFlags() plainKind {
	flags := map[string]uint64{"shared": 1 << 20, "slave": 1 << 19, "private": 1 << 18}
	return plainKind{name: "one of shared, slave, private", sigs: []string{"t"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		f, ok := flags[v]
		if !ok {
			return nil, oneOf(v, []string{"shared", "slave", "private"})
		}
		return one(f), nil
	}}
}

// kindIgnorableString is SELinuxContext=: sent as written ("s", a "-"
// prefix makes failure to apply it not fatal); PID 1 reports it as (bs).
func kindIgnorableString() plainKind {
	k := kindString(nil)
	k.trim = func(got any) any {
		l, ok := got.([]any)
		if !ok || len(l) != 2 {
			return got
		}
		ignore, _ := l[0].(bool)
		name, _ := l[1].(string)
		if ignore {
			return "-" + name
		}
		return name
	}
	return k
}

// bindWire is one BindPaths= entry: source, destination, ignore a missing
// source, mount flags (MS_REC for the default rbind).
type bindWire struct {
	Source, Destination string
	IgnoreMissing       bool
	Flags               uint64
}

// msRec is MS_REC, the flag of a recursive (rbind) bind mount.
const msRec = 16384

// kindBindPaths is BindPaths=/BindReadOnlyPaths=: words
// [-]SOURCE[:DESTINATION[:rbind|norbind]], later lines extend.
func kindBindPaths() plainKind {
	return plainKind{name: "[-]SOURCE[:DESTINATION[:rbind|norbind]] list", sigs: []string{"a(ssbt)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		out := listOf[bindWire](prev, 0)
		for _, w := range words {
			b, err := parseBind(x, w)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
		return one(out), nil
	}}
}

func parseBind(x *SpecifierContext, w string) (bindWire, error) {
	parts := strings.SplitN(w, ":", 3)
	src, ignore := strings.CutPrefix(parts[0], "-")
	b := bindWire{IgnoreMissing: ignore, Flags: msRec}
	var err error
	if b.Source, err = x.expand(src); err == nil {
		b.Source, err = normalizePath(b.Source)
	}
	if err != nil {
		return b, err
	}
	b.Destination = b.Source
	if len(parts) > 1 {
		if b.Destination, err = x.expand(parts[1]); err == nil {
			b.Destination, err = normalizePath(b.Destination)
		}
		if err != nil {
			return b, err
		}
	}
	if len(parts) > 2 {
		switch parts[2] {
		case "", "rbind":
		case "norbind":
			b.Flags = 0
		default:
			return b, fmt.Errorf("unknown bind option %q (want rbind or norbind)", parts[2])
		}
	}
	return b, nil
}

// kindTemporaryFileSystem is TemporaryFileSystem=: words PATH[:OPTIONS],
// sent as (path, options).
func kindTemporaryFileSystem() plainKind {
	return plainKind{name: "PATH[:OPTIONS] list", sigs: []string{"a(ss)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		out := listOf[pairWire](prev, 0)
		for _, w := range words {
			p, opts, _ := strings.Cut(w, ":")
			if p, err = x.expand(p); err == nil {
				p, err = normalizePath(p)
			}
			if err != nil {
				return nil, err
			}
			out = append(out, pairWire{p, opts})
		}
		return one(out), nil
	}}
}
