package directive

import (
	"fmt"
	"strings"
	"testing"
)

// keyClass says what a run does with a [Service] or [Unit] key: sent (a
// security directive or a plain row), read as another key (a legacy
// spelling), ignored with a note, or refused with a reason.
func keyClass(section, name string) (string, string) {
	if _, ok := Lookup(name); ok {
		return "sent", ""
	}
	if _, ok := lookupPlain(name); ok {
		return "sent", ""
	}
	if target, ok := legacyAliases[name]; ok {
		return "sent", "as " + target
	}
	p, ok := serviceKeyNote(name)
	if !ok && section == "Unit" {
		p, ok = unitKeyNote(name), true
	}
	switch {
	case !ok:
		return "unclassified", ""
	case p.blocksRun:
		return "refused", p.reason
	}
	return "ignored", p.reason
}

// Every key of every modelled release is sent, ignored with a note or
// refused with a reason; a [Service] key refused for a run is one that
// cannot be set on a transient unit at all, never one that merely lacks a
// converter.
func TestEveryKeyClassified(t *testing.T) {
	counts := map[string]int{}
	for _, section := range []string{"Service", "Unit"} {
		for name := range keySets()[section] {
			class, reason := keyClass(section, name)
			counts[class]++
			switch class {
			case "unclassified":
				t.Errorf("[%s] %s= is neither sent, ignored with a note nor refused with a reason", section, name)
			case "refused", "ignored":
				if strings.TrimSpace(reason) == "" {
					t.Errorf("[%s] %s= is %s without a reason", section, name, class)
				}
			}
			if class == "refused" && section == "Service" {
				t.Errorf("[Service] %s= is refused for a run (%s); systemd-run can set it, so it needs a converter", name, reason)
			}
		}
	}
	if counts["sent"] < 250 || counts["refused"] == 0 || counts["ignored"] == 0 {
		t.Errorf("classification %v: the key lists or the tables lost keys", counts)
	}
	// [Install] keys cannot change the sandbox: each is ignored with a note.
	var text strings.Builder
	text.WriteString("[Service]\nExecStart=/bin/true\n[Install]\n")
	var install []string
	for name := range keySets()["Install"] {
		install = append(install, name)
		fmt.Fprintf(&text, "%s=x.target\n", name)
	}
	u, err := Parse(strings.NewReader(text.String()), "i.service")
	if err != nil {
		t.Fatal(err)
	}
	if len(install) == 0 || len(u.Notes) != len(install) {
		t.Fatalf("%d [Install] keys, %d notes: %+v", len(install), len(u.Notes), u.Notes)
	}
	for _, n := range u.Notes {
		if n.BlocksRun || n.Reason != installNote {
			t.Errorf("[Install] %s=: %+v, want ignored with the [Install] note", n.Directive, n)
		}
	}
}

