package score

//go:generate go run ./internal/gensyscalls -var syscalls252 -out syscalls_252.go
//go:generate go run ./internal/gensyscalls -root /var/lib/hardenlab/rootfs/trixie-7b1fd969c801 -var syscalls257 -out syscalls_257.go

// syscallTable is one systemd version's @group definitions, restricted to
// names libseccomp resolves on x86-64.
type syscallTable struct {
	source string
	groups map[string][]string
	// nonNative: names that resolve only to a pseudo number (a call of
	// another architecture); PID 1 keeps them in a filter, the analyzer
	// skips them when it walks a group.
	nonNative map[string]bool
	// resolvable: names PID 1 keeps in a filter (every name systemd knows
	// is in some group, @known at least); others it ignores.
	resolvable map[string]bool
}
