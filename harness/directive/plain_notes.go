package directive

import (
	"fmt"
	"strings"
)

// passedOver is a key hardenlab accepts but does not send: why, and
// whether leaving it out changes the service's execution environment.
type passedOver struct {
	reason    string
	blocksRun bool
}

// Reasons shared by several keys.
const (
	reasonDependency = "not sent: a dependency on other units; the transient test unit must not pull in, or order itself against, the machine's real units"
	reasonCondition  = "not sent: hardenlab decides what runs; a condition or assertion would only make systemd skip the test unit"
	reasonEmergency  = "not sent: an emergency action on a test unit could reboot or power off the machine under test"
	reasonLifecycle  = "not sent: how systemd manages the unit's jobs and lifetime, which hardenlab controls for its test unit; it does not change the sandbox"
)

// servicePassedOver are the [Service] keys of 252 and 257 that are neither
// a security directive nor a plain row.
var servicePassedOver = map[string]passedOver{
	"Sockets":            {"not sent: hardenlab starts the service alone, without its socket units (no socket activation)", false},
	"FailureAction":      {reasonEmergency, false},
	"StartLimitAction":   {reasonEmergency, false},
	"RebootArgument":     {reasonEmergency, false},
	"StartLimitBurst":    {"not sent: hardenlab starts each test unit once, so a start rate limit has nothing to limit", false},
	"StartLimitInterval": {"not sent: hardenlab starts each test unit once, so a start rate limit has nothing to limit", false},
	"TimeoutCleanSec":    {"not sent: only `systemctl clean` uses it, which hardenlab never runs", false},
	"LogFilterPatterns":  {"not sent: it only filters what reaches the journal; it does not change the sandbox", false},
}

// legacyAliases are old spellings systemd still reads as the security
// directive named (config_parse_namespace_path_strv fills the same list).
var legacyAliases = map[string]string{
	"ReadWriteDirectories": "ReadWritePaths", "ReadOnlyDirectories": "ReadOnlyPaths", "InaccessibleDirectories": "InaccessiblePaths",
}

// Canonical is the directive a key sets: the security directive a legacy
// spelling stands for (ReadWriteDirectories= is ReadWritePaths=), else
// the key itself.
func Canonical(key string) string {
	if target, ok := legacyAliases[key]; ok {
		return target
	}
	return key
}

// unitKeyNote explains a [Unit] key hardenlab does not send.
func unitKeyNote(name string) passedOver {
	switch {
	case name == "JoinsNamespaceOf":
		return passedOver{"cannot be sent: it would join another unit's namespaces, which hardenlab cannot reproduce for its test unit", true}
	case strings.HasPrefix(name, "Condition") || strings.HasPrefix(name, "Assert"):
		return passedOver{reasonCondition, false}
	case isDependencyKey(name):
		return passedOver{reasonDependency, false}
	case strings.HasSuffix(name, "Action") || strings.HasSuffix(name, "ActionExitStatus") || strings.HasSuffix(name, "RebootArgument"):
		return passedOver{reasonEmergency, false}
	case name == "Documentation" || name == "SourcePath":
		return passedOver{"not sent: documentation only", false}
	}
	return passedOver{reasonLifecycle, false}
}

// dependencyKeys are the [Unit] keys that name other units or mounts.
const dependencyKeys = "Requires Requisite Wants BindsTo BindTo Upholds Conflicts Before After OnSuccess OnFailure " +
	"PropagatesReloadTo PropagateReloadTo ReloadPropagatedFrom PropagateReloadFrom PropagatesStopTo StopPropagatedFrom " +
	"PartOf RequiresOverridable RequisiteOverridable RequiresMountsFor WantsMountsFor"

func isDependencyKey(name string) bool {
	for k := range strings.FieldsSeq(dependencyKeys) { // no slice per [Unit] key
		if k == name {
			return true
		}
	}
	return false
}

// serviceKeyNote says what happens to a [Service] key that is not a
// directive of either table; ok is false for keys no release knows.
func serviceKeyNote(name string) (passedOver, bool) {
	if p, ok := servicePassedOver[name]; ok {
		return p, true
	}
	return passedOver{}, false
}

// noteOf turns a passed-over key into the Note of its assignment.
func noteOf(a Assignment, p passedOver) Note {
	return Note{Source: a.Source, Directive: a.Name, Reason: p.reason, BlocksRun: p.blocksRun}
}

// Notes lists the assignments Resolve accepted but does not send, with
// the reason.
func (s *Settings) Notes() []Note {
	if s == nil {
		return nil
	}
	return append([]Note(nil), s.notes...)
}

// RunRefusals are the notes that make a run refuse the unit: keys that
// would change the sandbox but cannot be sent.
func RunRefusals(notes []Note) []error {
	var out []error
	for _, n := range notes {
		if n.BlocksRun {
			out = append(out, fmt.Errorf("%s: %s=: refused for a run: %s", n.Source, n.Directive, n.Reason))
		}
	}
	return out
}
