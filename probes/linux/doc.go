// Package linux names what the kernel numbers: capabilities, namespace
// types, socket address families, errno values and personalities, and reads
// those names the way systemd 252 and 257 read them in unit files. The
// numbers come from golang.org/x/sys/unix; the names, and which spellings
// systemd accepts, are tables here, so that the probes, the directive parser
// and the scorer share one copy.
package linux