// The structured converters send what systemd-run -p sends for the same
// value (bus-unit-util.c), and merge later lines as the unit-file parser
// does; the values were read back from systemd 252 and 257.
func TestStructuredConverters(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		name  string
		want  []string
	}{
		{[]string{"IODeviceWeight=/dev/null 100", `IODeviceWeight="/dev/zero" 200`}, "IODeviceWeight", []string{`[("/dev/null" 100) ("/dev/zero" 200)]`}},
		{[]string{"IOReadBandwidthMax=/dev/null 1M", "IOWriteBandwidthMax=/dev/sda infinity"}, "IOReadBandwidthMax", []string{`[("/dev/null" 1000000)]`}},
		{[]string{"IOWriteBandwidthMax=/dev/sda infinity"}, "IOWriteBandwidthMax", []string{`[("/dev/sda" 18446744073709551615)]`}},
		{[]string{"IOReadIOPSMax=/dev/null 2K"}, "IOReadIOPSMax", []string{`[("/dev/null" 2000)]`}},
		{[]string{"IODeviceLatencyTargetSec=/dev/null 5"}, "IODeviceLatencyTargetSec", []string{`[("/dev/null" 5000000)]`}},
		{[]string{"BlockIOReadBandwidth=/dev/null 1K"}, "BlockIOReadBandwidth", []string{`[("/dev/null" 1000)]`}},
		{[]string{"AllowedCPUs=1 3", "AllowedCPUs=5-6,8"}, "AllowedCPUs", []string{`"j\x01\x00\x00\x00\x00\x00\x00"`}},
		{[]string{"CPUAffinity=0-40"}, "CPUAffinity", []string{`"\xff\xff\xff\xff\xff\x01\x00\x00"`, ""}},
		{[]string{"CPUAffinity=0-1", "CPUAffinity=numa"}, "CPUAffinity", []string{"", "true"}},
		{[]string{"CPUAffinity=numa", "CPUAffinity=2"}, "CPUAffinity", []string{`"\x04\x00\x00\x00\x00\x00\x00\x00"`, ""}},
		{[]string{"CPUAffinity=1", "CPUAffinity=", "CPUAffinity=3"}, "CPUAffinity", []string{`"\b\x00\x00\x00\x00\x00\x00\x00"`, ""}},
		{[]string{"NUMAPolicy=interleave"}, "NUMAPolicy", []string{"3"}},
		{[]string{"CoredumpFilter=private-anonymous", "CoredumpFilter=shared-dax"}, "CoredumpFilter", []string{"257"}},
		{[]string{"CoredumpFilter=0x3 elf-headers"}, "CoredumpFilter", []string{"19"}},
		{[]string{"CoredumpFilter=default"}, "CoredumpFilter", []string{"51"}},
		{[]string{"CoredumpFilter=all"}, "CoredumpFilter", []string{"4294967295"}},
		{[]string{"SocketBindAllow=ipv4:tcp:8080-8090", "SocketBindAllow=ipv6:udp:53", "SocketBindAllow=1234", "SocketBindAllow=tcp:80", "SocketBindAllow=any"},
			"SocketBindAllow", []string{"[(2 6 11 8080) (10 17 1 53) (0 0 1 1234) (0 6 1 80) (0 0 0 0)]"}},
		{[]string{"NFTSet=cgroup:inet:filter:svcs user:ip:t:u", "NFTSet=group:ip6:t2:g"}, "NFTSet", []string{`[(3 1 "filter" "svcs") (4 2 "t" "u") (5 10 "t2" "g")]`}},
		{[]string{"BPFProgram=egress:/sys/fs/bpf/a", "BPFProgram=ingress:/sys/fs/bpf/b"}, "BPFProgram", []string{`[("egress" "/sys/fs/bpf/a") ("ingress" "/sys/fs/bpf/b")]`}},
		{[]string{"OpenFile=/etc/hostname:hn:read-only,graceful", "OpenFile=/etc/os-release::append"}, "OpenFile", []string{`[("/etc/hostname" "hn" 9) ("/etc/os-release" "os-release" 2)]`}},
		{[]string{"RootHash=/a.roothash", "RootHash=0123456789ABCDEF0123456789abcdef"}, "RootHash", []string{`"\x01#Eg\x89\xab\xcd\xef\x01#Eg\x89\xab\xcd\xef"`, ""}},
		{[]string{"RootHash=/var/lib/x.roothash"}, "RootHash", []string{"", `"/var/lib/x.roothash"`}},
		{[]string{"RootHashSignature=base64:aGVsbG8="}, "RootHashSignature", []string{`"hello"`, ""}},
		{[]string{"RootImageOptions=ro usr:nosuid", "RootImageOptions=nodev"}, "RootImageOptions", []string{`[("root" "ro") ("usr" "nosuid") ("root" "nodev")]`}},
		{[]string{"MountImages=/a.raw:/m:root:ro:usr:nosuid", `MountImages="-/b c.raw":/n`, "MountImages=/c.raw:/o:nosuid"}, "MountImages",
			[]string{`[("/a.raw" "/m" false [("root" "ro") ("usr" "nosuid")]) ("/b c.raw" "/n" true []) ("/c.raw" "/o" false [("root" "nosuid")])]`}},
		{[]string{"ExtensionImages=/a.raw:root:ro:usr:nosuid -/b.raw"}, "ExtensionImages",
			[]string{`[("/a.raw" false [("root" "ro") ("usr" "nosuid")]) ("/b.raw" true [])]`}},
	} {
		s := resolveLines(t, tc.lines)
		if got := s.PlainValue(tc.name); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%v: %s = %q, want %q", tc.lines, tc.name, got, tc.want)
		}
	}
}

func resolveLines(t *testing.T, lines []string) *Settings {
	t.Helper()
	as, err := ParseAssignments(lines, "t.service", 1)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(as, true)
	if err != nil {
		t.Fatalf("%v: %v", lines, err)
	}
	return s
}

