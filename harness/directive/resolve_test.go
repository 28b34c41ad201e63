package directive

import (
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func assignments(lines ...string) []Assignment {
	var out []Assignment
	for i, l := range lines {
		name, value, _ := strings.Cut(l, "=")
		out = append(out, Assignment{Name: name, Value: value, Source: Source{File: "t.service", Line: i + 1}})
	}
	return out
}

func prefixes(ss ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range ss {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}

const (
	capChown          = 1 << 0
	capDacReadSearch  = 1 << 2
	capNetBindService = 1 << 10
	capNetAdmin       = 1 << 12
	capNetRaw         = 1 << 13
	capSysAdmin       = 1 << 21
	nsCgroup          = 0x02000000
	nsUTS             = 0x04000000
	nsIPC             = 0x08000000
	nsUser            = 0x10000000
	nsPID             = 0x20000000
	nsNet             = 0x40000000
	nsMnt             = 0x00020000
	nsTime            = 0x00000080
)

// TestResolveGood: for every directive, values systemd accepts and the
// merge of repeated lines; want edits the defaults into the expected
// Settings, which must then match field for field.
func TestResolveGood(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		want  func(s *Settings)
	}{
		// [Unit]
		{"Description", []string{"Description=demo 100%% sure"}, func(s *Settings) { s.Description = "demo 100% sure" }},
		{"DefaultDependencies=no", []string{"DefaultDependencies=no"}, func(s *Settings) { s.DefaultDependencies = false }},

		// Booleans: every spelling, case-insensitive, last wins.
		{"NoNewPrivileges=yes", []string{"NoNewPrivileges=yes"}, func(s *Settings) { s.NoNewPrivileges = true }},
		{"boolean TRUE", []string{"PrivateTmp=TRUE"}, func(s *Settings) { s.PrivateTmp = true }},
		{"boolean On", []string{"PrivateDevices=On"}, func(s *Settings) { s.PrivateDevices = true }},
		{"boolean 1", []string{"PrivateNetwork=1"}, func(s *Settings) { s.PrivateNetwork = true }},
		{"boolean y", []string{"PrivateUsers=y"}, func(s *Settings) { s.PrivateUsers = true }},
		{"boolean t", []string{"PrivateMounts=t"}, func(s *Settings) { s.PrivateMounts = true }},
		{"boolean last wins", []string{"ProtectKernelTunables=yes", "ProtectKernelTunables=off"}, func(s *Settings) {}},
		{"ProtectKernelModules", []string{"ProtectKernelModules=true"}, func(s *Settings) { s.ProtectKernelModules = true }},
		{"ProtectKernelLogs", []string{"ProtectKernelLogs=yes"}, func(s *Settings) { s.ProtectKernelLogs = true }},
		{"ProtectControlGroups", []string{"ProtectControlGroups=yes"}, func(s *Settings) { s.ProtectControlGroups = true }},
		{"ProtectClock", []string{"ProtectClock=yes"}, func(s *Settings) { s.ProtectClock = true }},
		{"ProtectHostname", []string{"ProtectHostname=yes"}, func(s *Settings) { s.ProtectHostname = true }},
		{"RestrictSUIDSGID", []string{"RestrictSUIDSGID=true"}, func(s *Settings) { s.RestrictSUIDSGID = true }},
		{"RestrictRealtime", []string{"RestrictRealtime=yes"}, func(s *Settings) { s.RestrictRealtime = true }},
		{"MemoryDenyWriteExecute", []string{"MemoryDenyWriteExecute=yes"}, func(s *Settings) { s.MemoryDenyWriteExecute = true }},
		{"LockPersonality", []string{"LockPersonality=yes"}, func(s *Settings) { s.LockPersonality = true }},
		{"RemoveIPC", []string{"RemoveIPC=yes"}, func(s *Settings) { s.RemoveIPC = true }},
		{"Delegate", []string{"Delegate=yes"}, func(s *Settings) { s.Delegate = true }},
		{"PrivateIPC", []string{"PrivateIPC=yes"}, func(s *Settings) { s.flags = map[string]bool{"PrivateIPC": true} }},
		{"DynamicUser", []string{"DynamicUser=yes"}, func(s *Settings) { s.DynamicUser = true }},

		// Enumerations; ProtectSystem/ProtectHome also take booleans.
		{"ProtectSystem=strict", []string{"ProtectSystem=strict"}, func(s *Settings) { s.ProtectSystem = "strict" }},
		{"ProtectSystem=true", []string{"ProtectSystem=true"}, func(s *Settings) { s.ProtectSystem = "yes" }},
		{"ProtectSystem=off", []string{"ProtectSystem=full", "ProtectSystem=off"}, func(s *Settings) { s.ProtectSystem = "no" }},
		{"ProtectHome=read-only", []string{"ProtectHome=read-only"}, func(s *Settings) { s.ProtectHome = "read-only" }},
		{"ProtectHome=1", []string{"ProtectHome=1"}, func(s *Settings) { s.ProtectHome = "yes" }},
		{"ProtectHome=tmpfs", []string{"ProtectHome=tmpfs"}, func(s *Settings) { s.ProtectHome = "tmpfs" }},
		{"ProtectProc", []string{"ProtectProc=invisible"}, func(s *Settings) { s.ProtectProc = "invisible" }},
		{"ProcSubset", []string{"ProcSubset=pid"}, func(s *Settings) { s.ProcSubset = "pid" }},
		{"KeyringMode", []string{"KeyringMode=shared"}, func(s *Settings) { s.KeyringMode = "shared" }},
		{"DevicePolicy", []string{"DevicePolicy=closed"}, func(s *Settings) { s.DevicePolicy = "closed" }},
		{"NotifyAccess", []string{"NotifyAccess=main"}, func(s *Settings) { s.NotifyAccess = "main" }},
		{"Type", []string{"Type=notify"}, func(s *Settings) { s.Type = "notify" }},

		// Identity.
		{"User", []string{"User=nobody"}, func(s *Settings) { s.User = "nobody" }},
		{"User numeric", []string{"User=65534"}, func(s *Settings) { s.User = "65534" }},
		{"User reset", []string{"User=nobody", "User="}, func(s *Settings) {}},
		{"Group", []string{"Group=nogroup"}, func(s *Settings) { s.Group = "nogroup" }},
		{"SupplementaryGroups accumulate", []string{"SupplementaryGroups=adm", "SupplementaryGroups=daemon sys"},
			func(s *Settings) { s.SupplementaryGroups = []string{"adm", "daemon", "sys"} }},
		{"SupplementaryGroups reset", []string{"SupplementaryGroups=adm", "SupplementaryGroups=", "SupplementaryGroups=sys"},
			func(s *Settings) { s.SupplementaryGroups = []string{"sys"} }},
		{"UMask", []string{"UMask=0027"}, func(s *Settings) { s.UMask = 0o027 }},
		{"UMask short", []string{"UMask=77"}, func(s *Settings) { s.UMask = 0o077 }},

		// Capabilities (config_parse_capability_set).
		{"CapabilityBoundingSet tutorial", []string{"CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_DAC_READ_SEARCH"},
			func(s *Settings) { s.CapabilityBoundingSet = 1028 }},
		{"CapabilityBoundingSet lower case and number", []string{"CapabilityBoundingSet=cap_chown 10"},
			func(s *Settings) { s.CapabilityBoundingSet = capChown | capNetBindService }},
		{"CapabilityBoundingSet later lines add", []string{"CapabilityBoundingSet=CAP_CHOWN", "CapabilityBoundingSet=CAP_NET_RAW"},
			func(s *Settings) { s.CapabilityBoundingSet = capChown | capNetRaw }},
		{"CapabilityBoundingSet ~ removes", []string{"CapabilityBoundingSet=CAP_CHOWN CAP_NET_RAW", "CapabilityBoundingSet=~CAP_NET_RAW"},
			func(s *Settings) { s.CapabilityBoundingSet = capChown }},
		{"CapabilityBoundingSet ~ first", []string{"CapabilityBoundingSet=~CAP_SYS_ADMIN", "CapabilityBoundingSet=~CAP_NET_ADMIN"},
			func(s *Settings) { s.CapabilityBoundingSet = ^uint64(capSysAdmin | capNetAdmin) }},
		{"CapabilityBoundingSet empty is empty set", []string{"CapabilityBoundingSet=CAP_CHOWN", "CapabilityBoundingSet="},
			func(s *Settings) { s.CapabilityBoundingSet = 0 }},
		{"CapabilityBoundingSet empty then add replaces", []string{"CapabilityBoundingSet=", "CapabilityBoundingSet=CAP_CHOWN"},
			func(s *Settings) { s.CapabilityBoundingSet = capChown }},
		{"CapabilityBoundingSet ~ alone is all", []string{"CapabilityBoundingSet=CAP_CHOWN", "CapabilityBoundingSet=~"},
			func(s *Settings) { s.CapabilityBoundingSet = ^uint64(0) }},
		{"AmbientCapabilities accumulate", []string{"AmbientCapabilities=CAP_NET_BIND_SERVICE", "AmbientCapabilities=CAP_CHOWN"},
			func(s *Settings) { s.AmbientCapabilities = capNetBindService | capChown }},
		{"AmbientCapabilities ~ from empty", []string{"AmbientCapabilities=~CAP_CHOWN"},
			func(s *Settings) { s.AmbientCapabilities = ^uint64(capChown) }},

		// Namespaces (config_parse_restrict_namespaces).
		{"RestrictNamespaces tutorial", []string{"RestrictNamespaces=uts ipc pid user cgroup"},
			func(s *Settings) { s.RestrictNamespaces = 1040187392 }},
		{"RestrictNamespaces yes", []string{"RestrictNamespaces=yes"}, func(s *Settings) { s.RestrictNamespaces = 0 }},
		{"RestrictNamespaces no", []string{"RestrictNamespaces=uts", "RestrictNamespaces=no"}, func(s *Settings) { s.RestrictNamespaces = NamespacesAll }},
		{"RestrictNamespaces ~", []string{"RestrictNamespaces=~net user"}, func(s *Settings) { s.RestrictNamespaces = NamespacesAll &^ (nsNet | nsUser) }},
		{"RestrictNamespaces merge add", []string{"RestrictNamespaces=uts", "RestrictNamespaces=ipc"}, func(s *Settings) { s.RestrictNamespaces = nsUTS | nsIPC }},
		{"RestrictNamespaces merge remove", []string{"RestrictNamespaces=uts ipc", "RestrictNamespaces=~uts"}, func(s *Settings) { s.RestrictNamespaces = nsIPC }},
		{"RestrictNamespaces after no merges", []string{"RestrictNamespaces=no", "RestrictNamespaces=~net"}, func(s *Settings) { s.RestrictNamespaces = NamespacesAll &^ nsNet }},
		{"RestrictNamespaces yes then list merges", []string{"RestrictNamespaces=yes", "RestrictNamespaces=mnt"}, func(s *Settings) { s.RestrictNamespaces = nsMnt }},
		{"RestrictNamespaces reset then list replaces", []string{"RestrictNamespaces=uts", "RestrictNamespaces=", "RestrictNamespaces=pid"}, func(s *Settings) { s.RestrictNamespaces = nsPID }},
		{"RestrictNamespaces time", []string{"RestrictNamespaces=time cgroup"}, func(s *Settings) { s.RestrictNamespaces = nsTime | nsCgroup }},

		// SystemCallFilter keeps the lines after the last reset.
		{"SystemCallFilter lines", []string{"SystemCallFilter=@system-service", "SystemCallFilter=~@privileged @resources", "SystemCallFilter=~ptrace:EPERM mount:kill uname:0"},
			func(s *Settings) {
				s.SystemCallFilter = []FilterLine{{Allow: true, Names: []string{"@system-service"}},
					{Allow: false, Names: []string{"@privileged", "@resources"}}, {Allow: false, Names: []string{"ptrace:EPERM", "mount:kill", "uname:0"}}}
			}},
		{"SystemCallFilter reset", []string{"SystemCallFilter=@system-service", "SystemCallFilter=", "SystemCallFilter=~@mount"},
			func(s *Settings) { s.SystemCallFilter = []FilterLine{{Allow: false, Names: []string{"@mount"}}} }},
		{"SystemCallErrorNumber name", []string{"SystemCallErrorNumber=eperm"}, func(s *Settings) { s.SystemCallErrorNumber = "EPERM" }},
		{"SystemCallErrorNumber number", []string{"SystemCallErrorNumber=13"}, func(s *Settings) { s.SystemCallErrorNumber = "EACCES" }},
		{"SystemCallErrorNumber kill", []string{"SystemCallErrorNumber=kill"}, func(s *Settings) { s.SystemCallErrorNumber = "kill" }},
		{"SystemCallErrorNumber reset", []string{"SystemCallErrorNumber=EPERM", "SystemCallErrorNumber="}, func(s *Settings) {}},
		{"SystemCallArchitectures merge", []string{"SystemCallArchitectures=native", "SystemCallArchitectures=x86 native"},
			func(s *Settings) { s.SystemCallArchitectures = []string{"native", "x86"} }},

		// RestrictAddressFamilies (config_parse_address_families).
		{"RestrictAddressFamilies allow", []string{"RestrictAddressFamilies=AF_UNIX af_inet AF_INET6"},
			func(s *Settings) {
				s.RestrictAddressFamilies = AddressFamilies{Set: true, Allow: true, Families: []string{"AF_INET", "AF_INET6", "AF_UNIX"}}
			}},
		{"RestrictAddressFamilies allow then ~ removes", []string{"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "RestrictAddressFamilies=~AF_INET6"},
			func(s *Settings) {
				s.RestrictAddressFamilies = AddressFamilies{Set: true, Allow: true, Families: []string{"AF_INET", "AF_UNIX"}}
			}},
		{"RestrictAddressFamilies deny accumulates", []string{"RestrictAddressFamilies=~AF_PACKET", "RestrictAddressFamilies=~AF_NETLINK"},
			func(s *Settings) {
				s.RestrictAddressFamilies = AddressFamilies{Set: true, Families: []string{"AF_NETLINK", "AF_PACKET"}}
			}},
		{"RestrictAddressFamilies none", []string{"RestrictAddressFamilies=AF_UNIX", "RestrictAddressFamilies=none"},
			func(s *Settings) { s.RestrictAddressFamilies = AddressFamilies{Set: true, Allow: true} }},
		{"RestrictAddressFamilies none then list fixes mode again", []string{"RestrictAddressFamilies=none", "RestrictAddressFamilies=~AF_INET"},
			func(s *Settings) {
				s.RestrictAddressFamilies = AddressFamilies{Set: true, Families: []string{"AF_INET"}}
			}},
		{"RestrictAddressFamilies ~ alone fixes deny mode", []string{"RestrictAddressFamilies=~", "RestrictAddressFamilies=AF_INET"},
			func(s *Settings) { s.RestrictAddressFamilies = AddressFamilies{Set: true} }},
		{"RestrictAddressFamilies reset", []string{"RestrictAddressFamilies=AF_UNIX", "RestrictAddressFamilies="}, func(s *Settings) {}},
		{"RestrictAddressFamilies alias", []string{"RestrictAddressFamilies=AF_LOCAL"},
			func(s *Settings) {
				s.RestrictAddressFamilies = AddressFamilies{Set: true, Allow: true, Families: []string{"AF_UNIX"}}
			}},

		// IPAddressAllow/Deny accumulate as a set; keywords expand.
		{"IPAddressAllow tutorial", []string{"IPAddressAllow=192.168.1.0/24"}, func(s *Settings) { s.IPAddressAllow = prefixes("192.168.1.0/24") }},
		{"IPAddressAllow masks host bits", []string{"IPAddressAllow=192.168.1.77/24 2001:db8::1/32 10.0.0.1"},
			func(s *Settings) { s.IPAddressAllow = prefixes("192.168.1.0/24", "2001:db8::/32", "10.0.0.1/32") }},
		{"IPAddressAllow keywords", []string{"IPAddressAllow=localhost link-local", "IPAddressAllow=multicast"},
			func(s *Settings) {
				s.IPAddressAllow = prefixes("127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/64", "224.0.0.0/4", "ff00::/8")
			}},
		{"IPAddressAllow localhost.localdomain", []string{"IPAddressAllow=foo.localhost."}, func(s *Settings) { s.IPAddressAllow = prefixes("127.0.0.0/8", "::1/128") }},
		{"IPAddressDeny any", []string{"IPAddressDeny=any"}, func(s *Settings) { s.IPAddressDeny = prefixes("0.0.0.0/0", "::/0") }},
		{"IPAddressDeny dedupe and reset", []string{"IPAddressDeny=10.0.0.0/8", "IPAddressDeny=", "IPAddressDeny=any any"},
			func(s *Settings) { s.IPAddressDeny = prefixes("0.0.0.0/0", "::/0") }},

		// Path lists.
		{"ReadWritePaths accumulate", []string{"ReadWritePaths=/var/lib/a -/var/lib/b", "ReadWritePaths=\"/srv/with space\""},
			func(s *Settings) { s.ReadWritePaths = []string{"/var/lib/a", "-/var/lib/b", "/srv/with space"} }},
		{"ReadOnlyPaths simplify and +", []string{"ReadOnlyPaths=//usr/./share/ -+/etc"},
			func(s *Settings) { s.ReadOnlyPaths = []string{"/usr/share", "-+/etc"} }},
		{"InaccessiblePaths reset", []string{"InaccessiblePaths=/root", "InaccessiblePaths=", "InaccessiblePaths=/home"},
			func(s *Settings) { s.InaccessiblePaths = []string{"/home"} }},

		// Devices.
		{"DeviceAllow", []string{"DeviceAllow=/dev/null rw", "DeviceAllow=char-rtc", "DeviceAllow=block-loop mr"},
			func(s *Settings) {
				s.DeviceAllow = []DeviceRule{{"/dev/null", "rw"}, {"char-rtc", "rwm"}, {"block-loop", "rm"}}
			}},
		{"DeviceAllow reset", []string{"DeviceAllow=/dev/null", "DeviceAllow="}, func(s *Settings) {}},

		// Commands.
		{"ExecStart", []string{"ExecStart=/usr/bin/python3 -m http.server"}, func(s *Settings) {
			s.ExecStartCommands = []ExecCommand{{Path: "/usr/bin/python3", Argv: []string{"/usr/bin/python3", "-m", "http.server"}}}
			s.ExecStart = [][]string{{"/usr/bin/python3", "-m", "http.server"}}
		}},
		{"ExecStop $MAINPID kept", []string{"ExecStop=/bin/kill -9 $MAINPID"}, func(s *Settings) {
			s.ExecStopCommands = []ExecCommand{{Path: "/bin/kill", Argv: []string{"/bin/kill", "-9", "$MAINPID"}}}
			s.ExecStop = [][]string{{"/bin/kill", "-9", "$MAINPID"}}
		}},
		{"ExecStart prefixes quotes escapes", []string{`ExecStart=-@/bin/sh sh -c "echo 'a b'\x21" \;`}, func(s *Settings) {
			s.ExecStartCommands = []ExecCommand{{Path: "/bin/sh", Argv: []string{"sh", "-c", "echo 'a b'!", ";"}, IgnoreFailure: true, SeparateArgv0: true}}
			s.ExecStart = [][]string{{"sh", "-c", "echo 'a b'!", ";"}}
		}},
		{"ExecStart reset", []string{"ExecStart=/bin/false", "ExecStart=", "ExecStart=python3"}, func(s *Settings) {
			s.ExecStartCommands = []ExecCommand{{Path: "python3", Argv: []string{"python3"}}}
			s.ExecStart = [][]string{{"python3"}}
		}},
		{"ExecStop several with ;", []string{"ExecStop=/bin/echo a ; /bin/echo b", "ExecStop=/bin/true"}, func(s *Settings) {
			s.ExecStopCommands = []ExecCommand{{Path: "/bin/echo", Argv: []string{"/bin/echo", "a"}},
				{Path: "/bin/echo", Argv: []string{"/bin/echo", "b"}}, {Path: "/bin/true", Argv: []string{"/bin/true"}}}
			s.ExecStop = [][]string{{"/bin/echo", "a"}, {"/bin/echo", "b"}, {"/bin/true"}}
		}},
		{"oneshot may have several ExecStart", []string{"Type=oneshot", "ExecStart=/bin/true", "ExecStart=/bin/true"}, func(s *Settings) {
			s.Type = "oneshot"
			s.ExecStartCommands = []ExecCommand{{Path: "/bin/true", Argv: []string{"/bin/true"}}, {Path: "/bin/true", Argv: []string{"/bin/true"}}}
			s.ExecStart = [][]string{{"/bin/true"}, {"/bin/true"}}
		}},

		// Service odds and ends.
		{"WorkingDirectory", []string{"WorkingDirectory=/srv//www/"}, func(s *Settings) { s.WorkingDirectory = "/srv/www" }},
		{"WorkingDirectory -~", []string{"WorkingDirectory=-~"}, func(s *Settings) { s.WorkingDirectory = "-~" }},
		{"WorkingDirectory reset", []string{"WorkingDirectory=/srv", "WorkingDirectory="}, func(s *Settings) {}},
		{"Environment replace in place", []string{`Environment=A=1 "B=x y" C=\x41`, "Environment=A=2"},
			func(s *Settings) { s.Environment = []string{"A=2", "B=x y", "C=A"} }},
		{"Environment reset", []string{"Environment=A=1", "Environment=", "Environment=B="}, func(s *Settings) { s.Environment = []string{"B="} }},
		{"RootDirectory", []string{"RootDirectory=/srv/root/"}, func(s *Settings) { s.RootDirectory = "/srv/root" }},
		{"RootImage", []string{"RootImage=/var/lib/machines/x.raw"}, func(s *Settings) { s.RootImage = "/var/lib/machines/x.raw" }},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		for _, l := range tc.lines {
			name, _, _ := strings.Cut(l, "=")
			covered[name] = true
		}
	}
	for _, spec := range Specs() {
		if !covered[spec.Name] {
			t.Errorf("no good case for %s", spec.Name)
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(assignments(tc.lines...), true)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			want := newSettings(true)
			tc.want(want)
			want.assigned, got.assigned = nil, nil
			if !reflect.DeepEqual(got, want) {
				gv, wv := reflect.ValueOf(*got), reflect.ValueOf(*want)
				for i := 0; i < gv.NumField(); i++ {
					if gv.Type().Field(i).IsExported() && !reflect.DeepEqual(gv.Field(i).Interface(), wv.Field(i).Interface()) {
						t.Errorf("%s = %#v, want %#v", gv.Type().Field(i).Name, gv.Field(i).Interface(), wv.Field(i).Interface())
					}
				}
			}
		})
	}
}

// TestResolveBad: values systemd would refuse or silently ignore are
// errors naming file:line, directive, value and reason.
func TestResolveBad(t *testing.T) {
	tests := []struct {
		line   string
		reason string
	}{
		{"NoSuchDirective=1", "unknown directive"},
		{"protectsystem=strict", "unknown directive"},
		{"WantedBy=multi-user.target", "an [Install] key"},
		{"Restart=sometimes", "unknown value (want one of no, on-success"},
		{"NoNewPrivileges=maybe", "not a boolean"},
		{"PrivateTmp=", "do not reset a boolean"},
		{"ProtectSystem=everything", "unknown value"},
		{"ProtectSystem=", "empty value"},
		{"ProtectHome=Read-Only", "unknown value"},
		{"ProtectProc=hidden", "unknown value"},
		{"ProcSubset=some", "unknown value"},
		{"KeyringMode=none", "unknown value"},
		{"DevicePolicy=open", "unknown value"},
		{"NotifyAccess=everyone", "unknown value"},
		{"Type=notify-relaod", "unknown value"},
		{"Delegate=cpu bogus", `unknown cgroup controller "bogus"`},
		{"User=-root", "starts with -"},
		{"User=a:b", "contains"},
		{"User=4294967295", "out of range"},
		{"Group=%i", "unit specifier"},
		{"SupplementaryGroups=adm bad/name", "contains"},
		{"UMask=0999", "octal"},
		{"UMask=17777", "octal"},
		{"UMask=-022", "octal"},
		{"UMask=", "octal"},
		{"CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_FLY", `unknown capability "CAP_FLY"`},
		{"CapabilityBoundingSet=64", "unknown capability"},
		{"AmbientCapabilities=~CAP_NOPE", "unknown capability"},
		{"RestrictNamespaces=uts bogus", `unknown namespace type "bogus"`},
		{"RestrictNamespaces=UTS", "unknown namespace type"},
		{"SystemCallFilter=@nonsense", `unknown system call group "@nonsense"`},
		{"SystemCallFilter=not_a_syscall", "unknown system call"},
		{"SystemCallFilter=ptrace:EPERM", "only denied system calls"},
		{"SystemCallFilter=~ptrace:EBOGUS", "unknown errno"},
		{"SystemCallFilter=~", "empty list"},
		{"SystemCallErrorNumber=EBOGUS", "not an errno"},
		{"SystemCallErrorNumber=0", "not an errno"},
		{"SystemCallErrorNumber=4096", "not an errno"},
		{"SystemCallArchitectures=native vax", `unknown architecture "vax"`},
		{"RestrictAddressFamilies=AF_UNIX AF_BOGUS", `unknown address family "AF_BOGUS"`},
		{"RestrictAddressFamilies=~AF_NOPE", "unknown address family"},
		{"IPAddressAllow=192.168.1.0/33", "bad prefix length"},
		{"IPAddressAllow=192.168.1", "not an IP address"},
		{"IPAddressDeny=fe80::1%eth0", "not an IP address"},
		{"IPAddressDeny=anywhere", "not an IP address"},
		{"ReadWritePaths=var/lib", "not absolute"},
		{"ReadOnlyPaths=/usr/../etc", `".."`},
		{"InaccessiblePaths=\"/unbalanced", "unbalanced quote"},
		{"ReadWritePaths=/var/%n", "unit specifier"},
		{"DeviceAllow=/etc/passwd r", "neither a device node"},
		{"DeviceAllow=/dev/null rwx", "may only contain r, w and m"},
		{"ExecStart=-", "empty executable path"},
		{"ExecStart=/usr/bin/", "is a directory"},
		{"ExecStart=bin/python3", "neither an absolute path nor a plain file name"},
		{"ExecStart=@/bin/true", "empty argv[0]"},
		{"ExecStart=/bin/echo \"unterminated", "unbalanced quote"},
		{"ExecStart=/bin/echo \\q", "unknown escape"},
		{"ExecStop=/bin/kill %p", "unit specifier"},
		{"WorkingDirectory=relative", "not absolute"},
		{"Environment=1A=x", "valid variable name"},
		{"Environment=JUSTNAME", "VAR=value"},
		{"RootDirectory=srv", "not absolute"},
		{"RootImage=/a/../b", `".."`},
		{"Description=%n", "unit specifier"},
		{"DefaultDependencies=perhaps", "not a boolean"},
		{"PrivateTmp=yes\nPrivateNetwork=yes", "newline"},
		{"PrivateTmp=yes\x00", "NUL"},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			as := assignments(tc.line)
			_, err := Resolve(as, true)
			if err == nil {
				t.Fatalf("Resolve accepted %q", tc.line)
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("error is not a *Error: %v", err)
			}
			if de.Source != as[0].Source || de.Directive != as[0].Name {
				t.Errorf("error names %v %s, want %v %s", de.Source, de.Directive, as[0].Source, as[0].Name)
			}
			if !strings.Contains(de.Reason, tc.reason) {
				t.Errorf("reason %q does not mention %q", de.Reason, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "t.service:1: "+as[0].Name+"=") {
				t.Errorf("message %q does not start with file:line: Directive=", err)
			}
		})
	}
}

