// Package probes is hardenlab's check registry: the harmless actions that a
// hardening directive should forbid, run inside the unit's own sandbox, and
// the pure logic that turns their outcomes into verdicts.
//
// # Contract with the harness
//
// The static binary cmd/hardenlab-probe is a thin main over this package.
// The harness starts it INSIDE a transient unit that carries exactly the
// profile's properties (a sibling of the demo service, joined to it with
// JoinsNamespaceOf=), with stdout going to a file that systemd opened before
// the sandbox applied (StandardOutputFile=):
//
//	hardenlab-probe run [--only id1,id2] [--tcp-target 127.0.0.1:PORT]
//	                    [--ro-path PATH] [--rw-path PATH] [--hidden-path PATH]
//	                    [--skip-destructive-check] [--skip-preflight]
//	                    [--timeout 5s] [--parallel 1] [--isolate-all]
//	hardenlab-probe list      (the registry as JSON)
//	hardenlab-probe syscalls  (see "Declared system call filters" below)
//
// prints ONE JSON document (see Document) on stdout:
//
//	{"schema":1, "posture":{...}, "environment":{...},
//	 "results":[{"id":"fs.write-etc","outcome":"blocked","errno":"EROFS",
//	             "signal":"","detail":"one line"}, ...],
//	 "host_check":{...}}
//
// and exits 0 even when actions were blocked; it exits non-zero only when the
// probe binary itself broke (bad flags, cannot write the document).
//
//   - --tcp-target is a loopback TCP listener the harness provides; without it
//     the network-reachability probe is "skipped". That probe decides on a
//     UDP datagram between two sockets it binds on the target's address
//     (systemd's IP filter refuses the send with EPERM at once) and
//     connects to the listener only once the datagram arrived.
//
//   - --ro-path, --rw-path and --hidden-path name the paths the profile gives
//     to ReadOnlyPaths=, ReadWritePaths= and InaccessiblePaths=; the probe
//     cannot learn them from inside the sandbox, and without them those
//     probes are "skipped".
//
//   - Unless --skip-destructive-check is given, run snapshots what a probe must
//     never change (hostname, kernel clock offset, loaded modules, a few
//     sysctls) before and after the probes and reports any difference in
//     "host_check".
//
//   - --skip-preflight leaves "environment" out: its three checks (bpf,
//     modules, user namespaces) describe the machine, not the profile, so the
//     harness takes them once, in the control run.
//
//   - --timeout bounds each probe (a hang is an "error"); --parallel runs
//     that many children at a time (default one: deterministic, and no
//     measured gain on a loaded two-core machine).
//
//   - --isolate-all runs every probe in its own child, also those marked
//     InProcess: for debugging, and for a profile whose SystemCallFilter=
//     names faccessat, getdents64 or geteuid alone (see below).
//
//   - Probes write only inside a private scratch dir (the first writable of
//     $TMPDIR, /tmp, /var/tmp, /dev/shm), removed before run returns, and
//     fs.write-rw-path creates and removes one empty file in --rw-path.
//
// A probe that makes a system call a filter may forbid, or that changes
// process-wide state, runs in a child process (a re-exec of /proc/self/exe
// with the hidden sub-command "child ID"), because a seccomp filter kills
// with SIGSYS and a successful unshare(), setuid() or personality() taints
// the caller. The child prints one Result as JSON; the parent classifies a
// death by SIGSYS as "blocked", any other signal, a timeout or garbage as
// "error". Each child costs an exec of this static binary (~12-15 ms of
// CPU), so the probes that only look (stat, access, listing a directory,
// opening a file without writing to it, reading /proc) run inside "run"
// itself, one after the other and before the children: their system calls
// are the ones "run" already made to read its own posture, or sit with them
// in systemd's @file-system group, so no SystemCallFilter= built from
// systemd's groups can kill such a probe without having killed "run" first;
// and they leave nothing behind that the next probe would inherit. Such a probe is marked InProcess in the
// registry; a panic in it becomes an "error" result, and --timeout bounds
// it as it bounds a child.
//
// Outcomes: "allowed" (the sandbox let the action through: it succeeded, or
// the kernel itself rejected it for a reason that is not the sandbox, e.g.
// ENOSYS on a kernel built without modules), "blocked" (EPERM, EACCES,
// EROFS, EAFNOSUPPORT, a hidden path, a SIGSYS kill, ...), "error" (the
// probe could not tell), "skipped" (a precondition such as --tcp-target is
// missing, or the architecture has no such syscall).
//
// # Declared system call filters
//
// The harness checks every call a SystemCallFilter= names (as the systemd
// under test resolves it) with a second mode, x86-64 only:
//
//	hardenlab-probe syscalls --calls name1,name2,... [--call-timeout 2s] [--per-child 0]
//
// It makes each named call with arguments the kernel refuses before acting
// (a pointer into kernel space: EFAULT; fd -1: EBADF; every flag bit:
// EINVAL; a few answer ESRCH, ECHILD, ENOENT, EINTR, ENOEXEC or, for the
// numbers Linux keeps without an implementation, ENOSYS; the getters
// succeed) and prints a SyscallsDocument:
//
//	{"schema":1, "arch":"amd64",
//	 "calls":[{"name":"swapon","number":167,"outcome":"blocked","errno":"EPERM",
//	           "expected":"EFAULT","capability":"CAP_SYS_ADMIN","capability_held":true,
//	           "detail":"..."}, ...]}
//
// with one CallResult per name, in the order given. "outcome" is "allowed"
// (the call reached the kernel, which gave "expected"), "blocked" (another
// errno, in "errno"), "killed" (SIGSYS: the process, or with
// SECCOMP_RET_KILL_THREAD its thread, died making it), "not-probed" (no
// harmless form exists, e.g. exit or rt_sigreturn, or the name is no
// x86-64 call, e.g. _llseek: "detail" says which) or "error". A call
// whose harmless answer needs a capability names it in "capability": when
// "capability_held" is false its EPERM may be the kernel's own.
//
// The calls run in a child (a re-exec with the hidden sub-command
// "syscall-child LIST") on one locked thread; it announces each call on its
// stdout before making it, so when a filter kills it the parent knows which
// call did and starts a fresh child for the rest. One child for the 367
// calls of the table takes ~75 ms here, one child per call ~2.1 s.
//
// The harness judges each call with CallVerdict from the control's and the
// profile's results: a call the filter denies must come back "blocked"
// with exactly the unit's SystemCallErrorNumber= or, without one,
// "killed"; a call it allows must come back "allowed".
//
// # Bypass probes
//
// The "bypass." rows try what a compromised service could still do around
// a directive that holds for what it claims (an executable mapping of a
// written file under MemoryDenyWriteExecute=, connect() to the system bus
// under ProtectSystem=strict, ...). They name that directive in Bypasses,
// not Directives, with the item of its list they go around when there is
// one (i386 perf_event_open goes around a SystemCallFilter= that denies
// perf_event_open): "allowed" is a finding, never a verdict on it.
//
// # Checks from inside the service's sandbox
//
//	hardenlab-probe check --http 127.0.0.1:PORT [--path /] [--timeout 2s]
//	hardenlab-probe check --tcp 127.0.0.1:PORT [--send TEXT] [--expect PREFIX] [--timeout 2s]
//
// asks the service one question from where the service itself lives: the
// harness starts it in a unit with the profile's properties joined to the
// service's namespaces (as for "run"), so its loopback is the service's —
// the way to tell a service that serves inside its sandbox but that the
// host cannot reach (PrivateNetwork=, IPAddressDeny=) from one that broke.
// It prints one CheckResult: {"schema":1,"kind":"http","target":...,
// "ok":true,"connected":true,"http_status":200,"errno":"","detail":"",
// "ms":1.2}. --http sends GET PATH over HTTP/1.0 and is ok on any status
// line; --tcp is ok once connected, or, with --expect, once the answer
// (after --send) begins with PREFIX. A refused or dropped connect is a
// result (errno ECONNREFUSED, ETIMEDOUT), not a failure; when a datagram
// to the target's address is refused with EPERM first (an IP filter), the
// connect gets 50 ms rather than --timeout, and the detail says so. check exits
// non-zero only on bad flags. Targets must be loopback. New kinds of
// check (a command, say) are a new Kind with its own flag.
//
// The harness also calls ReadPosture on /proc/<main pid> of the demo service
// from outside and compares it with the probe's own posture through Diff, to
// prove that the probe ran in the service's sandbox; and it turns a probe's
// control and profile results into a verdict with Verdict.
//
// This package imports the standard library and golang.org/x/sys/unix only.
package probes
