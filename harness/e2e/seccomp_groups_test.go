//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/score"
	"github.com/hardenlab/hardenlab/harness/systemd"
	"github.com/hardenlab/hardenlab/probes"
)

// outsideCall is a call of no group but @default (and @known): under
// ~@GROUP of any other group it must stay allowed.
const outsideCall = "getpid"

// groupFilter is "SystemCallFilter=~GROUP" as systemd v resolves it.
func groupFilter(group string, v score.Version) score.Filter {
	GinkgoHelper()
	f, ok, err := score.ResolveFilter([]directive.FilterLine{{Names: []string{group}}}, v)
	Expect(err).NotTo(HaveOccurred())
	Expect(ok).To(BeTrue())
	return f
}

// parsedGroup says why hardenlab's unit parser refuses SystemCallFilter=~GROUP
// (a group newer than the one it knows); nil when it takes it.
func parsedGroup(group string) error {
	a, err := directive.ParseAssignment("SystemCallFilter=~"+group, directive.Source{File: "group.service", Line: 1})
	if err == nil {
		_, err = directive.Resolve([]directive.Assignment{a}, true)
	}
	return err
}

// allGroups are the @groups of every modelled systemd, sorted, each once:
// Filter.Groups() and the two it leaves out (every call, and what an
// allow-list keeps), which a deny-list can name as well.
func allGroups() []string {
	var out []string
	for _, v := range score.Versions() {
		f := groupFilter("@swap", v)
		for _, g := range append(f.Groups(), "@default", "@known") {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	slices.Sort(out)
	return out
}

// groupEntries are one Entry per group of allGroups.
func groupEntries() []TableEntry {
	var out []TableEntry
	for _, g := range allGroups() {
		out = append(out, Entry(g, SpecTimeout(2*time.Minute), g))
	}
	return out
}

// probedMembers are the calls of a group hardenlab-probe makes harmlessly.
func probedMembers(f score.Filter, group string) []string {
	var out []string
	for _, m := range f.Members(group) {
		if _, ok := probes.HarmlessAnswer(m); ok {
			out = append(out, m)
		}
	}
	return out
}

// sandboxVersion is the modelled systemd that sb runs.
func sandboxVersion(sb *sandbox.Sandbox) score.Version {
	GinkgoHelper()
	v, err := score.ParseVersion(sb.Env.SystemdVersion)
	Expect(err).NotTo(HaveOccurred(), sb.Env.SystemdVersion)
	return v
}

// tryProbeUnit is probeUnit for a unit that may fail: it returns the
// document, or why there is none.
func tryProbeUnit(ctx context.Context, sb *sandbox.Sandbox, sd *systemd.Client, calls []string, lines ...string) (probes.SyscallsDocument, error) {
	GinkgoHelper()
	data, err := startProbeUnit(ctx, sb, sd, []string{"syscalls", "--calls", strings.Join(calls, ",")}, lines...)
	if err != nil {
		return probes.SyscallsDocument{}, err
	}
	var doc probes.SyscallsDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return doc, fmt.Errorf("no syscalls document (%w): %q", err, data)
	}
	return doc, nil
}

// unprobed says why a document under ~@GROUP does not judge the group:
// the unit failed, or a call's answer came from a probe that could not
// make it; "" when every call was answered.
func unprobed(doc probes.SyscallsDocument, err error) string {
	if err != nil {
		return err.Error()
	}
	for _, r := range doc.Calls {
		if r.Outcome == probes.CallError {
			return fmt.Sprintf("%s: %s", r.Name, r.Detail)
		}
	}
	return ""
}

// groupSpecs: under SystemCallFilter=~@GROUP each harmless call of the
// group is denied with the unit's errno and nothing else is, or the group
// is one hardenlab-probe needs (run.ProbeNeeds) and the probe fails there.
func groupSpecs(env func() (*sandbox.Sandbox, *systemd.Client)) {
	DescribeTable("denies each call of the one group it names, or the probe cannot run under it", Label("seccomp-groups"),
		func(ctx SpecContext, group string) {
			sb, sd := env()
			v := sandboxVersion(sb)
			f := groupFilter(group, v)
			if f.Members(group) == nil {
				Skip(fmt.Sprintf("systemd %s has no %s", v, group))
			}
			if err := parsedGroup(group); err != nil {
				Fail(fmt.Sprintf("systemd %s defines %s, but hardenlab refuses a unit naming it: %v", v, group, err))
			}
			calls := probedMembers(f, group)
			lines := []string{"SystemCallFilter=~" + group, "SystemCallErrorNumber=EPERM"}
			if why, needed := run.ProbeNeeds()[group]; needed {
				doc, err := tryProbeUnit(ctx, sb, sd, append(calls, outsideCall), lines...)
				how := unprobed(doc, err)
				AddReportEntry(group+" stops the probe", how)
				Expect(how).NotTo(BeEmpty(), "%s is listed as needed by the probe (%s), but the probe answered every call under it: %+v", group, why, doc.Calls)
				return
			}
			Expect(calls).NotTo(BeEmpty(), "%s has no call the probe makes harmlessly", group)
			Expect(f.Members(group)).NotTo(ContainElement(outsideCall))
			calls = append(calls, outsideCall)
			control := syscallsUnit(ctx, sb, sd, strings.Join(calls, ","))
			doc := syscallsUnit(ctx, sb, sd, strings.Join(calls, ","), lines...)
			var enforced, environment []string
			for i, r := range doc.Calls {
				ctl := control.Calls[i]
				denied := r.Name != outsideCall
				Expect(f.Denies(r.Name)).To(Equal(denied), r.Name)
				verdict, why := probes.CallVerdict(ctl, r, denied, "EPERM")
				if !denied {
					Expect(ctl.Outcome).To(Equal(probes.CallAllowed), "control: %s: %s", r.Name, ctl.Detail)
				}
				if ctl.Outcome != probes.CallAllowed {
					// nspawn filters some calls itself (keyring, pkey_*: EPERM)
					// and a kernel without a call answers ENOSYS: the control
					// proves it. The filter still shows where its EPERM is not
					// the control's answer; the verdict says which.
					if denied && ctl.Errno != "EPERM" && r.Outcome == probes.CallBlocked && r.Errno == "EPERM" {
						Expect(verdict).To(Equal(probes.Enforced), "%s: %s", r.Name, why)
						enforced = append(enforced, r.Name)
						continue
					}
					Expect(verdict).To(Equal(probes.Inconclusive), "%s: %s", r.Name, why)
					environment = append(environment, r.Name+" ("+ctl.Detail+")")
					continue
				}
				if !denied {
					Expect(r.Outcome).To(Equal(probes.CallAllowed), "%s outside %s: %s", r.Name, group, r.Detail)
					Expect(verdict).To(Equal(probes.Enforced), "%s: %s", r.Name, why)
					continue
				}
				Expect(r.Outcome).To(Equal(probes.CallBlocked), "%s: %s", r.Name, r.Detail)
				Expect(r.Errno).To(Equal("EPERM"), "%s: %s", r.Name, r.Detail)
				Expect(verdict).To(Equal(probes.Enforced), "%s: %s", r.Name, why)
				enforced = append(enforced, r.Name)
			}
			AddReportEntry(group, fmt.Sprintf("enforced %v; answered by the environment without a filter %v", enforced, environment))
			if len(enforced) == 0 {
				// Every verdict above is inconclusive, none not-enforced; the
				// VM's own kernel judges the group.
				Skip(fmt.Sprintf("this environment answers every call of %s itself (%s): no verdict here", group, strings.Join(environment, "; ")))
			}
		},
		groupEntries(),
	)
}