func TestResolveAllErrorsAndCrossChecks(t *testing.T) {
	_, err := Resolve(assignments("PrivateTmp=maybe", "ProtectSystem=strict", "UMask=9", "ExecStart=/bin/a", "ExecStart=/bin/b"), true)
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{"t.service:1: PrivateTmp=maybe", "t.service:3: UMask=9", "t.service:5: ExecStart=", "only allowed with Type=oneshot"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("joined error lacks %q:\n%v", want, err)
		}
	}
}

func TestSetTracksAssignments(t *testing.T) {
	s, err := Resolve(assignments("ProtectSystem=no", "RestrictNamespaces=uts", "RestrictNamespaces=", "SystemCallErrorNumber=EPERM", "SystemCallErrorNumber="), true)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{
		"ProtectSystem":         true,  // written out, even at its default
		"PrivateTmp":            false, // never named
		"RestrictNamespaces":    false, // reset to systemd's "never set"
		"SystemCallErrorNumber": false,
		"NoSuchThing":           false,
	} {
		if got := s.Set(name); got != want {
			t.Errorf("Set(%s) = %v, want %v", name, got, want)
		}
	}
	var nilSettings *Settings
	if nilSettings.Set("PrivateTmp") {
		t.Error("nil Settings reports a directive as set")
	}
}

