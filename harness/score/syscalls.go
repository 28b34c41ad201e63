package score

//go:generate go run ./internal/gensyscalls -var syscalls252 -out syscalls_252.go
//go:generate go run ./internal/gensyscalls -root /var/lib/hardenlab/rootfs/trixie-7b1fd969c801 -var syscalls257 -out syscalls_257.go

// syscallTable is one systemd version's @group definitions, restricted to
// names that resolve on x86-64.
type syscallTable struct {
	source string
	groups map[string][]string
}
