package probes

// Entry is the printable form of a registry row.
type Entry struct {
	ID         string   `json:"id"`
	Area       string   `json:"area"`
	Directives []string `json:"directives"`
	Attempts   string   `json:"attempts"`
	Decides    string   `json:"decides"`
	Control    Outcome  `json:"control"`  // expected with no hardening, as root
	Polarity   string   `json:"polarity"` // "restricts", "grants" or "bypass"
	Needs      string   `json:"needs,omitempty"`
	Bypasses   []string `json:"bypasses,omitempty"` // for polarity "bypass": the directives it goes around
}

// Listing renders the registry for humans and machines.
func Listing() []Entry {
	var out []Entry
	for _, p := range Registry() {
		pol := "restricts"
		switch {
		case len(p.Bypasses) > 0:
			pol = "bypass"
		case p.Polarity == Grants:
			pol = "grants"
		}
		out = append(out, Entry{
			ID: p.ID, Area: p.Area(), Directives: p.Directives(), Attempts: p.Attempts,
			Decides: p.Decides, Control: p.Control, Polarity: pol, Needs: needFlag(p.Needs), Bypasses: p.BypassedDirectives(),
		})
	}
	return out
}

// PathFlag names the path flag a probe's result is about, "" when it
// takes none: two runs' results compare only when they tried the same
// path.
func PathFlag(id string) string {
	p, ok := Find(id)
	if !ok || p.Needs == NeedTCPTarget {
		return ""
	}
	return needFlag(p.Needs)
}

// needFlag names the flag that satisfies a need.
func needFlag(n Need) string {
	switch n {
	case NeedTCPTarget:
		return "--tcp-target"
	case NeedReadOnlyPath:
		return "--ro-path"
	case NeedReadWritePath:
		return "--rw-path"
	case NeedHiddenPath:
		return "--hidden-path"
	}
	return ""
}
