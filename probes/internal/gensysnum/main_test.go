package main

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// The committed table must be what the generator makes from the x/sys the
// module requires: a bump of x/sys that adds system calls fails here until
// the table is regenerated.
func TestCommittedTableIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is needed to locate x/sys: %v", err)
	}
	src, err := xsysTable()
	if err != nil {
		t.Fatal(err)
	}
	want, err := render(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("../../sysnum_amd64.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("probes/sysnum_amd64.go is stale: run go generate ./probes/")
	}
}

func TestRenderRejectsAnEmptyTable(t *testing.T) {
	if _, err := render([]byte("package unix\n")); err == nil {
		t.Error("render of a file without SYS_ constants succeeded")
	}
}
