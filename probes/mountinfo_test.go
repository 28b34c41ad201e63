package probes

import (
	"strings"
	"testing"
)

const sampleMountinfo = `137 97 0:38 / / rw shared:1 - tmpfs tmpfs rw,size=6170908k,mode=755
138 137 254:0 /usr /usr ro,relatime shared:2 - ext4 /dev/vda rw,discard
139 137 0:39 / /tmp rw,nosuid,nodev shared:3 - tmpfs tmpfs rw,size=2468364k
200 139 0:39 /systemd-private-abc-p3test.service-XyZ/tmp /tmp rw,nosuid,nodev shared:3 - tmpfs tmpfs rw
141 137 0:40 / /dev rw,nosuid shared:5 - tmpfs tmpfs rw,size=4096k,mode=755
41 137 0:45 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw,hidepid=invisible
42 41 0:45 /sys /proc/sys ro,nosuid,nodev,noexec,relatime - proc proc rw
43 137 0:46 / /sys/fs/cgroup ro,nosuid,nodev,noexec - cgroup2 cgroup2 rw
44 137 0:47 / /run/my\040dir rw - tmpfs tmpfs rw
`

func TestParseMountinfo(t *testing.T) {
	ms, err := parseMountinfo(strings.NewReader(sampleMountinfo), "sample")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 9 {
		t.Fatalf("parsed %d mounts, want 9", len(ms))
	}
	if ms[8].MountPoint != "/run/my dir" {
		t.Errorf("octal escape not undone: %q", ms[8].MountPoint)
	}
	if ms[1].FSType != "ext4" || !ms[1].has("ro") || ms[1].Root != "/usr" {
		t.Errorf("usr mount = %+v", ms[1])
	}
	if ms[5].super("hidepid") != "invisible" {
		t.Errorf("hidepid = %q", ms[5].super("hidepid"))
	}
}

func TestParseMountinfoNamesFileAndLine(t *testing.T) {
	_, err := parseMountinfo(strings.NewReader("137 97 0:38 / / rw - tmpfs tmpfs rw\nbroken line\n"), "/proc/1/mountinfo")
	if err == nil || !strings.Contains(err.Error(), "/proc/1/mountinfo:2") {
		t.Fatalf("error %v does not name file:line", err)
	}
}

func TestCoveringPrefersTheLastMountOnTheDeepestPoint(t *testing.T) {
	ms, _ := parseMountinfo(strings.NewReader(sampleMountinfo), "sample")
	tests := map[string]string{
		"/tmp":            "/systemd-private-abc-p3test.service-XyZ/tmp", // shadows the first /tmp
		"/tmp/x/y":        "/systemd-private-abc-p3test.service-XyZ/tmp",
		"/usr/lib":        "/usr",
		"/etc":            "/",
		"/proc/sys/vm":    "/sys",
		"/tmpfoo":         "/", // a sibling with a common prefix is not under /tmp
		"/sys/fs/cgroup/": "/",
	}
	for p, root := range tests {
		m, ok := covering(ms, p)
		if !ok || m.Root != root {
			t.Errorf("covering(%q) root = %q, want %q", p, m.Root, root)
		}
	}
}

func TestSummarizeMounts(t *testing.T) {
	ms, _ := parseMountinfo(strings.NewReader(sampleMountinfo), "sample")
	got := map[string]MountPoint{}
	for _, m := range summarizeMounts(ms) {
		got[m.Path] = m
	}
	want := map[string]string{
		"/usr":           "ro",
		"/tmp":           "rw,nosuid,nodev",
		"/proc":          "rw,nosuid,nodev,noexec,hidepid=invisible",
		"/proc/sys":      "ro,nosuid,nodev,noexec",
		"/sys/fs/cgroup": "ro,nosuid,nodev,noexec",
		"/etc":           "rw",
	}
	for p, flags := range want {
		if got[p].Flags != flags {
			t.Errorf("%s flags = %q, want %q", p, got[p].Flags, flags)
		}
	}
	if len(got) != len(summaryPaths()) {
		t.Errorf("summary has %d paths, want %d", len(got), len(summaryPaths()))
	}
}

func BenchmarkParseOwnMountinfo(b *testing.B) {
	for b.Loop() {
		if _, err := selfMounts(); err != nil {
			b.Fatal(err)
		}
	}
}
