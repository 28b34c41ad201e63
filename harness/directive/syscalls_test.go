package directive

import (
	"strings"
	"testing"
)

// TestSystemCallFilterNames: systemd keeps a name in a filter exactly when
// its libseccomp resolves it (natively or to another architecture's pseudo
// number), whether or not any @group lists it; other names it logs and
// ignores ("Failed to parse system call, ignoring" in 252, "System call ...
// is not known, ignoring." in 257). Each case was checked with
// `systemd-analyze verify` and `security --offline=true` of 252 and 257.
func TestSystemCallFilterNames(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // "" accepted
	}{
		// @obsolete members: 252's @known listing shows the group, not its
		// members, and the old table was cut from that listing.
		{"uselib", ""},
		{"_sysctl", ""},
		{"create_module", ""},
		{"get_kernel_syms", ""},
		{"query_module", ""},
		{"vserver", ""},
		{"afs_syscall", ""},
		{"security", ""},
		{"tuxcall", ""},
		{"putpmsg", ""},
		{"getpmsg", ""},
		{"bdflush", ""}, // another architecture's call: a pseudo number on x86-64
		{"idle", ""},
		// In @privileged but not @known in 252.
		{"nfsservctl", ""},
		// In no group of 252 at all, yet resolved by its libseccomp.
		{"cachestat", ""},
		{"usr26", ""},
		{"get_tls", ""},
		{"arm_sync_file_range", ""},
		// Share a pseudo number with each other; both resolve by name.
		{"switch_endian", ""},
		{"sys_debug_setcontext", ""},
		// Ordinary names.
		{"read", ""},
		{"ptrace", ""},
		// In systemd's @known (kernel tables of other architectures) but
		// not in libseccomp: both versions ignore them.
		{"osf_stat", "unknown system call"},
		{"execv", "unknown system call"},
		{"perfctr", "unknown system call"},
		{"not_a_syscall", "unknown system call"},
		// Only 257's libseccomp (2.6) knows them: 252 ignores them.
		{"listmount", "252 would ignore it"},
		{"mseal", "252 would ignore it"},
		{"getpagesize", "252 would ignore it"},
		{"riscv_hwprobe", "252 would ignore it"},
	}
	for _, tc := range tests {
		for _, form := range []string{tc.name, "~" + tc.name, "~" + tc.name + ":EPERM"} {
			t.Run(form, func(t *testing.T) {
				_, err := Resolve(assignments("SystemCallFilter="+form), true)
				switch {
				case tc.wantErr == "" && err != nil:
					t.Errorf("refused: %v", err)
				case tc.wantErr != "" && err == nil:
					t.Errorf("accepted, want an error containing %q", tc.wantErr)
				case err != nil:
					for _, want := range []string{tc.wantErr, "t.service:1", "SystemCallFilter=" + form} {
						if !strings.Contains(err.Error(), want) {
							t.Errorf("error %q lacks %q", err, want)
						}
					}
				}
			})
		}
	}
}

// The generated lists must not overlap: a name 257-only is not accepted.
func TestSyscallListsDisjoint(t *testing.T) {
	known := knownSyscalls()
	for name := range onlyNewerSyscalls() {
		if known[name] {
			t.Errorf("%s is in both lists", name)
		}
	}
	if len(onlyNewerSyscalls()) == 0 {
		t.Error("no 257-only names: regenerate syscalls_known.go")
	}
}
