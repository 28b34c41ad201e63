package directive

// devicesSpecs are the descriptors of the device nodes the service may open.
func devicesSpecs() []Spec {
	return inArea("devices",
		enumSpec("DevicePolicy", "device access policy: auto, closed (only pseudo devices) or strict", []string{"auto", "closed", "strict"}, "auto", false,
			func(s *Settings) *string { return &s.DevicePolicy }).
			unprobed("not probed yet: dev.private-dev evidences PrivateDevices=; a device-policy probe needs a device node outside the policy that is harmless to open on every host"),
		deviceAllowSpec().
			unprobed("not probed yet: as for DevicePolicy=, a probe needs a device node outside the list that is harmless to open on every host"),
	)
}
