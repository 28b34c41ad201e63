package run

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	sdbus "github.com/coreos/go-systemd/v22/dbus"
	"net"
	"os"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/probes"
)

// ProbeBinary is the probe executable's name in the sandbox's BinDir.
const ProbeBinary = "hardenlab-probe"

// listener is the loopback TCP target of the network probes: reachable
// unless IPAddressDeny=/PrivateNetwork= cut the unit off. It listens on
// 127.0.0.2, not on the 127.0.0.1 the demo's health check uses, so that
// IPAddressDeny=any with IPAddressAllow=127.0.0.1 (a service kept
// reachable for its health check) is still shown to block the rest.
type listener struct {
	l    net.Listener
	done chan struct{}
}

func newListener() (*listener, error) {
	l, err := net.Listen("tcp", "127.0.0.2:0")
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

// probeRun is what the probe unit produced, and how its posture compared
// with the service's.
type probeRun struct {
	doc probes.Document
	// calls are the "syscalls" document's answers, when calls were asked.
	calls []probes.CallResult
	err   error
	// posture compares the probe's posture with the service's main
	// process (execute does, once the service is up); compared says
	// whether that comparison ran, and postureErr why it could not.
	posture    []probes.Difference
	compared   bool
	postureErr error
}

// runProbes carries out a probe plan beside the running service and reads
// the probe's document back.
func (r *Runner) runProbes(ctx context.Context, pp probePlan) probeRun {
	var out probeRun
	if pp.props == nil {
		return out
	}
	data, startErr := r.runSibling(ctx, pp.unit, pp.props, pp.hostOut)
	if len(data) == 0 {
		st, _ := r.sd.State(context.WithoutCancel(ctx), pp.unit)
		out.err = fmt.Errorf("the probe unit produced no document (start: %v; state %s, result %s, status %d): %s",
			startErr, st.ActiveState, st.Result, st.ExecMainStatus, strings.Join(r.journalTail(pp.unit, 5), " | "))
		return out
	}
	out.doc, out.calls, out.err = parseProbeOutput(data, pp.argv != nil, pp.callArgv != nil)
	return out
}

// runSibling starts a oneshot unit beside the service (the probe or the
// inside check), reads what it wrote to hostOut and removes both; an
// empty answer means it wrote nothing, and startErr may say why.
func (r *Runner) runSibling(ctx context.Context, unit string, props []sdbus.Property, hostOut string) (data []byte, startErr error) {
	defer os.Remove(hostOut)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = r.sd.Stop(sctx, unit)
	}()
	startErr = r.sd.StartTransient(ctx, unit, props)
	data, _ = os.ReadFile(hostOut)
	return data, startErr
}

// parseProbeOutput reads the probe unit's documents: the "run" document
// and then the "syscalls" one, each when its command was run.
func parseProbeOutput(data []byte, run, calls bool) (probes.Document, []probes.CallResult, error) {
	var doc probes.Document
	var sc probes.SyscallsDocument
	dec := json.NewDecoder(bytes.NewReader(data))
	if run {
		if err := dec.Decode(&doc); err != nil {
			return doc, nil, fmt.Errorf("parsing the probe document: %w", err)
		}
	}
	if calls {
		if err := dec.Decode(&sc); err != nil {
			return doc, nil, fmt.Errorf("parsing the probe's system call document: %w", err)
		}
		if !run {
			// The same process's posture, read by the other command.
			doc.Posture = sc.Posture
		}
	}
	return doc, sc.Calls, nil
}

// comparePosture reads the service's main process's posture from its
// /proc directory and compares the probe's with it.
func comparePosture(probe probes.Posture, serviceProc string) ([]probes.Difference, bool, error) {
	sp, err := probes.ReadPosture(serviceProc)
	if err != nil {
		return nil, false, fmt.Errorf("reading the service's sandbox to compare the probe's with it: %w", err)
	}
	return probes.Diff(probe, sp), true, nil
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
