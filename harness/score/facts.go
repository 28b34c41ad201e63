package score

import (
	"net/netip"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/probes/linux"
	"golang.org/x/sys/unix"
)

// facts is what the assessors look at: the unit's settings after the
// implications PID 1 applies when it loads a unit (DynamicUser=, masked
// capabilities, implied device rules), in the form systemd-analyze reads them.
type facts struct {
	defaultDependencies bool
	user                string
	dynamicUser         bool
	supplementaryGroups []string

	privateDevices, privateMounts, privateNetwork, privateTmp, privateUsers bool
	protectControlGroups, protectKernelModules, protectKernelTunables       bool
	protectKernelLogs, protectClock, protectHostname                        bool
	lockPersonality, memoryDenyWriteExecute, noNewPrivileges                bool
	removeIPC, delegate, restrictRealtime, restrictSUIDSGID                 bool

	protectHome, protectSystem, protectProc, procSubset string
	keyringMode, notifyAccess                           string
	rootDirectory, rootImage                            string

	capabilityBoundingSet, ambientCapabilities uint64
	restrictNamespaces                         uint64
	umask                                      uint32

	// restricted families, per bucket
	afINET, afUNIX, afNETLINK, afPACKET, afOTHER bool

	archs []string

	syscallTable     *syscallTable
	syscallAllowList bool
	syscalls         callSet // names in the effective filter

	ipDenyAll, ipAllowLocalhost, ipAllowOther bool

	devicePolicy string
	deviceAllow  []string // "path:perms", as systemd-analyze lists them
}

// deriveFacts reads the settings as PID 1 has them after loading the unit
// (directive's Effective holds those implications) and adds what the
// analyzer derives on top, for one version and mode.
func deriveFacts(s *directive.Settings, unitName string, sem semantics, online bool) *facts {
	s = s.Effective()
	f := &facts{
		defaultDependencies:    s.DefaultDependencies,
		user:                   s.User,
		dynamicUser:            s.DynamicUser,
		supplementaryGroups:    s.SupplementaryGroups,
		privateDevices:         s.PrivateDevices,
		privateMounts:          s.PrivateMounts,
		privateNetwork:         s.PrivateNetwork,
		privateTmp:             s.PrivateTmp,
		privateUsers:           s.PrivateUsers,
		protectControlGroups:   s.ProtectControlGroups,
		protectKernelModules:   s.ProtectKernelModules,
		protectKernelTunables:  s.ProtectKernelTunables,
		protectKernelLogs:      s.ProtectKernelLogs,
		protectClock:           s.ProtectClock,
		protectHostname:        s.ProtectHostname,
		lockPersonality:        s.LockPersonality,
		memoryDenyWriteExecute: s.MemoryDenyWriteExecute,
		noNewPrivileges:        s.NoNewPrivileges,
		removeIPC:              s.RemoveIPC,
		delegate:               s.Delegate,
		restrictRealtime:       s.RestrictRealtime,
		restrictSUIDSGID:       s.RestrictSUIDSGID,
		protectHome:            orDefault(s.ProtectHome, "no"),
		protectSystem:          orDefault(s.ProtectSystem, "no"),
		protectProc:            orDefault(s.ProtectProc, "default"),
		procSubset:             orDefault(s.ProcSubset, "all"),
		keyringMode:            orDefault(s.KeyringMode, "private"),
		rootDirectory:          s.RootDirectory,
		rootImage:              s.RootImage,
		capabilityBoundingSet:  s.CapabilityBoundingSet,
		ambientCapabilities:    s.AmbientCapabilities,
		restrictNamespaces:     s.RestrictNamespaces,
		umask:                  s.UMask,
		archs:                  s.SystemCallArchitectures,
		devicePolicy:           orDefault(s.DevicePolicy, "auto"),
		notifyAccess:           s.NotifyAccess,
	}
	if f.dynamicUser && f.user == "" {
		f.user = dynamicUserName(unitName)
	}
	for _, r := range s.DeviceAllow {
		f.deviceAllow = append(f.deviceAllow, r.Path+":"+r.Perms)
	}

	if !online && sem.offlineUnsetPrivateMountsIsGood && !s.Set("PrivateMounts") {
		f.privateMounts = true
	}
	// Online, systemd-analyze itself treats these as implying PrivateMounts=.
	if online {
		if f.privateDevices || f.privateTmp || f.protectControlGroups || f.protectKernelTunables ||
			f.protectKernelModules || f.protectHome != "no" || f.protectSystem != "no" || f.rootImage != "" {
			f.privateMounts = true
		}
	}

	af := s.RestrictAddressFamilies
	restricted := af.Set && af.Allow
	f.afINET, f.afUNIX, f.afNETLINK, f.afPACKET, f.afOTHER = restricted, restricted, restricted, restricted, restricted
	for _, fam := range af.Families {
		switch n, _ := linux.ParseAddressFamily(fam); n {
		case unix.AF_INET, unix.AF_INET6:
			f.afINET = !af.Allow
		case unix.AF_UNIX:
			f.afUNIX = !af.Allow
		case unix.AF_NETLINK:
			f.afNETLINK = !af.Allow
		case unix.AF_PACKET:
			f.afPACKET = !af.Allow
		default:
			f.afOTHER = !af.Allow
		}
	}

	f.syscallTable = sem.syscalls()
	f.syscallAllowList, f.syscalls = effectiveSyscallFilter(s.SystemCallFilter, sem.syscalls())

	f.ipDenyAll = denyAll(s.IPAddressDeny)
	for _, p := range s.IPAddressAllow {
		if isLocalhost(p, online) {
			f.ipAllowLocalhost = true
		} else {
			f.ipAllowOther = true
		}
	}
	return f
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// dynamicUserName is the user name PID 1 picks for DynamicUser= without
// User=: the unit name's prefix when that is a valid user name. Otherwise
// it makes up a "_du..." name, which only matters here in not being root
// or nobody.
func dynamicUserName(unitName string) string {
	base := unitName
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		base = base[i+1:]
	}
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	if i := strings.IndexByte(base, '@'); i >= 0 {
		base = base[:i]
	}
	if validUserName(base) {
		return base
	}
	return "_du"
}

