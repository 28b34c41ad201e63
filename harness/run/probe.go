package run

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/probes"
)

// ProbeBinary is the probe executable's name in the sandbox's BinDir.
const ProbeBinary = "hardenlab-probe"

// listener is the loopback TCP target of the network probes: reachable
// unless IPAddressDeny=/PrivateNetwork= cut the unit off.
type listener struct {
	l    net.Listener
	done chan struct{}
}

func newListener() (*listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("opening the probes' loopback target: %w", err)
	}
	t := &listener{l: l, done: make(chan struct{})}
	go func() {
		defer close(t.done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return t, nil
}

func (t *listener) addr() string { return t.l.Addr().String() }

func (t *listener) close() {
	t.l.Close()
	<-t.done
}

// probeRun is what the probe unit produced.
type probeRun struct {
	scope   string // "all" or "declared", as in report.Record.ProbeScope
	doc     probes.Document
	posture []probes.Difference // vs the service's main process
	err     error
}

// runProbes starts the probe binary as a oneshot sibling of the service
// with the profile's own properties, joined to the service's namespaces,
// and reads its document from a file systemd opened before the sandbox
// applied — so collecting results never weakens the profile. Unless all
// is set it runs only the probes of the profile's declared directives and
// no preflight: every other probe's answer is already in the control's
// record, and each probe is a process of its own.
func (r *Runner) runProbes(ctx context.Context, p Profile, service string, mainPID uint32, all bool) probeRun {
	out := probeRun{scope: "all"}
	name := r.UnitName(p.Name, "-probe")
	unitOut, hostOut := r.outFile(name + ".json")
	defer os.Remove(hostOut)
	argv := []string{filepath.Join(r.sb.BinDir, ProbeBinary), "run", "--tcp-target", r.target.addr()}
	if !all {
		out.scope = "declared"
		ids := declaredProbes(p.Settings)
		if len(ids) == 0 {
			return out
		}
		argv = append(argv, "--skip-preflight", "--only", strings.Join(ids, ","))
	}
	s := p.Settings
	if v := firstPath(s.ReadOnlyPaths); v != "" {
		argv = append(argv, "--ro-path", v)
	}
	if v := firstPath(s.ReadWritePaths); v != "" {
		argv = append(argv, "--rw-path", v)
	}
	if v := firstPath(s.InaccessiblePaths); v != "" {
		argv = append(argv, "--hidden-path", v)
	}
	var props []sdbus.Property
	for _, prop := range s.Properties() {
		switch prop.Name {
		case "ExecStart", "ExecStop", "Type", "Description", "RemainAfterExit":
			continue
		}
		props = append(props, prop)
	}
	props = append(props,
		sdbus.PropDescription("hardenlab probes for "+service),
		sdbus.PropType("oneshot"),
		sdbus.PropExecStart(argv, false),
		sdbus.Property{Name: "StandardOutputFile", Value: dbusVariant(unitOut)},
		sdbus.Property{Name: "StandardError", Value: dbusVariant("journal")},
		sdbus.Property{Name: "JoinsNamespaceOf", Value: dbusVariant([]string{service})},
		sdbus.PropAfter(service),
	)
	// The probe binary is bound read-only into the unit: nothing in the
	// sandbox can alter it, and it stays reachable when the profile hides
	// /run or swaps the root. The probes check nothing under it.
	props = append(props, sdbus.Property{Name: "BindReadOnlyPaths", Value: dbusVariant([]bindPath{{Source: r.sb.BinDir, Destination: r.sb.BinDir, Recursive: 16384}})})
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = r.sd.Stop(sctx, name)
	}()
	startErr := r.sd.StartTransient(ctx, name, props)
	data, err := os.ReadFile(hostOut)
	if err != nil || len(data) == 0 {
		st, _ := r.sd.State(context.WithoutCancel(ctx), name)
		out.err = fmt.Errorf("the probe unit produced no document (start: %v; state %s, result %s, status %d): %s",
			startErr, st.ActiveState, st.Result, st.ExecMainStatus, strings.Join(r.journalTail(name, 5), " | "))
		return out
	}
	if err := json.Unmarshal(data, &out.doc); err != nil {
		out.err = fmt.Errorf("parsing the probe document: %w", err)
		return out
	}
	if mainPID != 0 {
		if sp, err := probes.ReadPosture(r.sb.ProcPath(mainPID)); err == nil {
			out.posture = probes.Diff(out.doc.Posture, sp)
		}
	}
	return out
}

