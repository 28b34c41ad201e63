package probes

import "github.com/hardenlab/hardenlab/probes/linux"

// Registry is the one table of probes. The checks live in one file per area
// (fs.go, caps.go, sys.go, kernel.go, net.go, ns.go, proc.go, dev.go, id.go);
// this table holds what a reader needs to judge them side by side.
// A fresh slice is returned on every call so that no caller can mutate it.
// Rows marked InProcess only look and run inside "run" itself (see
// Probe.InProcess for the rule); all others get a disposable child.
func Registry() []Probe {
	return []Probe{
		// fs
		{ID: "fs.write-usr", InProcess: true, Claims: claims("ProtectSystem"), Control: Allowed, check: checkWriteUsr,
			Attempts: "access(W_OK) on /usr and an O_WRONLY open (no O_TRUNC, nothing written) of an existing regular file under /usr",
			Decides:  "blocked on EROFS/EACCES/EPERM, allowed when the open succeeds"},
		{ID: "fs.write-etc", InProcess: true, Claims: claims("ProtectSystem"), Control: Allowed, check: checkWriteEtc,
			Attempts: "access(W_OK) on /etc and an O_WRONLY open (nothing written) of an existing regular file in /etc",
			Decides:  "blocked on EROFS/EACCES/EPERM (ProtectSystem=full/strict), allowed when the open succeeds"},
		{ID: "fs.write-var", InProcess: true, Claims: claims("ProtectSystem"), Control: Allowed, check: checkWriteVar,
			Attempts: "access(W_OK) on /var and an O_WRONLY open (nothing written) of an existing regular file under /var outside /var/tmp",
			Decides:  "blocked on EROFS/EACCES/EPERM (ProtectSystem=strict), allowed when writable"},
		{ID: "fs.private-tmp", InProcess: true, Claims: claims("PrivateTmp"), Control: Allowed, check: checkPrivateTmp,
			Attempts: "compares the device+inode of /tmp and /var/tmp with PID 1's (/proc/1/root/tmp), falling back to the mount's source in mountinfo",
			Decides:  "blocked when both are private (different inode, or mounted from a systemd-private-* directory), allowed when the shared /tmp is visible"},
		{ID: "fs.protect-home", InProcess: true, Claims: claims("ProtectHome"), Control: Allowed, check: checkProtectHome,
			Attempts: "stats, lists and access(W_OK)s /home, /root and /run/user, and reads their mounts in mountinfo",
			Decides:  "blocked when each existing one is hidden (absent, mode 000 inaccessible node), read-only, or an empty private tmpfs; allowed otherwise (root bypasses DAC, so mode bits alone are not trusted)"},
		{ID: "fs.read-only-path", InProcess: true, Claims: claims("ReadOnlyPaths"), Control: Allowed, Needs: NeedReadOnlyPath, check: checkReadOnlyPath,
			Attempts: "access(W_OK) on the --ro-path and, for a file, an O_WRONLY open without writing",
			Decides:  "blocked on EROFS/EACCES/EPERM, allowed when writable"},
		{ID: "fs.inaccessible-path", InProcess: true, Claims: claims("InaccessiblePaths"), Control: Allowed, Needs: NeedHiddenPath, check: checkInaccessiblePath,
			Attempts: "stats the --hidden-path and opens it read-only (a directory is listed)",
			Decides:  "blocked when it is absent, denied, or replaced by an empty mode-000 inaccessible node; allowed when its content is reachable"},
		{ID: "fs.write-rw-path", Claims: claims("ReadWritePaths"), Control: Allowed, Polarity: Grants, Needs: NeedReadWritePath, check: checkReadWritePath,
			Attempts: "creates and removes a uniquely named empty file inside the --rw-path",
			Decides:  "allowed when the file could be created (the directive's grant holds), blocked on EROFS/EACCES/EPERM"},
		{ID: "fs.umask", Claims: claims("UMask"), Control: Allowed, check: checkUMask,
			Attempts: "creates a file with mode 0666 in the scratch dir, stats it and removes it; reads Umask from /proc/self/status",
			Decides:  "blocked when the new file grants nothing to others (umask masks 007), allowed when others may read or write it"},

		// caps
		{ID: "caps.bounding-set", Claims: claims("CapabilityBoundingSet"), Control: Allowed, check: checkBoundingSet,
			Attempts: "reads CapBnd and compares it with PID 1's (or the kernel's full set); chowns a scratch file to uid 1 and back (needs CAP_CHOWN)",
			Decides:  "blocked when the bounding set lacks capabilities PID 1 has (named in the detail), allowed when it is complete"},
		{ID: "caps.no-new-privs", InProcess: true, Claims: claims("NoNewPrivileges"), Control: Allowed, check: checkNoNewPrivs,
			Attempts: "reads prctl(PR_GET_NO_NEW_PRIVS) and NoNewPrivs in /proc/self/status",
			Decides:  "blocked when the flag is set (exec can no longer gain privileges), allowed when clear; error when the two sources disagree"},
		{ID: "caps.ambient", Claims: claims("AmbientCapabilities"), Control: Allowed, Polarity: Grants, check: checkAmbient,
			Attempts: "binds and at once closes a TCP socket on a privileged port (<1024) of 127.0.0.1; reads CapAmb",
			Decides:  "allowed when the bind succeeds (root, or CAP_NET_BIND_SERVICE granted), blocked on EACCES/EPERM"},

		// sys: system calls
		{ID: "sys.clock-set", Claims: claims("ProtectClock"), Control: Allowed, check: checkClockSet,
			Attempts: "settimeofday(NULL, NULL): passes the seccomp @clock filter and the CAP_SYS_TIME check, then changes nothing",
			Decides:  "blocked on EPERM or SIGSYS, allowed when it returns 0"},
		{ID: "sys.sethostname", Claims: claims("ProtectHostname"), Control: Allowed, check: checkSetHostname,
			Attempts: "sethostname() to the current hostname; compares the UTS namespace with PID 1's",
			Decides:  "blocked on EPERM/SIGSYS; allowed when it succeeds in PID 1's UTS namespace (a private UTS namespace is reported in the detail)"},
		{ID: "sys.wx-mmap", Claims: claims("MemoryDenyWriteExecute"), Control: Allowed, check: checkWXMmap,
			Attempts: "an anonymous PROT_WRITE|PROT_EXEC mmap of one page, unmapped at once",
			Decides:  "blocked on EPERM/EACCES or SIGSYS, allowed when the mapping succeeds"},
		{ID: "sys.personality", Claims: claims("LockPersonality"), Control: Allowed, check: checkPersonality,
			Attempts: "personality(current|ADDR_NO_RANDOMIZE), then back to the current persona at once",
			Decides:  "blocked on EPERM or SIGSYS, allowed when the change is accepted"},
		{ID: "sys.sched-fifo", Claims: claims("RestrictRealtime"), Control: Allowed, check: checkSchedFIFO,
			Attempts: "sched_setscheduler(SCHED_FIFO, priority 1) on its own thread, then back to SCHED_OTHER at once",
			Decides:  "blocked on EPERM or SIGSYS, allowed when the switch succeeds"},
		{ID: "sys.suid-chmod", Claims: claims("RestrictSUIDSGID"), Control: Allowed, check: checkSUIDChmod,
			Attempts: "chmod u+s,g+s of a file the probe created in its own scratch dir, then removes it",
			Decides:  "blocked on EPERM or SIGSYS, allowed when the set-id bits stick"},
		{ID: "sys.filter-debug", Claims: claimItem("SystemCallFilter", "perf_event_open"), Control: Allowed, check: checkFilterDebug,
			Attempts: "perf_event_open() with a NULL attribute (@debug, outside @system-service): the kernel answers EFAULT before any permission check",
			Decides:  "blocked on SIGSYS or EPERM (no capability is involved, so EPERM can only be the filter), allowed when the kernel answers EFAULT"},
		{ID: "sys.filter-raw-io", Claims: claimItem("SystemCallFilter", "ioperm"), Control: Allowed, check: checkFilterRawIO,
			Attempts: "ioperm(0, 0, 0) (@raw-io; an empty range the kernel rejects with EINVAL before any privilege check; x86 only)",
			Decides:  "blocked on SIGSYS or EPERM, allowed when the kernel answers EINVAL (the call reached it); skipped off x86"},
		{ID: "sys.filter-cpu-emulation", Claims: claimItem("SystemCallFilter", "modify_ldt"), Control: Allowed, check: checkFilterCPUEmulation,
			Attempts: "modify_ldt(0 = read, NULL, 0) (@cpu-emulation; reads nothing; x86 only)",
			Decides:  "blocked on SIGSYS or EPERM, allowed when it returns; skipped off x86"},
		{ID: "sys.compat-syscall", Claims: claims("SystemCallArchitectures"), Control: Allowed, check: checkCompatSyscall,
			Attempts: "getpid() through the x32 ABI (syscall number with the x32 bit) from the x86-64 process (x86-64 only)",
			Decides:  "blocked on SIGSYS, a killed thread or an errno from the filter (the non-native ABI is rejected before the kernel sees it), allowed when it returns the pid or the kernel answers ENOSYS for lack of x32 support"},

		// kernel: the kernel's own interfaces
		{ID: "kernel.write-sysctl", InProcess: true, Claims: claims("ProtectKernelTunables"), Control: Allowed, check: checkWriteSysctl,
			Attempts: "an O_WRONLY open (nothing written) of an existing /proc/sys file such as vm/swappiness; access(W_OK) on /sys",
			Decides:  "blocked on EROFS/EACCES/EPERM for /proc/sys, allowed when the open succeeds"},
		{ID: "kernel.write-cgroup", InProcess: true, Claims: claims("ProtectControlGroups"), Control: Allowed, check: checkWriteCgroup,
			Attempts: "access(W_OK) on its own cgroup v2 directory and an O_WRONLY open (nothing written) of its cgroup.procs",
			Decides:  "blocked on EROFS/EACCES/EPERM, allowed when the open succeeds; skipped when no cgroup v2 hierarchy is mounted"},
		{ID: "kernel.init-module", Claims: claims("ProtectKernelModules"), Control: Allowed, check: checkInitModule,
			Attempts: "init_module() of an 8-byte garbage image (never loadable); also checks /usr/lib/modules and CAP_SYS_MODULE",
			Decides:  "blocked on EPERM or SIGSYS; allowed when the kernel itself rejects the image (ENOEXEC, EINVAL...) or answers ENOSYS because it was built without modules (/proc/modules absent)"},
		{ID: "kernel.log-read", Claims: claims("ProtectKernelLogs"), Control: Allowed, check: checkKernelLog,
			Attempts: "syslog(SYSLOG_ACTION_SIZE_BUFFER) (reads only the buffer size); opens /dev/kmsg read-only, non-blocking, reads nothing",
			Decides:  "blocked on EPERM or SIGSYS from syslog(), allowed when it returns the size"},

		// net
		{ID: "net.connect-target", Claims: claims("IPAddressDeny", "IPAddressAllow"), Control: Allowed, Needs: NeedTCPTarget, check: checkConnectTarget,
			Attempts: "one UDP datagram between two sockets it binds on the --tcp-target address; once that arrives, TCP connect() to the harness's listener there, closed at once",
			Decides:  "blocked when the send fails with EPERM (systemd's cgroup-BPF IP filter drops it, at once) or the datagram is not delivered; allowed when it arrives and the connect succeeds or is refused by another network namespace"},
		{ID: "net.private-network", Claims: claims("PrivateNetwork"), Control: Allowed, check: checkPrivateNetwork,
			Attempts: "lists the network interfaces it can see and compares its network namespace with PID 1's",
			Decides:  "blocked when only loopback is visible (or the namespace differs from PID 1's), allowed when a non-loopback interface is visible"},
		{ID: "net.socket-netlink", Claims: claimItem("RestrictAddressFamilies", "AF_NETLINK"), Control: Allowed, check: checkSocketNetlink,
			Attempts: "socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), closed at once (needs no capability)",
			Decides:  "blocked on EAFNOSUPPORT/EPERM or SIGSYS, allowed when the socket is created"},
		{ID: "net.socket-packet", Claims: claimItem("RestrictAddressFamilies", "AF_PACKET"), Control: Allowed, check: checkSocketPacket,
			Attempts: "socket(AF_PACKET, SOCK_DGRAM, 0), closed at once (unbound: receives nothing)",
			Decides:  "blocked on EAFNOSUPPORT or SIGSYS; EPERM is reported as blocked by a missing CAP_NET_RAW in the detail; allowed when created"},

		// ns: one per namespace type, unshare() in a disposable child
		{ID: "ns.unshare-uts", Claims: namespaceClaim(linux.NamespaceUTS), Control: Allowed, Unshare: linux.NamespaceUTS, check: checkUnshared,
			Attempts: "starts a child in a new UTS namespace (unshare(CLONE_NEWUTS) before exec)", Decides: unshareDecides},
		{ID: "ns.unshare-ipc", Claims: namespaceClaim(linux.NamespaceIPC), Control: Allowed, Unshare: linux.NamespaceIPC, check: checkUnshared,
			Attempts: "starts a child in a new IPC namespace (unshare(CLONE_NEWIPC) before exec)", Decides: unshareDecides},
		{ID: "ns.unshare-pid", Claims: namespaceClaim(linux.NamespacePID), Control: Allowed, Unshare: linux.NamespacePID, check: checkUnshared,
			Attempts: "starts a child with clone(CLONE_NEWPID) (unshare() would leave the multi-threaded Go child unable to create threads)", Decides: unshareDecides},
		{ID: "ns.unshare-user", Claims: namespaceClaim(linux.NamespaceUser), Control: Allowed, Unshare: linux.NamespaceUser, check: checkUnshared,
			Attempts: "starts a child in a new user namespace (unshare(CLONE_NEWUSER) before exec)", Decides: unshareDecides},
		{ID: "ns.unshare-cgroup", Claims: namespaceClaim(linux.NamespaceCgroup), Control: Allowed, Unshare: linux.NamespaceCgroup, check: checkUnshared,
			Attempts: "starts a child in a new cgroup namespace (unshare(CLONE_NEWCGROUP) before exec)", Decides: unshareDecides},
		{ID: "ns.unshare-mnt", Claims: namespaceClaim(linux.NamespaceMnt), Control: Allowed, Unshare: linux.NamespaceMnt, check: checkUnshared,
			Attempts: "starts a child in a new mount namespace (unshare(CLONE_NEWNS) before exec; its mounts are made private there)", Decides: unshareDecides},
		{ID: "ns.unshare-net", Claims: namespaceClaim(linux.NamespaceNet), Control: Allowed, Unshare: linux.NamespaceNet, check: checkUnshared,
			Attempts: "starts a child in a new network namespace (unshare(CLONE_NEWNET) before exec)", Decides: unshareDecides},

		{ID: "ns.private-ipc", Claims: claims("PrivateIPC"), Control: Allowed, check: checkPrivateIPC,
			Attempts: "reads the IPC namespace of /proc/self/ns/ipc and of PID 1 (/proc/1/ns/ipc); changes nothing",
			Decides:  "blocked when the service's IPC namespace differs from PID 1's (its SysV IPC objects and message queues are its own), allowed when they are the same; error when PID 1's is unreadable"},

		// proc
		{ID: "proc.hidepid", InProcess: true, Claims: claims("ProtectProc"), Control: Allowed, check: checkHidePID,
			Attempts: "lists /proc and opens the status file of every process owned by another uid; reads the hidepid= option of the /proc mount",
			Decides:  "blocked when no other uid's process is readable, allowed when one is (e.g. root keeping CAP_SYS_PTRACE defeats hidepid)"},

		// dev
		{ID: "dev.private-dev", InProcess: true, Claims: claims("PrivateDevices"), Control: Allowed, check: checkPrivateDev,
			Attempts: "lists the device nodes under /dev beyond the minimal set (null zero full random urandom tty ptmx) and opens /dev/net/tun without configuring it",
			Decides:  "blocked when no such device node is visible and /dev/net/tun cannot be opened, allowed otherwise"},

		// id
		{ID: "id.root", Claims: claims("User", "DynamicUser"), Control: Allowed, check: checkRoot,
			Attempts: "setuid(0) in the child (a no-op when already root)",
			Decides:  "blocked on EPERM (the service runs as a non-root user), allowed when it runs as root"},
		{ID: "id.private-users", Claims: claims("PrivateUsers"), Control: Allowed, check: checkPrivateUsers,
			Attempts: "reads /proc/self/uid_map; chowns a scratch file to an unmapped uid and back",
			Decides:  "blocked when uid_map is not the host's full identity mapping (a private user namespace), allowed when it is"},

		// bypass: what a compromised service could still do around a
		// directive that holds (allowed is a finding, see Probe.Bypasses)
		{ID: "bypass.memfd-exec", Bypasses: claims("MemoryDenyWriteExecute"), Control: Allowed, check: checkMemfdExec,
			Attempts: "writes one byte (x86 ret) to a memfd, seals it and maps it PROT_READ|PROT_EXEC; never jumps into it, unmaps at once",
			Decides:  "allowed (the bypass works) when the executable mapping succeeds; blocked on EPERM/EACCES or SIGSYS"},
		{ID: "bypass.shm-exec", Bypasses: claims("MemoryDenyWriteExecute"), Control: Allowed, check: checkShmExec,
			Attempts: "creates a file in /dev/shm, unlinks it at once, writes one byte to it and maps it PROT_READ|PROT_EXEC through its descriptor; never runs it",
			Decides:  "allowed when the executable mapping succeeds; blocked when /dev/shm is unwritable or mounted noexec (EPERM/EACCES)"},
		{ID: "bypass.read-implies-exec", Bypasses: claims("LockPersonality"), Control: Allowed, check: checkReadImpliesExec,
			Attempts: "personality(current|READ_IMPLIES_EXEC), reads it back, then restores the current persona at once",
			Decides:  "allowed when the flag reads back set; blocked on EPERM or SIGSYS"},
		{ID: "bypass.clone3-namespace", Bypasses: claimItem("RestrictNamespaces", linux.NamespaceUTS.String()), Control: Allowed, check: checkClone3Namespace,
			Attempts: "a raw clone3(CLONE_NEWUTS, plus CLONE_NEWUSER without CAP_SYS_ADMIN) whose child exits at once; on failure also clone() with the same flags",
			Decides:  "allowed when clone3 creates the process; blocked on ENOSYS (systemd's answer to every clone3), EPERM or SIGSYS, with clone()'s answer in the detail"},
		{ID: "bypass.i386-syscall", Bypasses: []Claim{{"SystemCallFilter", "perf_event_open"}, {"SystemCallArchitectures", ""}}, Control: Allowed, check: checkI386Syscall,
			Attempts: "getpid() and perf_event_open(NULL attr) (@debug) through int 0x80, the i386 ABI, on a thread of its own; native perf_event_open for comparison (x86-64 only)",
			Decides:  "allowed when the i386 perf_event_open reaches the kernel (EFAULT); blocked on an errno or a killed thread; skipped when the kernel has no i386 emulation"},
		{ID: "bypass.bus-connect", Bypasses: []Claim{{"ProtectSystem", ""}, {"RestrictAddressFamilies", "AF_UNIX"}}, Control: Allowed, check: checkBusConnect,
			Attempts: "connect() of an AF_UNIX socket to the system bus, /run/dbus/system_bus_socket, closed at once with nothing sent",
			Decides:  "allowed when it connects (a read-only /run does not stop connect); blocked on EAFNOSUPPORT, EACCES/EPERM, SIGSYS, or no bus socket"},
		{ID: "bypass.ptrace-child", Bypasses: claims("CapabilityBoundingSet", "ProtectProc"), Control: Allowed, check: checkPtraceChild,
			Attempts: "forks a child that sleeps, ptrace(PTRACE_SEIZE)s it, then kills and reaps it",
			Decides:  "allowed when the seize succeeds (no capability is needed for one's own child); blocked on EPERM (Yama ptrace_scope=3, a filter) or SIGSYS"},
	}
}

const unshareDecides = "blocked on EPERM or SIGSYS (RestrictNamespaces' seccomp filter), allowed when the child runs in the new namespace; ENOSPC/EINVAL from namespace limits are reported as blocked by the environment"