func validUserName(s string) bool {
	if s == "" || len(s) > 31 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case (c >= '0' && c <= '9') || c == '-':
			if i == 0 {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// denyAll: both an IPv4 and an IPv6 /0 entry must be present.
func denyAll(deny []netip.Prefix) bool {
	var v4, v6 bool
	for _, p := range deny {
		if p.Bits() != 0 {
			continue
		}
		if p.Addr().Is4() {
			v4 = true
		} else if p.Addr().Is6() {
			v6 = true
		}
	}
	return v4 && v6
}

// isLocalhost classifies an IPAddressAllow= entry. Offline the analyzer
// looks only at the address; online it reads the prefixes from D-Bus and
// wants exactly 127.0.0.0/8 or ::1/128.
func isLocalhost(p netip.Prefix, online bool) bool {
	a := p.Addr()
	if online {
		if a.Is4() {
			return p.Bits() == 8 && a.As4()[0] == 127
		}
		return p.Bits() == 128 && a == netip.IPv6Loopback()
	}
	if a.Is4() {
		return a.As4()[0] == 127
	}
	return a == netip.IPv6Loopback()
}

// effectiveSyscallFilter merges SystemCallFilter= lines as PID 1 does: the
// first line decides allow- or deny-list mode (an allow-list starts from
// @default), later lines add names to the list or take them out of it.
// Unknown groups, unresolvable names and malformed "name:errno" entries
// are ignored, as PID 1 ignores them.
func effectiveSyscallFilter(lines []directive.FilterLine, t *syscallTable) (allowList bool, set callSet) {
	if len(lines) == 0 {
		return false, nil
	}
	allowList = lines[0].Allow
	set = newCallSet(t)
	if allowList {
		expandInto(set, "@default", true, t)
	}
	for _, l := range lines {
		add := l.Allow == allowList
		for _, entry := range l.Names {
			name, errno, hasErrno := strings.Cut(entry, ":")
			if hasErrno && (!directive.ValidSyscallAction(errno) || l.Allow) {
				continue
			}
			expandInto(set, name, add, t)
		}
	}
	return allowList, set
}

func expandInto(set callSet, name string, add bool, t *syscallTable) {
	if strings.HasPrefix(name, "@") {
		for _, m := range t.groups[name] {
			expandInto(set, m, add, t)
		}
		return
	}
	if n, ok := t.number(name); ok {
		set.put(n, add)
	}
}
