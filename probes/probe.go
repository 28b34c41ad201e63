package probes

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// Outcome is what happened to one attempted action inside the sandbox.
type Outcome string

const (
	Allowed Outcome = "allowed" // the sandbox let the action through
	Blocked Outcome = "blocked" // the sandbox stopped it (errno, hidden path, SIGSYS)
	Errored Outcome = "error"   // the probe itself could not tell
	Skipped Outcome = "skipped" // a precondition is missing (flag, architecture)
)

// Result is one probe's outcome, as printed in the document's "results".
type Result struct {
	ID      string  `json:"id"`
	Outcome Outcome `json:"outcome"`
	Errno   string  `json:"errno"`  // e.g. "EROFS"; empty when none
	Signal  string  `json:"signal"` // e.g. "SIGSYS"; empty when none
	Detail  string  `json:"detail"` // one line
}

// Polarity says which outcome the directive is supposed to produce.
type Polarity int

const (
	// Restricts: the directive should turn an allowed action into a blocked
	// one (almost every directive).
	Restricts Polarity = iota
	// Grants: the directive should keep an action allowed that the rest of
	// the profile would block (ReadWritePaths= under ProtectSystem=strict,
	// AmbientCapabilities= for a non-root User=).
	Grants
)

// Need is a precondition a probe has beyond the sandbox itself.
type Need int

const (
	NeedNothing Need = iota
	NeedTCPTarget
	NeedReadOnlyPath
	NeedReadWritePath
	NeedHiddenPath
)

// Options are the knobs of one run; the child receives the same ones.
type Options struct {
	Only                 []string      // probe ids; empty = all
	TCPTarget            string        // host:port of a loopback listener
	ReadOnlyPath         string        // a path the profile lists in ReadOnlyPaths=
	ReadWritePath        string        // a path the profile lists in ReadWritePaths=
	HiddenPath           string        // a path the profile lists in InaccessiblePaths=
	SkipDestructiveCheck bool          // skip the before/after host snapshot
	SkipPreflight        bool          // leave Environment empty (the harness has it from the control run)
	Scratch              string        // the run's private scratch dir ("" = none writable)
	Timeout              time.Duration // per probe; 0 = DefaultTimeout
	Self                 string        // executable to re-exec; "" = /proc/self/exe
	Parallel             int           // children at a time; 0 = one
	IsolateAll           bool          // run InProcess probes in children too (debugging, the old behaviour)
}

// DefaultTimeout bounds one probe, child or not; a probe that hangs is an error.
const DefaultTimeout = 5 * time.Second

// Probe is one row of the registry.
type Probe struct {
	ID       string  // stable "area.action"
	Claims   []Claim // what it evidences: the one table linking directives to probes
	Attempts string  // what it tries, in one sentence
	Decides  string  // how the outcome is decided, in one sentence
	Control  Outcome // expected outcome with no hardening, running as root
	Polarity Polarity
	Needs    Need
	// Bypasses, set only on the "bypass." rows, names the directives whose
	// claim the action goes around (code made executable through a file
	// mapping under MemoryDenyWriteExecute=): allowed is a finding, "a
	// compromised service could still do this", never a verdict, so those
	// rows make no Claims.
	Bypasses []string
	// Unshare, when non-zero, makes the runner start the child inside new
	// namespaces (Go's fork does the unshare() in the single-threaded child
	// before exec, where it is legal); the child's start error is the answer.
	Unshare linux.Namespace
	// InProcess lets "run" call check itself instead of re-executing the
	// binary, which saves one exec of the static binary (~12-15 ms CPU)
	// per probe. The child exists to absorb a SIGSYS kill and to contain
	// process-wide changes; a probe needs neither when
	//   - it only reads state: stat, access(W_OK), getdents, open for
	//     reading or open O_WRONLY/O_RDWR with nothing written, and reads
	//     of /proc files; no file is created, chowned or chmodded;
	//   - its system calls are ones the parent makes anyway before any
	//     probe (openat, newfstatat, read, close; and prctl, which the Go
	//     runtime calls at start with PR_SET_VMA to name its mappings, as
	//     every child's fork does for Pdeathsig before exec), or sit with
	//     them in systemd's @file-system and @default groups (faccessat,
	//     getdents64, geteuid), so no group-based SystemCallFilter= can
	//     kill the probe and spare the parent; a filter naming one of
	//     those calls alone would kill the whole run, loudly (no document)
	//     rather than with a wrong result, and --isolate-all gets around
	//     it;
	//   - it changes no process-wide state: no prctl set, personality,
	//     setuid, umask, unshare, socket, signal, scheduling policy or
	//     locked thread, since the next probes would inherit it.
	// The unit tests keep a deny-list of probes that must never get it.
	InProcess bool
	// check runs in the child process, or in "run" itself when InProcess.
	check func(ctx context.Context, o Options) Result
}

// Area is the part of the id before the dot.
func (p Probe) Area() string {
	area, _, _ := strings.Cut(p.ID, ".")
	return area
}

// Find returns the registry row with this id.
func Find(id string) (Probe, bool) {
	for _, p := range Registry() {
		if p.ID == id {
			return p, true
		}
	}
	return Probe{}, false
}

// Claim is one directive a probe evidences and, for a directive whose
// value names the things it blocks (namespace types, system call groups,
// address families, capabilities), the one such Item the probe attempts,
// spelt as the directive's value spells it ("net" for
// RestrictNamespaces=). A probe judges a directive only for what the
// directive, as declared, claims to block: the harness asks the resolved
// value about Item. An empty Item claims the directive as a whole.
type Claim struct {
	Directive string // unit-file name
	Item      string
}

// claims are whole-directive claims, one per name.
func claims(directives ...string) []Claim {
	out := make([]Claim, len(directives))
	for i, d := range directives {
		out[i] = Claim{Directive: d}
	}
	return out
}

// claimItem is the claim of one item of a directive's list.
func claimItem(directive, item string) []Claim {
	return []Claim{{Directive: directive, Item: item}}
}

// namespaceClaim is the claim of a probe that unshares one namespace type:
// RestrictNamespaces= judged for that type, by systemd's name for it.
func namespaceClaim(ns linux.Namespace) []Claim {
	return claimItem("RestrictNamespaces", ns.String())
}

// Directives are the unit-file names of the directives the probe
// evidences, each once, in the order of its claims.
func (p Probe) Directives() []string {
	var out []string
	for _, c := range p.Claims {
		if !slices.Contains(out, c.Directive) {
			out = append(out, c.Directive)
		}
	}
	return out
}

func (o Options) parallel() int {
	if o.Parallel > 0 {
		return o.Parallel
	}
	return 1
}
