package baseline

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// WriteDiff prints regressions for a person reading a CI log: each one
// names what got worse (directive, probe, profile) and shows the baseline's
// value and the current one as a two-line diff.
func WriteDiff(w io.Writer, regs []Regression) error {
	b := bufio.NewWriter(w)
	if len(regs) == 0 {
		fmt.Fprintln(b, "no regressions against the baseline")
	} else {
		noun := "regressions"
		if len(regs) == 1 {
			noun = "regression"
		}
		fmt.Fprintf(b, "%d %s against the baseline:\n", len(regs), noun)
	}
	titles := map[Kind]string{}
	for _, k := range Kinds() {
		titles[k.Kind] = k.Title
	}
	for _, r := range regs {
		title := titles[r.Kind]
		if title == "" {
			title = string(r.Kind)
		}
		fmt.Fprintf(b, "\n%s", strings.ToUpper(title))
		if subject := diffSubject(r); subject != "" {
			fmt.Fprintf(b, ": %s", subject)
		}
		fmt.Fprintln(b)
		fmt.Fprintf(b, "  %s\n", oneLine(r.Message))
		fmt.Fprintf(b, "  - %s\n", oneLine(r.Was))
		fmt.Fprintf(b, "  + %s\n", oneLine(r.Now))
		if len(r.Also) > 0 {
			fmt.Fprintf(b, "  the same in %d more profile(s): %s\n", len(r.Also), shortList(r.Also, diffListMax))
		}
	}
	if err := b.Flush(); err != nil {
		return fmt.Errorf("writing the baseline diff: %w", err)
	}
	return nil
}

// diffSubject is "ProtectHome= × fs.protect-home in full [host-root]".
func diffSubject(r Regression) string {
	var parts []string
	switch {
	case r.Directive != "" && r.Probe != "":
		parts = append(parts, r.Directive+"= × "+r.Probe)
	case r.Directive != "":
		parts = append(parts, r.Directive+"=")
	case r.Probe != "":
		parts = append(parts, r.Probe)
	}
	switch {
	case r.FullUnit:
		parts = append(parts, "in the full unit (profile "+r.Profile+")")
	case r.Profile != "":
		parts = append(parts, "in profile "+r.Profile)
	}
	if r.Environment != "" {
		parts = append(parts, "["+r.Environment+"]")
	}
	return strings.Join(parts, " ")
}

// diffListMax bounds the profile names a diff prints for one regression: a
// CI log reader needs a few examples, and the JSON has them all.
const diffListMax = 6

func shortList(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:max], ", ") + fmt.Sprintf(", … (%d more)", len(names)-max)
}

// oneLine keeps a hostile message from forging diff lines.
func oneLine(s string) string {
	return strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
}
