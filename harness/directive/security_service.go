package directive

// serviceSharingSpecs are the descriptors of what the service shares with
// PID 1 and other services.
func serviceSharingSpecs() []Spec {
	return inArea("service",
		enumSpec("NotifyAccess", "which processes may send sd_notify messages", []string{"none", "main", "exec", "all"}, "none", false,
			func(s *Settings) *string { return &s.NotifyAccess }).
			unprobed("it decides whose sd_notify messages PID 1 accepts; showing that takes sending READY=1 or STATUS= and changing the unit's state, which is not harmless"),
		enumSpec("KeyringMode", "kernel session keyring the service gets", []string{"inherit", "private", "shared"}, "private", false,
			func(s *Settings) *string { return &s.KeyringMode }).since(235).
			unprobed("the session keyring is not visible from outside the service: a probe can name its own keyring but cannot compare it with PID 1's or another service's"),
		boolSpec("RemoveIPC", "remove the user's IPC objects when the service stops", func(s *Settings) *bool { return &s.RemoveIPC }).since(232).
			unprobed("it acts only when the service stops (PID 1 removes the user's IPC objects); nothing inside the running sandbox differs"),
		delegateSpec().
			unprobed("it hands the service its cgroup subtree; showing that takes creating a child cgroup or enabling a controller, which changes the host's cgroup tree"),
	)
}
