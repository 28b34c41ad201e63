package directive

import (
	"slices"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// impliedCapabilityDrops is what each sandboxing option takes out of the
// bounding set when PID 1 loads the unit.
func impliedCapabilityDrops(s *Settings) uint64 {
	drops := [...]struct {
		on   bool
		caps uint64
	}{
		{s.PrivateDevices, linux.CapabilityMask(linux.CapMknod, linux.CapSysRawio)},
		{s.ProtectKernelModules, linux.CapSysModule.Mask()},
		{s.ProtectKernelLogs, linux.CapSyslog.Mask()},
		{s.ProtectClock, linux.CapabilityMask(linux.CapSysTime, linux.CapWakeAlarm)},
	}
	var mask uint64
	for _, d := range drops {
		if d.on {
			mask |= d.caps
		}
	}
	return mask
}

// applyDynamicUser turns on the sandbox DynamicUser= forces, whatever the
// unit says about these options.
func applyDynamicUser(e *Settings) {
	e.PrivateTmp = true
	e.RemoveIPC = true
	e.ProtectSystem = "strict"
	if e.ProtectHome == "" || e.ProtectHome == "no" {
		e.ProtectHome = "read-only"
	}
	e.NoNewPrivileges = true
	e.RestrictSUIDSGID = true
}

// applyDeviceImplications closes the device policy PrivateDevices= leaves
// open and, once a device list is in force, adds the devices PID 1 allows
// on its own: the image devices for RootImage=, then the clock for
// ProtectClock=, in that order.
func applyDeviceImplications(e *Settings) {
	if e.PrivateDevices && (e.DevicePolicy == "" || e.DevicePolicy == "auto") {
		e.DevicePolicy = "closed"
	}
	if (e.DevicePolicy == "" || e.DevicePolicy == "auto") && len(e.DeviceAllow) == 0 {
		return
	}
	// A fresh slice: the copy must not write into the receiver's array.
	e.DeviceAllow = slices.Clone(e.DeviceAllow)
	if e.RootImage != "" {
		e.DeviceAllow = append(e.DeviceAllow,
			DeviceRule{"/dev/loop-control", "rw"}, DeviceRule{"/dev/mapper/control", "rw"},
			DeviceRule{"block-loop", "rwm"}, DeviceRule{"block-blkext", "rwm"}, DeviceRule{"block-device-mapper", "rwm"})
	}
	if e.ProtectClock {
		e.DeviceAllow = append(e.DeviceAllow, DeviceRule{"char-rtc", "r"})
	}
}

// defaultNotifyAccess is the NotifyAccess= a service gets when the unit
// names none: "main" for the types that report readiness over sd_notify.
func defaultNotifyAccess(s *Settings) string {
	if s.Type == "notify" || s.Type == "notify-reload" {
		return "main"
	}
	return "none"
}
