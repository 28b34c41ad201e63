package directive

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"
)

// resolveOther handles an assignment that is not a security directive: a
// plain row, a key passed over with a note, or an unknown key.
func (r *resolver) resolveOther(a Assignment) error {
	if row, ok := lookupPlain(a.Name); ok {
		return r.resolvePlain(row, a)
	}
	if target, ok := legacyAliases[a.Name]; ok {
		b := a
		b.Name = target
		if err := specs()[specIndex(specs(), target)].apply(r, b); err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.Directive = a.Name
			}
			return err
		}
		r.s.assigned[target] = true
		return nil
	}
	if p, ok := serviceKeyNote(a.Name); ok {
		r.s.notes = append(r.s.notes, noteOf(a, p))
		return nil
	}
	if keyKnown("Unit", a.Name) {
		r.s.notes = append(r.s.notes, noteOf(a, unitKeyNote(a.Name)))
		return nil
	}
	if strings.HasPrefix(a.Name, "X-") {
		r.s.notes = append(r.s.notes, Note{Source: a.Source, Directive: a.Name, Reason: xKeyNote})
		return nil
	}
	return unknownDirective(a)
}

// xKeyNote: systemd ignores keys beginning "X-" without a warning; they
// carry other programs' settings.
const xKeyNote = "ignored: an X- key belongs to other programs (systemd ignores it too)"

func (r *resolver) resolvePlain(row plainRow, a Assignment) error {
	if r.s.plain == nil {
		r.s.plain, r.plainSeq = map[string][]any{}, map[string]int{}
	}
	r.seq++
	r.plainSeq[a.Name] = r.seq
	if a.Value == "" {
		if row.Kind.noEmpty {
			return newError(a, "%s", emptyBoolReason(a.Name))
		}
		delete(r.s.plain, a.Name)
		return nil
	}
	vals, err := row.Kind.parse(r.s.plain[a.Name], a.Value, a.Context)
	if err != nil {
		return newError(a, "%v", err)
	}
	r.s.plain[a.Name] = vals
	return nil
}

// finishPlain fixes the order the plain rows are sent in: the order of
// their last assignment, so that of two rows setting one property (TimeoutSec=
// and TimeoutStopSec=) the later line wins, as in a unit file.
func (r *resolver) finishPlain() {
	for name := range r.s.plain {
		r.s.plainOrder = append(r.s.plainOrder, name)
	}
	slices.SortFunc(r.s.plainOrder, func(a, b string) int { return r.plainSeq[a] - r.plainSeq[b] })
}

// plainProperties renders the plain directives, in assignment order.
func (s *Settings) plainProperties() []dbus.Property {
	var out []dbus.Property
	for _, name := range s.plainOrder {
		row, _ := lookupPlain(name)
		for i, v := range s.plain[name] {
			if v == nil {
				continue
			}
			if row.Kind.repeated {
				rv := reflect.ValueOf(v)
				for j := 0; j < rv.Len(); j++ {
					out = append(out, prop(row.Props[i], rv.Index(j).Interface()))
				}
				continue
			}
			out = append(out, prop(row.Props[i], v))
		}
	}
	return out
}

// plainWant is the value each property of the plain directives must read
// back as, with the directive that set it last.
func (s *Settings) plainWant() (props []string, want map[string]any, from map[string]string) {
	want, from = map[string]any{}, map[string]string{}
	for _, name := range s.plainOrder {
		row, _ := lookupPlain(name)
		vals := s.plain[name]
		if row.Kind.expect != nil {
			vals = row.Kind.expect(vals)
		}
		for i, v := range vals {
			if v == nil || slices.Contains(row.noReadback, row.Props[i]) {
				continue
			}
			if _, seen := want[row.Props[i]]; !seen {
				props = append(props, row.Props[i])
			}
			want[row.Props[i]], from[row.Props[i]] = v, name
		}
	}
	return props, want, from
}

// checkPlainReadback compares the plain directives with what systemd
// reports.
func checkPlainReadback(s *Settings, got map[string]interface{}) []Mismatch {
	var out []Mismatch
	props, want, from := s.plainWant()
	for _, p := range props {
		row, _ := lookupPlain(from[p])
		w := canon(want[p])
		v, ok := got[p]
		if !ok {
			out = append(out, Mismatch{Directive: from[p], Want: w, Got: "(property " + p + " missing)"})
			continue
		}
		if row.Kind.trim != nil {
			v = row.Kind.trim(v)
		}
		if g := canon(v); g != w {
			out = append(out, Mismatch{Directive: from[p], Want: p + "=" + w, Got: g})
		}
	}
	return out
}

