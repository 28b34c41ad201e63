package directive

import (
	"errors"
	"strings"
	"testing"
)

// TestEmptyBoolean: what an empty boolean means, as systemd-analyze verify
// and security --offline=true of 252 and 257 showed. Only PrivateMounts=
// takes "" (257's tristate reset; 252 ignores it), and hardenlab accepts it
// only where both versions end in the same state.
func TestEmptyBoolean(t *testing.T) {
	tests := []struct {
		name    string
		lines   []string
		errLine int    // 0: accepted
		errText string // part of the reason
		mounts  bool   // PrivateMounts after Resolve
		set     bool   // Set("PrivateMounts")
	}{
		{"PrivateMounts= alone is never set", []string{"PrivateMounts="}, 0, "", false, false},
		{"twice", []string{"PrivateMounts=", "PrivateMounts="}, 0, "", false, false},
		{"value after it", []string{"PrivateMounts=", "PrivateMounts=yes"}, 0, "", true, true},
		{"overridden reset", []string{"PrivateMounts=yes", "PrivateMounts=", "PrivateMounts=no"}, 0, "", false, true},
		{"reset of yes: 252 keeps yes, 257 unsets", []string{"PrivateMounts=yes", "PrivateMounts="}, 2, "252 ignores the empty line and keeps yes, 257 resets", false, false},
		{"reset of no: 257's unset scores as yes offline", []string{"PrivateMounts=no", "PrivateMounts="}, 2, "PrivateMounts=no (t.service:1)", false, false},
		{"PrivateMounts=bogus", []string{"PrivateMounts=bogus"}, 1, "not a boolean", false, false},
		{"PrivateTmp=", []string{"PrivateTmp=yes", "PrivateTmp="}, 2, "do not reset a boolean", false, false},
		{"ProtectHostname=", []string{"ProtectHostname="}, 1, "do not reset a boolean", false, false},
		{"NoNewPrivileges=", []string{"NoNewPrivileges="}, 1, "do not reset a boolean", false, false},
		{"DynamicUser= is fatal", []string{"DynamicUser="}, 1, "refuse the whole unit", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			as := assignments(tc.lines...)
			s, err := Resolve(as, true)
			if tc.errLine == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if s.PrivateMounts != tc.mounts || s.Set("PrivateMounts") != tc.set {
					t.Errorf("PrivateMounts=%v set=%v, want %v set=%v", s.PrivateMounts, s.Set("PrivateMounts"), tc.mounts, tc.set)
				}
				sent := false
				for _, p := range s.Properties() {
					sent = sent || p.Name == "PrivateMounts"
				}
				if sent != tc.set {
					t.Errorf("PrivateMounts property sent: %v, want %v", sent, tc.set)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *Error", err)
			}
			a := as[tc.errLine-1]
			if de.Source != a.Source || de.Directive != a.Name || !strings.Contains(de.Reason, tc.errText) {
				t.Errorf("got %v, want %s: %s=...%s", err, a.Source, a.Name, tc.errText)
			}
		})
	}
}
