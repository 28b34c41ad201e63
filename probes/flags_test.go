package probes

import (
	"io"
	"slices"
	"strings"
	"testing"
)

func TestParseFlagsRoundTrip(t *testing.T) {
	o, rest, err := ParseFlags("run", []string{"--only", "fs.umask, net.socket-packet", "--tcp-target", "127.0.0.1:1", "--rw-path", "/var/lib/x", "--skip-destructive-check", "--isolate-all", "extra"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.Only, []string{"fs.umask", "net.socket-packet"}) || o.TCPTarget != "127.0.0.1:1" || !o.SkipDestructiveCheck || !o.IsolateAll || !slices.Equal(rest, []string{"extra"}) {
		t.Fatalf("parsed %+v rest %v", o, rest)
	}
	o.Scratch = "/tmp/s"
	back, _, err := ParseFlags("child", o.childArgs(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if back.TCPTarget != o.TCPTarget || back.ReadWritePath != o.ReadWritePath || back.Scratch != o.Scratch {
		t.Errorf("child args lost options: %+v", back)
	}
}

func TestParseFlagsRejectsUnknownProbe(t *testing.T) {
	_, _, err := ParseFlags("run", []string{"--only", "fs.umask,fs.nope"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `"fs.nope"`) {
		t.Fatalf("error %v does not name the unknown id", err)
	}
	if _, _, err := ParseFlags("run", []string{"--timeout", "0s"}, io.Discard); err == nil {
		t.Fatal("a zero timeout was accepted")
	}
}
