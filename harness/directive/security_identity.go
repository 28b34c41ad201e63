package directive

// identitySpecs are the descriptors of the identity the service runs as.
func identitySpecs() []Spec {
	return inArea("identity",
		userSpec("User", "user the processes run as", "nobody", func(s *Settings) *string { return &s.User }),
		userSpec("Group", "group the processes run as", "nogroup", func(s *Settings) *string { return &s.Group }),
		boolSpec("DynamicUser", "allocate a transient user and group for the service", func(s *Settings) *bool { return &s.DynamicUser }).since(232),
		supplementaryGroupsSpec().
			unprobed("extra groups only widen permission checks on objects those groups own; showing one takes a file owned by such a group outside the probe's scratch space, which a harmless probe may not create"),
		umaskSpec().since(235),
	)
}
