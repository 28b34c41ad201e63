package sandbox

import "testing"

func TestOwnerTagRoundTrip(t *testing.T) {
	self := CurrentOwner()
	if self.StartTime == "" || !self.Alive() {
		t.Fatalf("this process %+v does not count as alive", self)
	}
	back, ok := ParseOwnerTag(self.Tag())
	if !ok || back != self {
		t.Fatalf("tag %q parsed as %+v, %v", self.Tag(), back, ok)
	}
	for _, dead := range []OwnerProcess{{PID: 1 << 30, StartTime: "5"}, {PID: self.PID, StartTime: self.StartTime + "0"}, {PID: self.PID}} {
		if dead.Alive() {
			t.Errorf("%+v counts as alive", dead)
		}
	}
	for _, bad := range []string{"", "12", "12.", ".5", "a.5", "12.5x", "-1.5", "0.5", "12.5.6"} {
		if p, ok := ParseOwnerTag(bad); ok {
			t.Errorf("%q parsed as %+v", bad, p)
		}
	}
}
