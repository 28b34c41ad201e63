package sysusers

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestReadAndMissing(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "usr/lib/sysusers.d")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "# comment\nu root 0 \"Super User\" /root\nu www-data 33 - /var/www\ng tty 5\nu! systemd-network 998:systemd-journal\nm www-data tty\nr - 500-900\n"
	if err := os.WriteFile(filepath.Join(dir, "basic.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Read(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		users, groups, want []string
	}{
		{[]string{"www-data", "root", "0", "65534"}, []string{"tty", "www-data", "systemd-journal"}, nil},
		{[]string{"systemd-network"}, nil, nil},
		{[]string{"redis", ""}, []string{"redis", "-"}, []string{"user redis", "group redis", "group -"}},
		{nil, []string{"r"}, []string{"group r"}},
	} {
		if got := a.Missing(tc.users, tc.groups); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Missing(%v, %v) = %v, want %v", tc.users, tc.groups, got, tc.want)
		}
	}
}

func TestReadOfThisMachine(t *testing.T) {
	a, err := Read("/")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("/usr/lib/sysusers.d/basic.conf"); err == nil && !a.Users["root"] {
		t.Errorf("basic.conf read, but no root user: %v", a.Users)
	}
}
