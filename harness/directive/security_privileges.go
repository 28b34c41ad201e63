package directive

// privilegesSpecs are the descriptors of what the processes may gain or
// change about themselves.
func privilegesSpecs() []Spec {
	return inArea("privileges",
		boolSpec("NoNewPrivileges", "forbid gaining privileges through execve (setuid, file capabilities)", func(s *Settings) *bool { return &s.NoNewPrivileges }).since(227),
		capabilitySpec("CapabilityBoundingSet", "capabilities the service may ever hold", "CAP_NET_BIND_SERVICE CAP_DAC_READ_SEARCH", ^uint64(0), func(s *Settings) *uint64 { return &s.CapabilityBoundingSet }).since(235),
		capabilitySpec("AmbientCapabilities", "capabilities passed to an unprivileged service", "CAP_NET_BIND_SERVICE", 0, func(s *Settings) *uint64 { return &s.AmbientCapabilities }).since(235),
		boolSpec("RestrictSUIDSGID", "forbid creating setuid/setgid files", func(s *Settings) *bool { return &s.RestrictSUIDSGID }).since(242),
		boolSpec("RestrictRealtime", "forbid realtime scheduling", func(s *Settings) *bool { return &s.RestrictRealtime }).since(231),
		boolSpec("MemoryDenyWriteExecute", "forbid writable and executable memory", func(s *Settings) *bool { return &s.MemoryDenyWriteExecute }).since(231),
		boolSpec("LockPersonality", "forbid changing the execution domain (personality)", func(s *Settings) *bool { return &s.LockPersonality }).since(235),
	)
}
