package score

import (
	"net/netip"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/probes/linux"
)

// defaults is what directive.Resolve gives for an empty [Service].
func defaults() *directive.Settings {
	return &directive.Settings{
		DefaultDependencies:   true,
		Type:                  "simple",
		UMask:                 0o022,
		ProtectSystem:         "no",
		ProtectHome:           "no",
		ProtectProc:           "default",
		ProcSubset:            "all",
		DevicePolicy:          "auto",
		CapabilityBoundingSet: ^uint64(0),
		RestrictNamespaces:    directive.NamespacesAll,
	}
}

// tutorialHardened is fixtures/p3test-hardened.service, built by hand.
func tutorialHardened() *directive.Settings {
	s := defaults()
	s.PrivateTmp = true
	s.ProtectHome = "yes"
	s.NoNewPrivileges = true
	s.ProtectSystem = "strict"
	s.CapabilityBoundingSet = linux.CapabilityMask(linux.CapNetBindService, linux.CapDacReadSearch)
	s.RestrictNamespaces = uint64(linux.NamespaceUTS | linux.NamespaceIPC | linux.NamespacePID | linux.NamespaceUser | linux.NamespaceCgroup)
	s.ProtectKernelTunables = true
	s.ProtectKernelModules = true
	s.ProtectControlGroups = true
	s.PrivateDevices = true
	s.RestrictSUIDSGID = true
	s.IPAddressAllow = []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24")}
	s.LockPersonality = true
	s.ProtectHostname = true
	s.ProtectClock = true
	s.ProtectKernelLogs = true
	return s
}

func TestTutorialScores(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings *directive.Settings
		opts     Options
		tenths   int
		level    string
		sums     [2]uint64
	}{
		{"baseline 252 offline", defaults(), Options{Version: V252, Offline: true}, 96, "UNSAFE", [2]uint64{53510, 56160}},
		{"baseline 252 online", defaults(), Options{Version: V252}, 96, "UNSAFE", [2]uint64{53510, 56160}},
		// 257 offline reads an unset PrivateMounts= as yes (measured: 9.4).
		{"baseline 257 offline", defaults(), Options{Version: V257, Offline: true}, 94, "UNSAFE", [2]uint64{52510, 56160}},
		{"hardened 252 offline", tutorialHardened(), Options{Version: V252, Offline: true}, 51, "MEDIUM", [2]uint64{28335, 56160}},
		{"hardened 252 online", tutorialHardened(), Options{Version: V252}, 49, "OK", [2]uint64{27335, 56160}},
		{"hardened 257 offline", tutorialHardened(), Options{Version: V257, Offline: true}, 49, "OK", [2]uint64{27335, 56160}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Score(tc.settings, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if r.Tenths != tc.tenths || r.Level != tc.level || r.BadnessSum != tc.sums[0] || r.WeightSum != tc.sums[1] {
				t.Errorf("got %d %s (%d/%d), want %d %s (%d/%d)", r.Tenths, r.Level, r.BadnessSum, r.WeightSum,
					tc.tenths, tc.level, tc.sums[0], tc.sums[1])
			}
		})
	}
}
