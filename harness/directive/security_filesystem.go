package directive

// filesystemSpecs are the descriptors of the file hierarchy the service sees.
func filesystemSpecs() []Spec {
	return inArea("filesystem",
		enumSpec("ProtectSystem", "read-only /usr and /boot (yes), also /etc (full), the whole tree (strict)", []string{"no", "yes", "full", "strict"}, "no", true,
			func(s *Settings) *string { return &s.ProtectSystem }).since(228),
		enumSpec("ProtectHome", "hide (yes), read-only or tmpfs /home, /root and /run/user", []string{"no", "yes", "read-only", "tmpfs"}, "no", true,
			func(s *Settings) *string { return &s.ProtectHome }).since(228),
		enumSpec("ProtectProc", "hide other users' processes in /proc", []string{"default", "noaccess", "invisible", "ptraceable"}, "default", false,
			func(s *Settings) *string { return &s.ProtectProc }).since(247),
		enumSpec("ProcSubset", "mount only the process part of /proc (pid)", []string{"all", "pid"}, "all", false,
			func(s *Settings) *string { return &s.ProcSubset }).since(247).
			unprobed("not probed yet: a probe would look for /proc/sys and /proc/cmdline, which subset=pid hides; the scorer's row stands on the readback alone"),
		pathListSpec("ReadWritePaths", "paths left writable under ProtectSystem", "/var/lib/demo", func(s *Settings) *[]string { return &s.ReadWritePaths }).since(231),
		pathListSpec("ReadOnlyPaths", "paths made read-only", "/etc", func(s *Settings) *[]string { return &s.ReadOnlyPaths }).since(231),
		pathListSpec("InaccessiblePaths", "paths made inaccessible", "-/root/.ssh", func(s *Settings) *[]string { return &s.InaccessiblePaths }).since(231),
		pathSpec("RootDirectory", "chroot the service into this directory", "/srv/root", func(s *Settings) *string { return &s.RootDirectory }).
			unprobed("the probes run from the host's root; a root of the service's own would have to contain the probe binary, and the harness builds no such tree"),
		pathSpec("RootImage", "run the service from this disk image", "/var/lib/machines/demo.raw", func(s *Settings) *string { return &s.RootImage }).
			unprobed("the probes run from the host's root; an image of the service's own would have to contain the probe binary, and the harness builds no such image"),
	)
}
