package directive

// kernelSpecs are the descriptors of the kernel interfaces the service may
// reach.
func kernelSpecs() []Spec {
	return inArea("kernel",
		boolSpec("ProtectKernelTunables", "read-only /proc/sys, /sys and friends", func(s *Settings) *bool { return &s.ProtectKernelTunables }).since(232),
		boolSpec("ProtectKernelModules", "forbid loading kernel modules", func(s *Settings) *bool { return &s.ProtectKernelModules }).since(232),
		boolSpec("ProtectKernelLogs", "forbid access to the kernel log ring buffer", func(s *Settings) *bool { return &s.ProtectKernelLogs }).since(244),
		boolSpec("ProtectControlGroups", "read-only /sys/fs/cgroup", func(s *Settings) *bool { return &s.ProtectControlGroups }).since(232),
		boolSpec("ProtectClock", "forbid changing the system clock", func(s *Settings) *bool { return &s.ProtectClock }).since(245),
		boolSpec("ProtectHostname", "forbid changing the hostname", func(s *Settings) *bool { return &s.ProtectHostname }).since(242),
	)
}
