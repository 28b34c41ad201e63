package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/hardenlab/hardenlab/probes"
)

const probesUsage = `Usage: hardenlab probes [--json] [--area AREA] [--directive NAME]

Lists the probe registry: for each probe its id (area.action), the
directives it evidences, what it attempts inside the unit's sandbox, how it
decides between "allowed" and "blocked", and what it is expected to give
under the control profile (no hardening, running as root).

Every attempt is harmless even when the directive is missing: files are
opened for writing without writing, the hostname is set to itself, modules
are garbage images, scheduling and personality are reverted at once, and
namespaces are created only in a disposable child. Probes marked "grants"
evidence a directive that keeps something allowed (ReadWritePaths=,
AmbientCapabilities=). Some probes need a flag of hardenlab-probe (--tcp-target,
--ro-path, --rw-path, --hidden-path) and are skipped without it.

Flags:
`

const probesExamples = `
Examples:
  hardenlab probes
  hardenlab probes --directive ProtectSystem
  hardenlab probes --area ns --json

Exit status: 0 listed; 2 bad usage (unknown area or directive).
`

func cmdProbes(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("probes", flag.ContinueOnError)
	fs.SetOutput(io.err)
	asJSON := fs.Bool("json", false, `print [{"id", "area", "directives", "attempts", "decides", "control", "polarity", "needs"}]`)
	area := fs.String("area", "", "only probes of this area (fs, caps, sys, kernel, net, ns, proc, dev, id)")
	directive := fs.String("directive", "", "only probes evidencing this directive (as written in unit files, e.g. ProtectSystem)")
	fs.Usage = func() {
		fmt.Fprint(io.err, probesUsage)
		fs.PrintDefaults()
		fmt.Fprint(io.err, probesExamples)
	}
	if code, ok := parseFlags(fs, args, io); !ok {
		return code
	}
	if fs.NArg() > 0 {
		errorf(io, "probes: unexpected arguments %q", fs.Args())
		return exitUsage
	}
	entries, err := filterProbes(probes.Listing(), *area, *directive)
	if err != nil {
		errorf(io, "probes: %v", err)
		return exitUsage
	}
	if *asJSON {
		enc := json.NewEncoder(io.out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(entries); err != nil {
			errorf(io, "probes: writing the listing: %v", err)
			return exitError
		}
		return exitOK
	}
	if err := printProbes(io, entries); err != nil {
		errorf(io, "probes: writing the listing: %v", err)
		return exitError
	}
	return exitOK
}

// filterProbes keeps the entries of one area and/or directive; an area or
// directive no probe has is a usage error, not an empty list.
func filterProbes(entries []probes.Entry, area, directive string) ([]probes.Entry, error) {
	var areas, directives []string
	var out []probes.Entry
	for _, e := range entries {
		areas = append(areas, e.Area)
		directives = append(directives, e.Directives...)
		if area != "" && e.Area != area {
			continue
		}
		if directive != "" && !slices.Contains(e.Directives, directive) {
			continue
		}
		out = append(out, e)
	}
	if area != "" && !slices.Contains(areas, area) {
		return nil, fmt.Errorf("unknown area %q (known: %s)", area, strings.Join(uniqueSorted(areas), ", "))
	}
	if directive != "" && !slices.Contains(directives, directive) {
		return nil, fmt.Errorf("no probe evidences %q (known: %s)", directive, strings.Join(uniqueSorted(directives), ", "))
	}
	return out, nil
}

func uniqueSorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

func printProbes(io stdio, entries []probes.Entry) error {
	tw := tabwriter.NewWriter(io.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDIRECTIVES\tCONTROL\tPOLARITY\tNEEDS")
	for _, e := range entries {
		needs := e.Needs
		if needs == "" {
			needs = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e.ID, strings.Join(e.Directives, " "), e.Control, e.Polarity, needs)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, e := range entries {
		fmt.Fprintf(io.out, "\n%s\n  attempts: %s\n  decides:  %s\n", e.ID, e.Attempts, e.Decides)
	}
	return nil
}
