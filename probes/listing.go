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
}

// Listing renders the registry for humans and machines.
func Listing() []Entry {
	var out []Entry
	for _, p := range Registry() {
		pol := "restricts"
		switch p.Polarity {
		case Grants:
			pol = "grants"
		case Bypass:
			pol = "bypass"
		}
		out = append(out, Entry{
			ID: p.ID, Area: p.Area(), Directives: p.Directives, Attempts: p.Attempts,
			Decides: p.Decides, Control: p.Control, Polarity: pol, Needs: needFlag(p.Needs),
		})
	}
	return out
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
