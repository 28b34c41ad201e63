package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/probes"
)

func TestCmdProbesText(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cmdProbes(context.Background(), nil, stdio{&out, &errb}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, p := range probes.Registry() {
		if !strings.Contains(out.String(), p.ID) || !strings.Contains(out.String(), p.Attempts) {
			t.Errorf("listing lacks %s or what it attempts", p.ID)
		}
	}
}

func TestCmdProbesFilters(t *testing.T) {
	var out, errb bytes.Buffer
	if code := cmdProbes(context.Background(), []string{"--json", "--directive", "RestrictNamespaces"}, stdio{&out, &errb}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var entries []probes.Entry
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) != 7 {
		t.Errorf("RestrictNamespaces has %d probes, want one per namespace type (7)", len(entries))
	}
	for _, e := range entries {
		if e.Area != "ns" {
			t.Errorf("%s is not in area ns", e.ID)
		}
	}
}

func TestCmdProbesUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"--area", "nope"}, {"--directive", "ProtectNothing"}, {"stray"}, {"--bogus"}} {
		var out, errb bytes.Buffer
		if code := cmdProbes(context.Background(), args, stdio{&out, &errb}); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
		if errb.Len() == 0 {
			t.Errorf("%q: nothing said on stderr", args)
		}
	}
}
