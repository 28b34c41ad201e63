// Command merge puts the reports the Vagrant machines copied back to
// out/<machine>/ side by side in one comparison JSON:
//
//	go run ./harness/vagrant/merge [-o out/vagrant-comparison.json] [out]
//
// It prints a one-line summary per machine to stderr. Exit status: 0 the
// comparison was written; 1 a machine had failed steps or missing reports
// (the comparison is still written); 2 bad usage; 3 nothing to merge.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/hardenlab/hardenlab/harness/vagrant"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	outFile := fs.String("o", "", "write the comparison here instead of stdout")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(stderr, "merge: at most one directory (default: out)")
		return 2
	}
	dir := "out"
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	c, err := vagrant.Merge(ctx, dir)
	if err != nil {
		fmt.Fprintf(stderr, "merge: %v\n", err)
		return 3
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		fmt.Fprintf(stderr, "merge: encoding the comparison: %v\n", err)
		return 3
	}
	b = append(b, '\n')
	if *outFile != "" {
		err = os.WriteFile(*outFile, b, 0o644)
	} else {
		_, err = stdout.Write(b)
	}
	if err != nil {
		fmt.Fprintf(stderr, "merge: writing the comparison: %v\n", err)
		return 3
	}
	code := 0
	for _, m := range c.Machines {
		status := "ok"
		if len(m.Failed) > 0 || len(m.Problems) > 0 {
			status = "FAILED " + strings.Join(append(append([]string{}, m.Failed...), m.Problems...), "; ")
			code = 1
		}
		fmt.Fprintf(stderr, "%-12s systemd %-4s %-32s %2d records  %s\n", m.Name, m.SystemdVersion, m.OS, m.Records, status)
	}
	fmt.Fprintf(stderr, "%d profiles, %d differ between machines\n", len(c.Profiles), c.Differing)
	for _, row := range c.Profiles {
		for _, d := range row.Differences {
			fmt.Fprintf(stderr, "  %s: %s: %s\n", row.Key, d, valuesOf(row, d, c.Machines))
		}
	}
	return code
}

// valuesOf says what each machine measured for one difference.
func valuesOf(row vagrant.ProfileRow, difference string, machines []vagrant.MachineSummary) string {
	var parts []string
	for _, m := range machines {
		cell, ok := row.ByMachine[m.Name]
		var v string
		switch {
		case !ok:
			v = "absent"
		case difference == "exposure":
			v = fmt.Sprint(cell.Exposure)
		case difference == "level":
			v = cell.Level
		case difference == "started":
			v = fmt.Sprint(cell.Started)
		case difference == "http_status":
			v = fmt.Sprint(cell.HTTPStatus)
		case difference == "exposed_paths":
			v = strings.Join(cell.ExposedPaths, " ")
		case difference == "error":
			v = fmt.Sprintf("%q", cell.Error)
		case strings.HasPrefix(difference, "verdict:"):
			v = cell.Verdicts[strings.TrimPrefix(difference, "verdict:")]
		default:
			v = "present"
		}
		if v == "" {
			v = "-"
		}
		parts = append(parts, m.Name+" "+v)
	}
	return strings.Join(parts, ", ")
}