// declaredProbes are the ids of the probes that evidence a directive the
// settings declare, in the registry's order.
func declaredProbes(s *directive.Settings) []string {
	var ids []string
	for _, p := range probes.Registry() {
		for _, d := range p.Directives {
			if s.Set(d) {
				ids = append(ids, p.ID)
				break
			}
		}
	}
	return ids
}

// bindPath is the a(ssbt) element of BindReadOnlyPaths.
type bindPath struct {
	Source        string
	Destination   string
	IgnoreMissing bool
	Recursive     uint64
}

func firstPath(paths []string) string {
	for _, p := range paths {
		p = strings.TrimLeft(p, "-+")
		if p != "" {
			return p
		}
	}
	return ""
}

// verdicts joins the profile's probe results with the control's, keeping
// the probes that evidence a directive the profile declares.
func verdicts(p Profile, control, profile []probes.Result, broken bool) []report.ProbeResult {
	ctl := map[string]probes.Result{}
	for _, c := range control {
		ctl[c.ID] = c
	}
	out := []report.ProbeResult{}
	for _, res := range profile {
		pr, ok := probes.Find(res.ID)
		if !ok {
			continue
		}
		var declared []string
		for _, d := range pr.Directives {
			if p.Settings.Set(d) {
				declared = append(declared, d)
			}
		}
		if len(declared) == 0 {
			continue
		}
		c, ok := ctl[res.ID]
		var v probes.VerdictKind
		var why string
		if !ok {
			v, why = probes.VerdictError, "no control result for this probe"
		} else {
			v, why = probes.Verdict(c, res, broken)
		}
		if ns, ok := strings.CutPrefix(res.ID, "ns.unshare-"); ok && v == probes.Enforced && namespaceAllowed(p.Settings, ns) {
			// The profile's RestrictNamespaces= lets this type through, so
			// it cannot be what blocked it: credit it to nothing.
			v = probes.NotEnforced
			why = fmt.Sprintf("RestrictNamespaces= allows %s namespaces (an allow-list), so it does not forbid this; "+
				"the %s came from elsewhere (e.g. a capability the bounding set dropped)", ns, how(res))
		}
		detail := why
		if res.Detail != "" && !strings.Contains(why, res.Detail) {
			detail += "; " + res.Detail
		}
		out = append(out, report.ProbeResult{
			ID: res.ID, Directives: declared, Verdict: string(v),
			Outcome: string(res.Outcome), Control: string(c.Outcome),
			Errno: res.Errno, Signal: res.Signal, Detail: detail,
		})
	}
	return out
}

func how(r probes.Result) string {
	switch {
	case r.Signal != "":
		return r.Signal
	case r.Errno != "":
		return r.Errno
	}
	return "block"
}

func namespaceAllowed(s *directive.Settings, ns string) bool {
	for _, n := range directive.AllowedNamespaces(s) {
		if n == ns {
			return true
		}
	}
	return false
}

// controlProfile is the demo with no hardening at all: what the
// environment allows by itself.
func controlProfile() (Profile, error) {
	src := directive.Source{File: "(control)"}
	a, err := directive.ParseAssignment("ExecStart="+defaultPython+" -m http.server", src)
	if err != nil {
		return Profile{}, err
	}
	s, err := directive.Resolve([]directive.Assignment{a}, true)
	if err != nil {
		return Profile{}, errors.New("building the control profile: " + err.Error())
	}
	return Profile{Name: "control", Assignments: []directive.Assignment{a}, Settings: s}, nil
}
