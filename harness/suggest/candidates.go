// Package suggest finds the strongest hardening a service still works
// under, with evidence: candidates come from the scorer's checks (what
// each would remove from the exposure, computed before anything runs),
// trials run many candidates at once and bisect a failing batch down to
// the candidates that break the service, and a candidate is kept only if
// the service stays healthy and its probes do not show it doing nothing.
package suggest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score"
)

// DropInName is the file name the suggested drop-in is meant for, inside
// /etc/systemd/system/UNIT.d/.
const DropInName = "50-hardenlab.conf"

// row is one directive suggest may propose: the scorer checks it closes
// (by json_field, a trailing "*" matching a prefix) and its settings,
// strongest first. A later alternative is tried only when the stronger
// one broke the service. A list setting starts with its empty assignment,
// which resets what the unit set, so that the candidate is what it says.
type row struct {
	directive    string
	checks       []string
	alternatives [][]string
}

// rows is the candidate table. Where one directive closes several checks
// (capabilities, syscall groups) it is one candidate: trials and the
// drop-in deal in directives, not in checks.
func rows() []row {
	boolean := func(name, check string) row {
		return row{name, []string{check}, [][]string{{name + "=yes"}}}
	}
	return []row{
		{"DynamicUser", []string{"UserOrDynamicUser"}, [][]string{{"DynamicUser=yes"}}},
		{"ProtectSystem", []string{"ProtectSystem"}, [][]string{{"ProtectSystem=strict"}, {"ProtectSystem=full"}, {"ProtectSystem=yes"}}},
		{"ProtectHome", []string{"ProtectHome"}, [][]string{{"ProtectHome=yes"}, {"ProtectHome=read-only"}}},
		boolean("PrivateTmp", "PrivateTmp"),
		boolean("PrivateDevices", "PrivateDevices"),
		boolean("PrivateMounts", "PrivateMounts"),
		boolean("PrivateNetwork", "PrivateNetwork"),
		boolean("PrivateUsers", "PrivateUsers"),
		boolean("NoNewPrivileges", "NoNewPrivileges"),
		boolean("ProtectControlGroups", "ProtectControlGroups"),
		boolean("ProtectKernelModules", "ProtectKernelModules"),
		boolean("ProtectKernelTunables", "ProtectKernelTunables"),
		boolean("ProtectKernelLogs", "ProtectKernelLogs"),
		boolean("ProtectClock", "ProtectClock"),
		boolean("ProtectHostname", "ProtectHostname"),
		boolean("LockPersonality", "LockPersonality"),
		boolean("MemoryDenyWriteExecute", "MemoryDenyWriteExecute"),
		boolean("RestrictRealtime", "RestrictRealtime"),
		boolean("RestrictSUIDSGID", "RestrictSUIDSGID"),
		boolean("RemoveIPC", "RemoveIPC"),
		// The weakest is a daemon that starts as root, binds a low port,
		// opens its logs and switches its workers to a user of their own
		// (and signals them).
		{"CapabilityBoundingSet", []string{"CapabilityBoundingSet_*"}, [][]string{
			{"CapabilityBoundingSet="},
			{"CapabilityBoundingSet=", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE"},
			{"CapabilityBoundingSet=", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_SETUID CAP_SETGID CAP_CHOWN CAP_DAC_OVERRIDE CAP_KILL"},
		}},
		{"AmbientCapabilities", []string{"AmbientCapabilities"}, [][]string{{"AmbientCapabilities="}}},
		{"SystemCallFilter", []string{"SystemCallFilter_*"}, [][]string{
			{"SystemCallFilter=", "SystemCallFilter=@system-service", "SystemCallFilter=~@privileged @resources"},
			{"SystemCallFilter=", "SystemCallFilter=@system-service"},
			{"SystemCallFilter=", "SystemCallFilter=~@clock @cpu-emulation @debug @module @mount @obsolete @raw-io @reboot @swap"},
		}},
		{"SystemCallArchitectures", []string{"SystemCallArchitectures"}, [][]string{{"SystemCallArchitectures=native"}}},
		{"RestrictAddressFamilies", []string{"RestrictAddressFamilies_*"}, [][]string{
			{"RestrictAddressFamilies=", "RestrictAddressFamilies=AF_INET AF_INET6"},
			{"RestrictAddressFamilies=", "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"},
		}},
		{"RestrictNamespaces", []string{"RestrictNamespaces_*"}, [][]string{{"RestrictNamespaces=yes"}}},
		// Needs adds the addresses the health checks reach the service
		// at, one by one: the whole of localhost would also let the
		// probes' target (127.0.0.2) through, and nothing would show the
		// deny list working.
		{"IPAddressDeny", []string{"IPAddressDeny"}, [][]string{{"IPAddressDeny=any", "IPAddressAllow="}}},
		{"DevicePolicy", []string{"DeviceAllow"}, [][]string{{"DevicePolicy=closed"}}},
		{"UMask", []string{"UMask"}, [][]string{{"UMask=0077"}, {"UMask=0027"}}},
		{"ProtectProc", []string{"ProtectProc"}, [][]string{{"ProtectProc=invisible"}, {"ProtectProc=noaccess"}}},
		{"ProcSubset", []string{"ProcSubset"}, [][]string{{"ProcSubset=pid"}}},
		{"KeyringMode", []string{"KeyringMode"}, [][]string{{"KeyringMode=private"}}},
		{"NotifyAccess", []string{"NotifyAccess"}, [][]string{{"NotifyAccess=main"}}},
		{"Delegate", []string{"Delegate"}, [][]string{{"Delegate=no"}}},
	}
}

// notSuggested are the checks with a fix that suggest does not propose,
// and why: the reason is printed when such a check stays open.
func notSuggested() map[string]string {
	return map[string]string{
		"RootDirectoryOrRootImage": "needs a root directory or image made for the service",
		"SupplementaryGroups":      "a group list is the service's own business; DynamicUser= or User= decide it",
	}
}

// Candidate is one proposal: the assignments of one alternative of a row.
type Candidate struct {
	Directive string   `json:"directive"`
	Lines     []string `json:"lines"`
	// Alternative is the row's index of Lines, 0 the strongest.
	Alternative int `json:"alternative"`
	// Gain is how much the score falls when the candidate is added alone
	// to the base, in hundredths of exposure (badness per weight).
	Gain int `json:"gain_hundredths"`
	// Why explains the lines Needs added (IPAddressAllow=,
	// ReadWritePaths=), one per address or path.
	Why []string `json:"why,omitempty"`
}

// Assignments parses the candidate's lines as lines of the drop-in.
func (c Candidate) Assignments(firstLine int) ([]directive.Assignment, error) {
	out, err := directive.ParseAssignments(c.Lines, DropInName, firstLine)
	if err != nil {
		return nil, fmt.Errorf("candidate %s: %w", c.Directive, err)
	}
	return out, nil
}

// Scorer rescores a base set of assignments with extra lines.
type Scorer struct {
	Base                []directive.Assignment
	DefaultDependencies bool
	Options             score.Options
}

// Score scores the base plus the candidates' lines, in order.
func (s Scorer) Score(cands ...Candidate) (*score.Result, error) {
	assigns := slices.Clone(s.Base)
	for _, c := range cands {
		a, err := c.Assignments(len(assigns) + 1)
		if err != nil {
			return nil, err
		}
		assigns = append(assigns, a...)
	}
	settings, err := directive.Resolve(assigns, s.DefaultDependencies)
	if err != nil {
		return nil, fmt.Errorf("resolving the unit with the candidates: %w", err)
	}
	return score.Score(settings, s.Options)
}

// permyriad is the exposure in ten-thousandths, finer than its tenths, so
// that small gains (ProcSubset=) still order and count.
func permyriad(r *score.Result) int {
	if r.WeightSum == 0 {
		return 0
	}
	return int(r.BadnessSum * 100000 / r.WeightSum)
}

// Candidates are the rows whose alternative pick chooses lowers the score
// of the base plus kept, largest gain first, each with what needs asks of
// it. Rows pick refuses, or whose alternatives are used up, are left out.
func Candidates(s Scorer, needs Needs, kept []Candidate, pick func(directive string) (alt int, ok bool)) ([]Candidate, error) {
	base, err := s.Score(kept...)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, r := range rows() {
		alt, ok := pick(r.directive)
		if !ok || alt >= len(r.alternatives) {
			continue
		}
		c := Candidate{Directive: r.directive, Alternative: alt}
		c.Lines, c.Why = needs.linesWith(r, r.alternatives[alt])
		res, err := s.Score(append(slices.Clone(kept), c)...)
		if err != nil {
			return nil, err
		}
		if c.Gain = (permyriad(base) - permyriad(res)) / 100; permyriad(base) > permyriad(res) {
			c.Gain = max(c.Gain, 1)
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b Candidate) int { return b.Gain - a.Gain })
	return out, nil
}

// OpenReasons says, for each check still open in r that suggest proposes
// nothing for, why.
func OpenReasons(r *score.Result) []string {
	var out []string
	skip := notSuggested()
	for _, c := range r.Checks {
		if why, ok := skip[c.ID]; ok && !c.NA && c.Badness > 0 {
			out = append(out, c.Name+" stays open: "+why)
		}
	}
	return out
}

// rowFor finds the row that closes a check, by json_field.
func rowFor(check string) (row, bool) {
	for _, r := range rows() {
		for _, pat := range r.checks {
			if p, ok := strings.CutSuffix(pat, "*"); ok && strings.HasPrefix(check, p) || pat == check {
				return r, true
			}
		}
	}
	return row{}, false
}
