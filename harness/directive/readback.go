package directive

import "fmt"

// Mismatch is one directive that systemd stored differently than the
// settings meant.
type Mismatch struct {
	Directive string
	Want      string
	Got       string
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s: want %s, systemd has %s", m.Directive, m.Want, m.Got)
}

// CheckReadback compares the settings with the properties read back from
// the running unit (GetUnitTypePropertiesContext(ctx, unit, "Service")).
// It checks every directive the settings set, after the implications
// systemd adds on its own (see Effective); [Unit] directives are checked
// only when got has them.
func CheckReadback(want *Settings, got map[string]interface{}) []Mismatch {
	var out []Mismatch
	for _, spec := range specs() {
		if !want.Set(spec.Name) && spec.Name != "Type" {
			continue
		}
		name := spec.Properties[0]
		v, ok := got[name]
		if !ok {
			if spec.Section == "Unit" {
				continue
			}
			out = append(out, Mismatch{Directive: spec.Name, Want: describeWant(spec, want), Got: "(property missing)"})
			continue
		}
		var wantText, gotText string
		var equal bool
		switch {
		case spec.compareProps != nil:
			wantText, gotText, equal = spec.compareProps(want, got)
		case spec.compare != nil:
			wantText, gotText, equal = spec.compare(want, v)
		default:
			wantText = spec.want(want)
			var decoded bool
			gotText, decoded = spec.got(v)
			if !decoded {
				gotText = fmt.Sprintf("unexpected %T %v", v, v)
			}
			equal = decoded && gotText == wantText
		}
		if !equal {
			out = append(out, Mismatch{Directive: spec.Name, Want: wantText, Got: gotText})
		}
	}
	return append(out, checkPlainReadback(want, got)...)
}

func describeWant(spec Spec, s *Settings) string {
	if spec.want != nil {
		return spec.want(s)
	}
	return "(set)"
}