// What systemd 252 and 257 reported for the values sent (busctl
// get-property after systemd-run -p, and after a unit file with the same
// lines): PID 1 keeps one entry per device, hides infinite IO limits,
// prepends BPF programs and socket-bind rules, and reports CPU sets in
// whole 64-bit words.
func TestStructuredReadback(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		prop  string
		got   any
	}{
		{[]string{"IODeviceWeight=/dev/null 100", "IODeviceWeight=/dev/zero 200", "IODeviceWeight=/dev/null 300"}, "IODeviceWeight",
			[][]any{{"/dev/null", uint64(300)}, {"/dev/zero", uint64(200)}}},
		{[]string{"IOReadBandwidthMax=/dev/null 1M", "IOWriteIOPSMax=/dev/zero 5", "IOReadBandwidthMax=/dev/zero 2M", "IOReadBandwidthMax=/dev/null infinity"},
			"IOReadBandwidthMax", [][]any{{"/dev/zero", uint64(2000000)}}},
		{[]string{"IODeviceLatencyTargetSec=/dev/null 25ms", "IODeviceLatencyTargetSec=/dev/zero 1s", "IODeviceLatencyTargetSec=/dev/null infinity"},
			"IODeviceLatencyTargetUSec", [][]any{{"/dev/null", uint64(infinity)}, {"/dev/zero", uint64(1000000)}}},
		{[]string{"BPFProgram=egress:/sys/fs/bpf/a", "BPFProgram=egress:/sys/fs/bpf/a", "BPFProgram=ingress:/sys/fs/bpf/b"}, "BPFProgram",
			[][]any{{"ingress", "/sys/fs/bpf/b"}, {"egress", "/sys/fs/bpf/a"}, {"egress", "/sys/fs/bpf/a"}}},
		{[]string{"SocketBindDeny=ipv6:udp:100-200", "SocketBindDeny=any"}, "SocketBindDeny",
			[][]any{{int32(0), int32(0), uint16(0), uint16(0)}, {int32(10), int32(17), uint16(101), uint16(100)}}},
		{[]string{"AllowedCPUs=1 3", "AllowedCPUs=5-6,8"}, "AllowedCPUs", []byte{106, 1, 0, 0, 0, 0, 0, 0}},
		{[]string{"CPUAffinity=0-1", "CPUAffinity=numa"}, "CPUAffinityFromNUMA", true},
		{[]string{"OpenFile=/etc/os-release"}, "OpenFile", [][]any{{"/etc/os-release", "os-release", uint64(0)}}},
	} {
		s := resolveLines(t, tc.lines)
		got := map[string]any{}
		for _, p := range s.Properties() {
			got[p.Name] = roundTrip(t, p.Value)
		}
		got[tc.prop] = tc.got
		if m := checkPlainReadback(s, got); len(m) > 0 {
			t.Errorf("%v: systemd's %s = %v reads as a mismatch: %v", tc.lines, tc.prop, tc.got, m)
		}
		// The check can fail: a different value is a mismatch.
		got[tc.prop] = fmt.Sprint(tc.got)
		if len(checkPlainReadback(s, got)) == 0 {
			t.Errorf("%v: a wrong %s reads back without a mismatch", tc.lines, tc.prop)
		}
	}
}

// Values systemd's unit-file parser refuses (it logs and ignores the
// line) are refused, naming the directive and why.
func TestStructuredBadValues(t *testing.T) {
	for _, tc := range []struct{ line, reason string }{
		{"IODeviceWeight=/dev/null 10001", "from 1 to 10000"},
		{"IODeviceWeight=/dev/null", "DEVICE WEIGHT"},
		{"IOReadIOPSMax=/dev/null 0", "limit of 0"},
		{"BlockIOReadBandwidth=/dev/zero infinity", "Invalid Block IO Bandwidth"},
		{"BlockIODeviceWeight=/dev/null 5", "from 10 to 1000"},
		{"IOReadBandwidthMax=dev/null 1M", "not absolute"},
		{"AllowedCPUs=3-1", "not a CPU or range"},
		{"CPUAffinity=x", "not a CPU or range"},
		{"NUMAPolicy=sometimes", "unknown value"},
		{"CoredumpFilter=everything", "neither a coredump filter name"},
		{"SocketBindAllow=0", "within 1..65535"},
		{"SocketBindAllow=ipv4:sctp:80", "not [ipv4|ipv6:]"},
		{"NFTSet=cgroup:inet:filter", "not SOURCE:FAMILY:TABLE:SET"},
		{"NFTSet=address:inet:filter:s", "want a source of cgroup"},
		{"BPFProgram=/sys/fs/bpf/a", "not ATTACH-TYPE:PATH"},
		{"BPFProgram=xdp:/sys/fs/bpf/a", "unknown value"},
		{"OpenFile=/etc/a:a:append,truncate", "exclude each other"},
		{"OpenFile=/etc/a:a:sometimes", "at most once"},
		{"RootHash=0123", "too short"},
		{"RootHash=xyz", "neither an absolute path nor a hex"},
		{"RootHashSignature=aGVsbG8=", "neither an absolute path nor base64"},
		{"RootImageOptions=boot:ro", "partition \"boot\""},
		{"MountImages=/a.raw", "not SOURCE:DESTINATION"},
	} {
		_, err := ParseAssignment(tc.line, Source{File: "u.service", Line: 4})
		name, _, _ := strings.Cut(tc.line, "=")
		if err == nil || !strings.Contains(err.Error(), "u.service:4: "+name+"=") || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: %v, want FILE:LINE, the directive and %q", tc.line, err, tc.reason)
		}
	}
}
