package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/probes"
)

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want int
		says string
	}{
		{nil, 2, "usage"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"run", "--only", "fs.nope"}, 2, `"fs.nope"`},
		{[]string{"run", "stray"}, 2, "unexpected arguments"},
		{[]string{"child"}, 2, "missing probe id"},
		{[]string{"child", "fs.nope"}, 2, `"fs.nope"`},
		{[]string{"syscalls"}, 2, "no system call named"},
		{[]string{"syscalls", "--calls", "Swapon"}, 2, `"Swapon" is not a system call name`},
		{[]string{"syscalls", "--calls", "getpid", "--per-child", "-1"}, 2, "--per-child"},
		{[]string{"syscalls", "--calls", "getpid", "stray"}, 2, "unexpected arguments"},
		{[]string{probes.SyscallChildCommand}, 2, "one comma-separated list"},
		{[]string{probes.SyscallChildCommand, "pause"}, 2, "no harmless form"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		if got := realMain(context.Background(), tt.args, &out, &errb); got != tt.want {
			t.Errorf("%q: exit %d, want %d", tt.args, got, tt.want)
		}
		if !strings.Contains(errb.String(), tt.says) {
			t.Errorf("%q: stderr %q does not say %q", tt.args, errb.String(), tt.says)
		}
	}
}

func TestListPrintsTheRegistry(t *testing.T) {
	var out, errb bytes.Buffer
	if code := realMain(context.Background(), []string{"list"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var entries []probes.Entry
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(probes.Registry()) {
		t.Errorf("%d entries, want %d", len(entries), len(probes.Registry()))
	}
}

// The child sub-command prints one Result as JSON; a probe that needs no
// privilege gives the same answer in any unhardened test process.
func TestChildPrintsOneResult(t *testing.T) {
	var out, errb bytes.Buffer
	if code := realMain(context.Background(), []string{"child", "sys.wx-mmap"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var r probes.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.ID != "sys.wx-mmap" || r.Outcome != probes.Allowed {
		t.Errorf("got %+v", r)
	}
}
