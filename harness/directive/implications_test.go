package directive

import (
	"slices"
	"testing"

	"github.com/hardenlab/hardenlab/probes/linux"
)

func effective(t *testing.T, lines ...string) *Settings {
	t.Helper()
	s, err := Resolve(assignments(lines...), true)
	if err != nil {
		t.Fatal(err)
	}
	return s.Effective()
}

// TestEffectiveCapabilityDrops: each option takes exactly its own
// capabilities out of the bounding set, and nothing else.
func TestEffectiveCapabilityDrops(t *testing.T) {
	for option, caps := range map[string][]linux.Capability{
		"PrivateDevices=yes":        {linux.CapMknod, linux.CapSysRawio},
		"ProtectKernelModules=yes":  {linux.CapSysModule},
		"ProtectKernelLogs=yes":     {linux.CapSyslog},
		"ProtectClock=yes":          {linux.CapSysTime, linux.CapWakeAlarm},
		"ProtectKernelTunables=yes": nil,
	} {
		e := effective(t, option)
		if want := ^linux.CapabilityMask(caps...); e.CapabilityBoundingSet != want {
			t.Errorf("%s: bounding set %#x, want %#x", option, e.CapabilityBoundingSet, want)
		}
	}
}

func deviceList(s *Settings) []string {
	var out []string
	for _, d := range s.DeviceAllow {
		out = append(out, d.Path+":"+d.Perms)
	}
	return out
}

// TestEffectiveDevices: PID 1 adds its own devices only to a device list
// in force, after the unit's rules, image devices before the clock.
func TestEffectiveDevices(t *testing.T) {
	for _, c := range []struct {
		lines  []string
		policy string
		want   []string
	}{
		{[]string{"ProtectClock=yes"}, "auto", nil},
		{[]string{"ProtectClock=yes", "DeviceAllow=/dev/null rw"}, "auto", []string{"/dev/null:rw", "char-rtc:r"}},
		{[]string{"PrivateDevices=yes", "ProtectClock=yes"}, "closed", []string{"char-rtc:r"}},
		{[]string{"DevicePolicy=strict", "RootImage=/img.raw", "ProtectClock=yes"}, "strict", []string{"/dev/loop-control:rw",
			"/dev/mapper/control:rw", "block-loop:rwm", "block-blkext:rwm", "block-device-mapper:rwm", "char-rtc:r"}},
		{[]string{"RootImage=/img.raw"}, "auto", nil},
		{[]string{"PrivateDevices=yes", "DevicePolicy=strict"}, "strict", nil},
	} {
		e := effective(t, c.lines...)
		if e.DevicePolicy != c.policy || !slices.Equal(deviceList(e), c.want) {
			t.Errorf("%q: policy %s, devices %q; want %s, %q", c.lines, e.DevicePolicy, deviceList(e), c.policy, c.want)
		}
	}
	// The copy must not write into the receiver's array, even when it has room.
	s := &Settings{DevicePolicy: "closed", ProtectClock: true, DeviceAllow: make([]DeviceRule, 1, 4)}
	s.DeviceAllow[0] = DeviceRule{"/dev/null", "rw"}
	s.Effective()
	if len(s.DeviceAllow) != 1 || s.DeviceAllow[:2][1] != (DeviceRule{}) {
		t.Errorf("Effective wrote into the receiver's device list: %v", s.DeviceAllow[:2])
	}
}

func TestEffectiveNotifyAccess(t *testing.T) {
	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"Type=notify"}, "main"},
		{[]string{"Type=simple"}, "none"},
		{[]string{"Type=notify", "NotifyAccess=all"}, "all"},
		{[]string{"Type=exec", "NotifyAccess=exec"}, "exec"},
	} {
		if got := effective(t, c.lines...).NotifyAccess; got != c.want {
			t.Errorf("%q: NotifyAccess %s, want %s", c.lines, got, c.want)
		}
	}
}
