package directive

// namespacesSpecs are the descriptors of the private namespaces PID 1 sets
// up and the ones the service may create.
func namespacesSpecs() []Spec {
	return inArea("namespaces",
		boolSpec("PrivateTmp", "private /tmp and /var/tmp", func(s *Settings) *bool { return &s.PrivateTmp }).since(227),
		boolSpec("PrivateDevices", "minimal private /dev without physical devices", func(s *Settings) *bool { return &s.PrivateDevices }).since(227),
		boolSpec("PrivateNetwork", "private network namespace with only loopback", func(s *Settings) *bool { return &s.PrivateNetwork }).since(227),
		boolSpec("PrivateUsers", "private user namespace mapping only root and the service user", func(s *Settings) *bool { return &s.PrivateUsers }).since(232),
		privateMountsSpec().
			unprobed("it stops mounts propagating between the service and the host; seeing that takes mounting something on one side and looking from the other, which changes mounts"),
		flagSpec("PrivateIPC", "private IPC namespace: no SysV IPC objects or POSIX message queues shared with the host").since(248),
		restrictNamespacesSpec().since(233),
	)
}