func TestEffective(t *testing.T) {
	s, err := Resolve(assignments("DynamicUser=yes", "PrivateDevices=yes", "ProtectClock=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes"), true)
	if err != nil {
		t.Fatal(err)
	}
	e := s.Effective()
	if !e.PrivateTmp || !e.RemoveIPC || e.ProtectSystem != "strict" || e.ProtectHome != "read-only" || !e.NoNewPrivileges || !e.RestrictSUIDSGID {
		t.Errorf("DynamicUser implications missing: %+v", e)
	}
	if e.DevicePolicy != "closed" {
		t.Errorf("DevicePolicy = %s, want closed", e.DevicePolicy)
	}
	dropped := uint64(1<<27 | 1<<17 | 1<<25 | 1<<35 | 1<<16 | 1<<34)
	if e.CapabilityBoundingSet != ^dropped {
		t.Errorf("CapabilityBoundingSet = %#x, want %#x", e.CapabilityBoundingSet, ^dropped)
	}
	if s.PrivateTmp || s.CapabilityBoundingSet != ^uint64(0) {
		t.Error("Effective modified its receiver")
	}
}

// badValueByKind is one refused value per value kind, so that every
// directive is tried with a bad value, not only the ones listed above.
func badValueByKind() map[Kind]string {
	return map[Kind]string{
		KindBool:          "maybe",
		KindEnum:          "bogus-value",
		KindText:          "%n",
		KindPath:          "relative/path",
		KindUser:          "a:b",
		KindUsers:         "adm a/b",
		KindMode:          "8",
		KindCapabilities:  "CAP_NOPE",
		KindNamespaces:    "nope",
		KindSyscalls:      "@nope",
		KindErrno:         "ENOPE",
		KindArchitectures: "vax",
		KindFamilies:      "AF_NOPE",
		KindAddresses:     "300.1.1.1",
		KindPaths:         "relative/path",
		KindDevice:        "/etc/passwd r",
		KindCommand:       "/bin/true/",
		KindEnvironment:   "1=2",
		KindDirectory:     "relative/path",
		KindDelegate:      "memory nope",
	}
}

func TestEveryDirectiveRefusesABadValue(t *testing.T) {
	for _, spec := range Specs() {
		bad, ok := badValueByKind()[spec.Kind]
		if !ok {
			t.Errorf("%s: no bad value for kind %q", spec.Name, spec.Kind)
			continue
		}
		_, err := Resolve(assignments(spec.Name+"="+bad), true)
		var de *Error
		if !errors.As(err, &de) || de.Directive != spec.Name || de.Source.Line != 1 {
			t.Errorf("%s=%s: got %v, want an *Error for line 1", spec.Name, bad, err)
		}
	}
}
