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
	"github.com/hardenlab/hardenlab/harness/rootfs"
)

// rareSyscallFilters are SystemCallFilter= values with names the generated
// corpus never draws: @obsolete members, names in no group, calls of other
// architectures.
var rareSyscallFilters = []string{
	"uselib", "_sysctl", "create_module", "get_kernel_syms", "query_module", "nfsservctl", "vserver",
	"afs_syscall", "security", "tuxcall", "putpmsg", "getpmsg", "bdflush", "cachestat", "usr26",
	"switch_endian", "~uselib", "~_sysctl", "~nfsservctl", "~usr26", "~cachestat", "~bdflush",
	"~get_tls", "~uselib:EPERM", "@system-service uselib", "~@obsolete uselib",
}

func TestParityRareSyscalls252(t *testing.T) {
	requireAnalyze(t)
	checkRareSyscalls(t, V252, "", t.TempDir())
}

func TestParityRareSyscalls257(t *testing.T) {
	requireAnalyze(t)
	root, err := rootfs.Build(context.Background(), trixie, os.Getenv("HARDENLAB_STATE_DIR"))
	if err != nil {
		t.Fatalf("building the trixie root: %v", err)
	}
	dir, err := os.MkdirTemp(filepath.Join(root, "tmp"), "hardenlab-parity-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	checkRareSyscalls(t, V257, root, dir)
}

func checkRareSyscalls(t *testing.T, v Version, root, dir string) {
	var paths []string
	var settings []*directive.Settings
	for i, f := range rareSyscallFilters {
		path := filepath.Join(dir, fmt.Sprintf("rare-%d.service", i))
		if err := os.WriteFile(path, []byte("[Service]\nExecStart=/bin/true\nSystemCallFilter="+f+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		u, err := directive.ParseFile(path)
		if err != nil {
			t.Fatalf("SystemCallFilter=%s: %v", f, err)
		}
		s, err := directive.Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			t.Fatalf("SystemCallFilter=%s: %v", f, err)
		}
		paths, settings = append(paths, path), append(settings, s)
	}
	theirs, err := Analyzer{Root: root}.Offline(context.Background(), paths)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range rareSyscallFilters {
		ours, err := Score(settings[i], Options{Version: v, Offline: true, UnitName: filepath.Base(paths[i])})
		if err != nil {
			t.Fatal(err)
		}
		diffs := Compare(ours.Checks, theirs[i].Checks)
		if ours.Tenths != theirs[i].Tenths {
			diffs = append(diffs, Difference{ID: "(overall)", Field: "exposure", Ours: strconv.Itoa(ours.Tenths), Theirs: strconv.Itoa(theirs[i].Tenths)})
		}
		for _, d := range diffs {
			t.Errorf("systemd %d, SystemCallFilter=%s: %s", v, f, d)
		}
	}
}
