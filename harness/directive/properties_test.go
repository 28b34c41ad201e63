package directive

import (
	"fmt"
	"strings"
	"testing"
)

func renderProps(s *Settings) string {
	var b strings.Builder
	for _, p := range s.Properties() {
		fmt.Fprintf(&b, "%s %s %v\n", p.Name, p.Value.Signature(), p.Value.Value())
	}
	return b.String()
}

// The properties come in table order: the service's own, then the
// descriptors area by area (PID 1 applies each on its own, so the order
// only has to be stable).
func TestPropertiesHardenedFixture(t *testing.T) {
	u, err := ParseFile("../../fixtures/p3test-hardened.service")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(u.Service, u.DefaultDependencies)
	if err != nil {
		t.Fatal(err)
	}
	want := `Type s simple
ExecStart a(sasb) [{/usr/bin/python3 [/usr/bin/python3 -m http.server] false}]
ExecStop a(sasb) [{/bin/kill [/bin/kill -9 $MAINPID] false}]
NoNewPrivileges b true
CapabilityBoundingSet t 1028
RestrictSUIDSGID b true
LockPersonality b true
PrivateTmp b true
PrivateDevices b true
RestrictNamespaces t 1040187392
ProtectKernelTunables b true
ProtectKernelModules b true
ProtectKernelLogs b true
ProtectControlGroups b true
ProtectClock b true
ProtectHostname b true
ProtectSystem s strict
ProtectHome s yes
IPAddressAllow a(iayu) [{2 [192 168 1 0] 24}]
`
	if got := renderProps(s); got != want {
		t.Errorf("properties:\n%s\nwant:\n%s", got, want)
	}
}

func TestPropertiesWireShapes(t *testing.T) {
	tests := []struct {
		lines []string
		want  string
	}{
		{[]string{"SystemCallFilter=@system-service", "SystemCallFilter=~@privileged"},
			"Type s simple\nSystemCallFilter (bas) {true [@system-service]}\nSystemCallFilter (bas) {false [@privileged]}\n"},
		{[]string{"SystemCallFilter=@system-service", "SystemCallFilter="},
			"Type s simple\nSystemCallFilter (bas) {false []}\n"},
		{[]string{"RestrictAddressFamilies=none"}, "Type s simple\nRestrictAddressFamilies (bas) {true []}\n"},
		{[]string{"IPAddressDeny=::1/128"}, "Type s simple\nIPAddressDeny a(iayu) [{10 [0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1] 128}]\n"},
		{[]string{"SystemCallErrorNumber=EPERM"}, "Type s simple\nSystemCallErrorNumber i 1\n"},
		{[]string{"SystemCallErrorNumber=kill"}, "Type s simple\nSystemCallErrorNumber i 2147483646\n"},
		{[]string{"UMask=0027"}, "Type s simple\nUMask u 23\n"},
		{[]string{"DeviceAllow=char-rtc"}, "Type s simple\nDeviceAllow a(ss) [{char-rtc rwm}]\n"},
		{[]string{"ExecStart=-@/bin/sleep sleepy 5"}, "Type s simple\nExecStart a(sasb) [{/bin/sleep [sleepy 5] true}]\n"},
		{[]string{"ReadWritePaths=/a", "ReadWritePaths="}, "Type s simple\nReadWritePaths as []\n"},
		{[]string{"CapabilityBoundingSet="}, "Type s simple\nCapabilityBoundingSet t 0\n"},
		{[]string{"ProtectSystem=no"}, "Type s simple\nProtectSystem s no\n"},
		{[]string{"DefaultDependencies=no", "Description=x"}, "Description s x\nDefaultDependencies b false\nType s simple\n"},
		{[]string{"RestrictNamespaces=uts", "RestrictNamespaces="}, "Type s simple\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.lines, ";"), func(t *testing.T) {
			s, err := Resolve(assignments(tc.lines...), true)
			if err != nil {
				t.Fatal(err)
			}
			if got := renderProps(s); got != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// Settings built by hand (as the scorer and profile code do) still render:
// fields that differ from the defaults are sent, ExecStart from argv.
func TestPropertiesHandBuilt(t *testing.T) {
	s := &Settings{
		DefaultDependencies:   true,
		ExecStart:             [][]string{{"/usr/bin/python3", "-m", "http.server"}},
		PrivateTmp:            true,
		CapabilityBoundingSet: ^uint64(0),
		RestrictNamespaces:    NamespacesAll,
		UMask:                 defaultUMask,
		ProtectSystem:         "strict",
	}
	want := "Type s simple\nExecStart a(sasb) [{/usr/bin/python3 [/usr/bin/python3 -m http.server] false}]\nPrivateTmp b true\nProtectSystem s strict\n"
	if got := renderProps(s); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPropertiesDefaultDependenciesFromUnit(t *testing.T) {
	s, err := Resolve(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := renderProps(s), "DefaultDependencies b false\nType s simple\n"; got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
