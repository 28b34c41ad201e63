package directive

import (
	"fmt"
	"strings"
)

// UnitName is a unit's name split the way systemd splits it:
// "getty@tty1.service" is prefix "getty", instance "tty1", suffix
// ".service"; "getty@.service" is the template (Template true, no
// instance).
type UnitName struct {
	Prefix, Instance, Suffix string
	Template                 bool // "@" with nothing after it
}

// SplitUnitName splits a unit name; it refuses names without a type
// suffix or with more than one "@".
func SplitUnitName(name string) (UnitName, error) {
	dot := strings.LastIndexByte(name, '.')
	if dot <= 0 || dot == len(name)-1 || strings.ContainsAny(name, "/") {
		return UnitName{}, fmt.Errorf("%q is not a unit name (want NAME.TYPE, e.g. nginx.service)", name)
	}
	base, suffix := name[:dot], name[dot:]
	prefix, instance, at := strings.Cut(base, "@")
	if prefix == "" || strings.Contains(instance, "@") {
		return UnitName{}, fmt.Errorf("%q is not a valid unit name", name)
	}
	return UnitName{Prefix: prefix, Instance: instance, Suffix: suffix, Template: at && instance == ""}, nil
}

// String joins the name again.
func (n UnitName) String() string {
	if n.Template || n.Instance != "" {
		return n.Prefix + "@" + n.Instance + n.Suffix
	}
	return n.Prefix + n.Suffix
}

// TemplateName is the template an instance is loaded from
// ("getty@.service" for "getty@tty1.service"); "" for a plain unit.
func (n UnitName) TemplateName() string {
	if n.Instance == "" && !n.Template {
		return ""
	}
	return n.Prefix + "@" + n.Suffix
}

// WithInstance returns the instance of the template (or replaces an
// instance).
func (n UnitName) WithInstance(instance string) UnitName {
	n.Instance, n.Template = instance, false
	return n
}

// offlineTemplateInstances: systemd-analyze security --offline=true of a
// template file scores it as an instance of this name (measured: 252
// prints "foo@i.service", 257 "foo@test_instance.service").
var offlineTemplateInstances = map[int]string{252: "i", 257: "test_instance"}

// OfflineTemplateInstance is the instance systemd-analyze --offline of
// that release gives a template it is asked to score.
func OfflineTemplateInstance(version int) string {
	if v, ok := offlineTemplateInstances[version]; ok {
		return v
	}
	return offlineTemplateInstances[257]
}
