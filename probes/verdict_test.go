package probes

import (
	"strings"
	"testing"
)

func TestVerdict(t *testing.T) {
	res := func(id string, o Outcome, errno string) Result {
		return Result{ID: id, Outcome: o, Errno: errno, Detail: "d"}
	}
	const r, g, ns = "fs.write-etc", "fs.write-rw-path", "ns.unshare-net" // restricts, grants, an item claim
	tests := []struct {
		name             string
		control, profile Result
		broken           bool
		unclaimed        string
		want             VerdictKind
		explains         string
	}{
		{"enforced", res(r, Allowed, ""), res(r, Blocked, "EROFS"), false, "", Enforced, "EROFS"},
		{"not enforced", res(r, Allowed, ""), res(r, Allowed, ""), false, "", NotEnforced, "allowed under both"},
		{"blocked in control", res(r, Blocked, "EROFS"), res(r, Blocked, "EROFS"), false, "", Inconclusive, "control too"},
		{"blocked in control, allowed in profile", res(r, Blocked, "EPERM"), res(r, Allowed, ""), false, "", Inconclusive, "EPERM"},
		{"service broken wins", res(r, Allowed, ""), res(r, Blocked, "EROFS"), true, "", BrokeService, "failed to start"},
		{"error under profile", res(r, Allowed, ""), res(r, Errored, ""), false, "", VerdictError, "profile"},
		{"error under control", res(r, Errored, ""), res(r, Blocked, ""), false, "", VerdictError, "control"},
		{"skipped", res(r, Skipped, ""), res(r, Skipped, ""), false, "", Inconclusive, "skipped"},
		{"different probes", res(r, Allowed, ""), res(g, Blocked, ""), false, "", VerdictError, "different probes"},
		{"unknown probe", res("fs.nope", Allowed, ""), res("fs.nope", Blocked, ""), false, "", VerdictError, "unknown probe"},
		{"unknown outcome", res(r, Allowed, ""), res(r, "maybe", ""), false, "", VerdictError, "unknown outcome"},
		{"grant holds", res(g, Allowed, ""), res(g, Allowed, ""), false, "", Enforced, "grants"},
		{"grant fails", res(g, Allowed, ""), res(g, Blocked, "EROFS"), false, "", NotEnforced, "grant did not hold"},
		{"unclaimed block", res(ns, Allowed, ""), res(ns, Blocked, "EPERM"), false, "RestrictNamespaces= allows net namespaces", NotEnforced, "allows net namespaces, so it does not forbid this; the EPERM came from elsewhere"},
		{"unclaimed block without errno", res(ns, Allowed, ""), res(ns, Blocked, ""), false, "X= allows it", NotEnforced, "the block came from elsewhere"},
		{"unclaimed, allowed under both", res(ns, Allowed, ""), res(ns, Allowed, ""), false, "X= allows it", NotEnforced, "allowed under both"},
		{"unclaimed, blocked in control", res(ns, Blocked, "EPERM"), res(ns, Blocked, "EPERM"), false, "X= allows it", Inconclusive, "control too"},
		{"signal is named", res(r, Allowed, ""), Result{ID: r, Outcome: Blocked, Signal: "SIGSYS"}, false, "", Enforced, "SIGSYS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := Verdict(Evidence{Control: tt.control, Profile: tt.profile, ServiceBroken: tt.broken, Unclaimed: tt.unclaimed})
			if got != tt.want {
				t.Errorf("Verdict = %s (%s), want %s", got, why, tt.want)
			}
			if !strings.Contains(why, tt.explains) {
				t.Errorf("explanation %q does not mention %q", why, tt.explains)
			}
			if strings.Contains(why, "\n") {
				t.Errorf("explanation is not one line: %q", why)
			}
		})
	}
}

func BenchmarkVerdict(b *testing.B) {
	c := Result{ID: "ns.unshare-net", Outcome: Allowed}
	p := Result{ID: "ns.unshare-net", Outcome: Blocked, Errno: "EPERM"}
	for b.Loop() {
		Verdict(Evidence{Control: c, Profile: p})
	}
}
