//go:build !amd64

package probes

// sysNumber knows no numbers off x86-64: the syscalls mode is x86-64 only.
func sysNumber(name string) (uintptr, bool) { return 0, false }

func sysNames() []string { return nil }
