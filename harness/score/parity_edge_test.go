//go:build parity

package score

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// edgeUnits are [Service] bodies the generated corpus never draws: names
// of @obsolete, of no group, of other architectures, names only 257's
// libseccomp resolves (252 ignores them), and the empty
// PrivateMounts= that 257 reads as a reset and 252 ignores, Delegate=
// controller lists.
func edgeUnits() []string {
	var bodies []string
	for _, f := range []string{
		"uselib", "_sysctl", "create_module", "get_kernel_syms", "query_module", "nfsservctl", "vserver",
		"afs_syscall", "security", "tuxcall", "putpmsg", "getpmsg", "bdflush", "cachestat", "usr26",
		"switch_endian", "~uselib", "~_sysctl", "~nfsservctl", "~usr26", "~cachestat", "~bdflush",
		"~get_tls", "~uselib:EPERM", "@system-service uselib", "~@obsolete uselib",
		// Only 257's libseccomp resolves these; 252 ignores them.
		"mseal", "~mseal", "listmount", "~listmount:EPERM", "getpagesize", "~riscv_hwprobe",
		"@system-service mseal", "~@obsolete mseal",
	} {
		bodies = append(bodies, "SystemCallFilter="+f+"\n")
	}
	bodies = append(bodies, nameSpellingUnits()...)
	return append(bodies,
		// 252 has no notify-reload and ignores the line; 257 implies
		// NotifyAccess=main. Only NotifyAccess=all is bad either way.
		"Type=notify-reload\n",
		"Type=notify-reload\nNotifyAccess=all\n",
		"Type=notify-reload\nNotifyAccess=none\n",
		"PrivateMounts=\n",
		"PrivateMounts=\nPrivateMounts=\n",
		"PrivateMounts=\nPrivateMounts=yes\n",
		"PrivateMounts=yes\nPrivateMounts=\nPrivateMounts=no\n",
		"PrivateMounts=no\nPrivateMounts=\nPrivateMounts=yes\n",
		"PrivateMounts=\nProtectSystem=strict\nPrivateTmp=yes\n",
		// A controller list or an empty value is delegation (user@.service).
		"Delegate=pids memory cpu\n",
		"Delegate=\n",
		"Delegate=yes\nDelegate=io\n",
		"Delegate=pids\nDelegate=no\n",
		"PrivateIPC=yes\n",
	)
}

func TestParityEdgeUnits252(t *testing.T) {
	requireAnalyze(t)
	checkEdgeUnits(t, V252, "", t.TempDir())
}

func TestParityEdgeUnits257(t *testing.T) {
	requireAnalyze(t)
	root := trixieRoot(t)
	checkEdgeUnits(t, V257, root, scratchIn(t, root))
}

func checkEdgeUnits(t *testing.T, v Version, root, dir string) {
	var paths []string
	var settings []*directive.Settings
	bodies := edgeUnits()
	for i, body := range bodies {
		path := filepath.Join(dir, fmt.Sprintf("edge-%d.service", i))
		if err := os.WriteFile(path, []byte("[Service]\nExecStart=/bin/true\n"+body), 0o644); err != nil {
			t.Fatal(err)
		}
		u, err := directive.ParseFile(path)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		s, err := directive.Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			t.Fatalf("%q: %v", body, err)
		}
		paths, settings = append(paths, path), append(settings, s)
	}
	theirs, err := Analyzer{Root: root}.Offline(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range bodies {
		ours, err := Score(settings[i], Options{Version: v, Offline: true, UnitName: filepath.Base(paths[i])})
		if err != nil {
			t.Fatal(err)
		}
		diffs := Compare(ours.Checks, theirs[i].Checks)
		if ours.Tenths != theirs[i].Tenths {
			diffs = append(diffs, Difference{ID: "(overall)", Field: "exposure", Ours: strconv.Itoa(ours.Tenths), Theirs: strconv.Itoa(theirs[i].Tenths)})
		}
		for _, d := range diffs {
			t.Errorf("systemd %d, %q: %s", v, body, d)
		}
	}
}