// canon renders a D-Bus value the same way whether it is what hardenlab
// sent (Go structs) or what godbus decoded (structs as []interface{}).
func canon(v any) string {
	var b strings.Builder
	writeCanon(&b, reflect.ValueOf(v))
	return b.String()
}

func writeCanon(b *strings.Builder, v reflect.Value) {
	if v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		b.WriteByte('(')
		for i := 0; i < v.NumField(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeCanon(b, v.Field(i))
		}
		b.WriteByte(')')
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b.WriteString(strconv.Quote(string(v.Bytes())))
			return
		}
		open, end := byte('['), byte(']')
		if v.Type().Elem().Kind() == reflect.Interface {
			open, end = '(', ')' // a decoded struct
		}
		b.WriteByte(open)
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(' ')
			}
			writeCanon(b, v.Index(i))
		}
		b.WriteByte(end)
	case reflect.String:
		b.WriteString(strconv.Quote(v.String()))
	case reflect.Invalid:
		b.WriteString("<nil>")
	default:
		fmt.Fprint(b, v.Interface())
	}
}

// Since is the first systemd release that takes the directive, for any
// key hardenlab accepts: a security directive's Spec.Since, a plain row's
// Since, or the first key list that has it; 0 when every modelled release
// does.
func Since(name string) int {
	if i := specIndex(specs(), name); i >= 0 { // not Lookup: no copy per assignment
		return specs()[i].Since
	}
	if r, ok := lookupPlain(name); ok {
		return r.Since
	}
	return keySince(name)
}

// newerValues are values younger than their directive, with the first
// release whose PID 1 takes them (an older one logs and ignores the line).
func newerValues() []struct {
	directive, value string
	since            int
} {
	return []struct {
		directive, value string
		since            int
	}{
		{"Type", "notify-reload", 253},
	}
}

// ValueSince is the first release that takes the assignment's value, 0
// when the directive's own Since says all.
func ValueSince(a Assignment) int {
	for _, v := range newerValues() {
		if v.directive == a.Name && v.value == a.Value {
			return v.since
		}
	}
	return 0
}

// demoSkipped are the command directives hardenlab does not send when it
// runs the demo service in place of the unit's own commands.
func demoSkipped() []string {
	return []string{"ExecCondition", "ExecStartPre", "ExecStartPost", "ExecReload", "ExecStopPost"}
}

// SkippedCommands lists the unit's commands that a demo run does not run
// (ExecStartPre= and friends), and returns settings without them.
func (s *Settings) SkippedCommands() (without *Settings, skipped []string) {
	for _, name := range demoSkipped() {
		if _, ok := s.plain[name]; ok {
			skipped = append(skipped, name)
		}
	}
	slices.Sort(skipped)
	return s.WithoutPlain(skipped...), skipped
}

// WithoutPlain returns a copy of the settings in which the named plain
// directives were never set: what a run that does not send them must
// read back.
func (s *Settings) WithoutPlain(names ...string) *Settings {
	c := *s
	c.plain = map[string][]any{}
	for name, v := range s.plain {
		if !slices.Contains(names, name) {
			c.plain[name] = v
		}
	}
	c.plainOrder = slices.DeleteFunc(slices.Clone(s.plainOrder), func(n string) bool { return slices.Contains(names, n) })
	return &c
}

// IsCommandProperty says whether a D-Bus property is one of the commands
// SkippedCommands leaves out (in either form: they are sent as ...Ex).
func IsCommandProperty(name string) bool {
	return slices.ContainsFunc(demoSkipped(), func(d string) bool { return CommandProperty(name, d) })
}

// PlainValue renders the value a plain directive resolved to, one text
// per property ("" for none), for tests and reports.
func (s *Settings) PlainValue(name string) []string {
	var out []string
	for _, v := range s.plain[name] {
		if v == nil {
			out = append(out, "")
			continue
		}
		out = append(out, canon(v))
	}
	return out
}
