package directive

import "github.com/coreos/go-systemd/v22/dbus"

// Properties renders the settings as StartTransientUnit properties (names
// and signatures of systemd 252, which 257 accepts too): every directive
// the assignments set, plus Type, ExecStart and ExecStop, then the plain
// directives in the order they were assigned.
func (s *Settings) Properties() []dbus.Property {
	var out []dbus.Property
	for _, spec := range specs() {
		switch {
		case spec.Name == "Type":
		case spec.Name == "ExecStart" || spec.Name == "ExecStop":
			if len(commandsOf(s, spec.Name)) == 0 {
				continue
			}
		case !s.Set(spec.Name):
			continue
		}
		if spec.Name == "Type" && s.Type == "" {
			out = append(out, prop("Type", "simple"))
			continue
		}
		out = append(out, spec.props(s)...)
	}
	return append(out, s.plainProperties()...)
}
