package linux

import (
	"math/bits"
	"testing"

	"golang.org/x/sys/unix"
)

func TestNamespaceTable(t *testing.T) {
	seenName, seenFlag := map[string]bool{}, map[Namespace]bool{}
	for _, n := range namespaceNames() {
		if seenName[n.name] || seenFlag[n.ns] || bits.OnesCount64(uint64(n.ns)) != 1 {
			t.Errorf("bad or repeated entry %+v", n)
		}
		seenName[n.name], seenFlag[n.ns] = true, true
		if got, ok := ParseNamespace(n.name); !ok || got != n.ns || got.String() != n.name {
			t.Errorf("ParseNamespace(%q) = %#x (%s), %v", n.name, got, got, ok)
		}
	}
	// RestrictNamespaces= names are case-sensitive (measured: "UTS" is refused by 252 and 257).
	for _, bad := range []string{"UTS", "Net", "", "ns", "mount"} {
		if _, ok := ParseNamespace(bad); ok {
			t.Errorf("ParseNamespace(%q) succeeded", bad)
		}
	}
	if NamespacesAll|NamespaceTime != Namespace(unix.CLONE_NEWCGROUP|unix.CLONE_NEWIPC|unix.CLONE_NEWNET|unix.CLONE_NEWNS|
		unix.CLONE_NEWPID|unix.CLONE_NEWUSER|unix.CLONE_NEWUTS|unix.CLONE_NEWTIME) || NamespacesAll&NamespaceTime != 0 {
		t.Errorf("NamespacesAll = %#x", NamespacesAll)
	}
	if NamespacesAll != 0x7E020000 {
		t.Errorf("NamespacesAll = %#x, systemd's NAMESPACE_FLAGS_ALL is 0x7e020000", NamespacesAll)
	}
}

func TestNamespaceTypesAndString(t *testing.T) {
	set := NamespaceUTS | NamespaceNet | NamespaceCgroup | unix.CLONE_NEWTIME<<40
	types := set.Types()
	if len(types) != 3 || types[0] != NamespaceCgroup || types[1] != NamespaceNet || types[2] != NamespaceUTS {
		t.Errorf("Types = %v", types)
	}
	if got := set.String(); got != "cgroup net uts" {
		t.Errorf("String = %q", got)
	}
	if got := len(NamespacesAll.Types()); got != 7 {
		t.Errorf("NamespacesAll has %d types, want 7", got)
	}
}
