package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The generated key lists are what the installed systemd binaries dump
// today: the host's 252 and the cached trixie root's 257.
func TestKeysAreCurrent(t *testing.T) {
	roots, _ := filepath.Glob("/var/lib/hardenlab/rootfs/trixie-*")
	for _, tc := range []struct {
		release, file string
		roots         []string
	}{
		{"252", "keys_252.go", []string{""}},
		{"257", "keys_257.go", roots},
	} {
		t.Run(tc.release, func(t *testing.T) {
			if len(tc.roots) == 0 {
				t.Skip("no trixie root under /var/lib/hardenlab/rootfs (bin/hardenlab rootfs build debian:trixie makes one)")
			}
			root := tc.roots[0]
			if _, err := os.Stat(filepath.Join(root, binary)); err != nil {
				t.Skipf("no systemd binary to ask: %v", err)
			}
			if root != "" && os.Geteuid() != 0 {
				t.Skip("running systemd chrooted needs root")
			}
			if out, err := exec.Command(filepath.Join(root, binary), "--version").Output(); root == "" && (err != nil || !bytes.Contains(out, []byte("systemd "+tc.release))) {
				t.Skipf("the host's systemd is not %s: %s", tc.release, out)
			}
			got, err := Generate(context.Background(), root, tc.release)
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.ReadFile(filepath.Join("..", "..", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s is stale: run go generate ./harness/directive/", tc.file)
			}
		})
	}
}

func TestParseDump(t *testing.T) {
	dump := "[Unit]\nDescription=STRING\nAfter=UNIT [...]\n[Service]\nUser=OTHER\nType=SERVICETYPE\n[Install]\nWantedBy=OTHER\n[Socket]\nListenStream=SOCKET\n"
	keys, err := parseDump([]byte(dump))
	if err != nil {
		t.Fatal(err)
	}
	if got := keys["Service"]; len(got) != 2 || got[0] != "Type" || got[1] != "User" {
		t.Errorf("Service keys %v", got)
	}
	if _, err := parseDump([]byte("[Unit]\nDescription=STRING\n")); err == nil {
		t.Error("a dump without [Service] keys was accepted")
	}
	if _, err := parseDump([]byte("Orphan=X\n")); err == nil {
		t.Error("a key before any section was accepted")
	}
}
