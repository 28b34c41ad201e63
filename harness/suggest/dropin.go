package suggest

import (
	"fmt"
	"strings"
)

// DropIn renders the kept decisions as the [Service] section of a
// drop-in, each directive under one comment line with its evidence. The
// header lines become comments at the top.
func DropIn(header []string, decisions []Decision) string {
	var b strings.Builder
	for _, h := range header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	b.WriteString("[Service]\n")
	for _, d := range decisions {
		if !d.Kept {
			continue
		}
		fmt.Fprintf(&b, "# %s (-%s): %s\n", d.Directive, hundredths(d.Gain), oneLine(d.Reason))
		for _, w := range d.Why {
			fmt.Fprintf(&b, "#   %s\n", oneLine(w))
		}
		for _, l := range d.Lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// hundredths prints a gain in hundredths of exposure as a number.
func hundredths(n int) string {
	return fmt.Sprintf("%d.%02d", n/100, n%100)
}

// oneLine keeps a reason on its comment line.
func oneLine(s string) string {
	s = strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
	const max = 200
	if len(s) > max {
		s = s[:max] + "..."
	}
	return s
}
