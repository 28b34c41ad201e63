package directive

import (
	"fmt"
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
		// Only 257's libseccomp (2.6) knows them: parsing is
		// version-independent and accepts them; the systemd under test
		// decides (NewerSyscalls, run.checkSupported).
		{"listmount", ""},
		{"mseal", ""},
		{"getpagesize", ""},
		{"riscv_hwprobe", ""},
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

// The generated lists must not overlap: a 257-only name is not also one
// every release keeps.
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

func TestSyscallSince(t *testing.T) {
	tests := []struct {
		name      string
		wantSince int
		wantOK    bool
	}{
		{"read", 0, true},
		{"uselib", 0, true},
		{"usr26", 0, true},
		{"mseal", 257, true},
		{"listmount", 257, true},
		{"getpagesize", 257, true},
		{"osf_stat", 0, false},
		{"not_a_syscall", 0, false},
		{"@system-service", 0, false}, // a group, not a name
	}
	for _, tc := range tests {
		since, ok := SyscallSince(tc.name)
		if since != tc.wantSince || ok != tc.wantOK {
			t.Errorf("SyscallSince(%q) = %d, %v; want %d, %v", tc.name, since, ok, tc.wantSince, tc.wantOK)
		}
	}
	for name := range onlyNewerSyscalls() {
		if since, ok := SyscallSince(name); !ok || since != syscallsOnly257Since {
			t.Errorf("SyscallSince(%q) = %d, %v", name, since, ok)
		}
	}
}

// NewerSyscalls: the names of one SystemCallFilter= line a release would
// ignore, each once, in the order written; errno suffixes, "~" and
// @groups do not matter.
func TestNewerSyscalls(t *testing.T) {
	tests := []struct {
		line    string
		release int
		want    string // names joined by spaces
	}{
		{"SystemCallFilter=mseal", 252, "mseal"},
		{"SystemCallFilter=mseal", 256, "mseal"},
		{"SystemCallFilter=mseal", 257, ""},
		{"SystemCallFilter=mseal", 258, ""},
		{"SystemCallFilter=~mseal", 252, "mseal"},
		{"SystemCallFilter=~listmount:EPERM mseal:kill", 252, "listmount mseal"},
		{"SystemCallFilter=@system-service listmount read mseal listmount", 252, "listmount mseal"},
		{"SystemCallFilter=@system-service read uselib", 252, ""},
		{"SystemCallFilter=~@sandbox mseal", 252, "@sandbox mseal"},
		{"SystemCallFilter=~@sandbox", 257, ""},
		{"SystemCallFilter=", 252, ""},
		{"SystemCallArchitectures=native", 252, ""},
		{"SystemCallErrorNumber=EPERM", 252, ""},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%d", tc.line, tc.release), func(t *testing.T) {
			a, err := ParseAssignment(tc.line, Source{File: "t.service", Line: 1})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, n := range NewerSyscalls(a, tc.release) {
				if n.Since != syscallsOnly257Since {
					t.Errorf("%s: since %d", n.Name, n.Since)
				}
				got = append(got, n.Name)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
