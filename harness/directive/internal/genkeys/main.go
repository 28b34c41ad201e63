// Command genkeys writes the [Unit], [Service] and [Install] keys one
// systemd release knows, as Go data for harness/directive, from that
// release's own `systemd --dump-configuration-items`:
//
//	go run ./internal/genkeys -release 252 -out keys_252.go
//	go run ./internal/genkeys -release 257 -root /var/lib/hardenlab/rootfs/trixie-... -out keys_257.go
//
// With -root the binary runs chrooted into that root (needs root
// privileges), so a Debian trixie root gives systemd 257.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
)

func main() {
	root := flag.String("root", "", "run systemd chrooted into this root")
	release := flag.String("release", "", "the systemd major release the root holds (names the Go constants)")
	out := flag.String("out", "", "output file")
	flag.Parse()
	if *release == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "genkeys: -release and -out are required")
		os.Exit(2)
	}
	src, err := Generate(context.Background(), *root, *release)
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genkeys:", err)
		os.Exit(1)
	}
}
