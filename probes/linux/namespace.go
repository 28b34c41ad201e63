package linux

import (
	"strings"

	"golang.org/x/sys/unix"
)

// Namespace is a set of CLONE_NEW* flags; each constant below is one
// namespace type.
type Namespace uint64

// The namespace types systemd names (nsflags.c).
const (
	NamespaceCgroup Namespace = unix.CLONE_NEWCGROUP
	NamespaceIPC    Namespace = unix.CLONE_NEWIPC
	NamespaceNet    Namespace = unix.CLONE_NEWNET
	NamespaceMnt    Namespace = unix.CLONE_NEWNS
	NamespacePID    Namespace = unix.CLONE_NEWPID
	NamespaceUser   Namespace = unix.CLONE_NEWUSER
	NamespaceUTS    Namespace = unix.CLONE_NEWUTS
	NamespaceTime   Namespace = unix.CLONE_NEWTIME
)

// NamespacesAll is systemd's NAMESPACE_FLAGS_ALL, what RestrictNamespaces=no
// allows: every type but time, which 252..257 leave out of "all" although
// they accept its name.
const NamespacesAll = NamespaceCgroup | NamespaceIPC | NamespaceNet | NamespaceMnt |
	NamespacePID | NamespaceUser | NamespaceUTS

// namespaceNames is systemd's table, in its order. The names are also the
// entries of /proc/<pid>/ns.
func namespaceNames() [8]struct {
	name string
	ns   Namespace
} {
	return [...]struct {
		name string
		ns   Namespace
	}{
		{"cgroup", NamespaceCgroup}, {"ipc", NamespaceIPC}, {"net", NamespaceNet}, {"mnt", NamespaceMnt},
		{"pid", NamespacePID}, {"user", NamespaceUser}, {"uts", NamespaceUTS}, {"time", NamespaceTime},
	}
}

// Types splits a set into its namespace types, in systemd's order; flags
// that are no namespace type are left out.
func (n Namespace) Types() []Namespace {
	var out []Namespace
	for _, t := range namespaceNames() {
		if n&t.ns != 0 {
			out = append(out, t.ns)
		}
	}
	return out
}

// String names the types of the set as systemd does, space-separated.
func (n Namespace) String() string {
	var names []string
	for _, t := range namespaceNames() {
		if n&t.ns != 0 {
			names = append(names, t.name)
		}
	}
	return strings.Join(names, " ")
}

// ParseNamespace reads one of systemd's namespace type names
// (case-sensitive, as RestrictNamespaces= takes them).
func ParseNamespace(name string) (Namespace, bool) {
	for _, t := range namespaceNames() {
		if t.name == name {
			return t.ns, true
		}
	}
	return 0, false
}
