package score

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// The table must match systemd's: 81 rows, total weight 56460 (scoring.md
// §1, confirmed by the parity tests), unique ids, ranges the assessors can
// reach, and fixes our own parser accepts.
func TestCheckTable(t *testing.T) {
	rows := checks()
	if len(rows) != 81 {
		t.Fatalf("%d checks, want 81", len(rows))
	}
	var total uint64
	ids, names := map[string]bool{}, map[string]bool{}
	for _, c := range rows {
		total += c.weight
		if ids[c.jsonField] || names[c.name] {
			t.Errorf("%s: duplicate id or name", c.jsonField)
		}
		ids[c.jsonField], names[c.name] = true, true
		if c.rng != 1 && c.rng != 3 && c.rng != 10 {
			t.Errorf("%s: range %d, want 1, 3 or 10", c.jsonField, c.rng)
		}
		if c.weight == 0 || c.assess == nil {
			t.Errorf("%s: no weight or no assessor", c.jsonField)
		}
		if c.fix == "" {
			t.Errorf("%s: no fix", c.jsonField)
		} else if _, err := directive.ParseAssignment(c.fix, directive.Source{File: "table"}); err != nil {
			t.Errorf("%s: fix %q: %v", c.jsonField, c.fix, err)
		}
		// Rows without their own text need the fixed texts.
		if c.rng == 1 && (c.good == "" || c.bad == "") {
			t.Errorf("%s: range-1 row without good/bad text", c.jsonField)
		}
	}
	if total != 56460 {
		t.Errorf("total weight %d, want 56460", total)
	}
	for _, ddOnly := range []string{"PrivateTmp", "ProtectHome", "ProtectSystem", "RootDirectoryOrRootImage"} {
		found := false
		for _, c := range rows {
			if c.jsonField == ddOnly {
				found = c.ddOnly
			}
		}
		if !found {
			t.Errorf("%s should be N/A under DefaultDependencies=no", ddOnly)
		}
	}
}

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		tenths int
		word   string
	}{{0, "PERFECT"}, {1, "SAFE"}, {9, "SAFE"}, {10, "OK"}, {49, "OK"}, {50, "MEDIUM"}, {74, "MEDIUM"},
		{75, "EXPOSED"}, {89, "EXPOSED"}, {90, "UNSAFE"}, {99, "UNSAFE"}, {100, "DANGEROUS"}} {
		if got := LevelWord(tc.tenths); got != tc.word {
			t.Errorf("LevelWord(%d) = %s, want %s", tc.tenths, got, tc.word)
		}
	}
}

// Every version's syscall table defines the groups the eleven rows and the
// generator use, and every nested @group it references.
func TestSyscallTables(t *testing.T) {
	for _, sem := range versionSemantics() {
		g := sem.syscalls().groups
		for _, c := range checks() {
			if name, ok := strings.CutPrefix(c.name, "SystemCallFilter=~"); ok && len(g[name]) == 0 {
				t.Errorf("systemd %d: group %s missing or empty", sem.version, name)
			}
		}
		if len(g["@default"]) == 0 || len(g["@system-service"]) == 0 {
			t.Errorf("systemd %d: @default or @system-service missing", sem.version)
		}
		for name, members := range g {
			for _, m := range members {
				if strings.HasPrefix(m, "@") && g[m] == nil {
					t.Errorf("systemd %d: %s references unknown %s", sem.version, name, m)
				}
			}
		}
	}
}

// scoreText parses unit text with the project's parser, as the CLI does.
func scoreText(t *testing.T, text string, opts Options) *Result {
	t.Helper()
	u, err := directive.Parse(strings.NewReader(text), "test.service")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	s, err := directive.Resolve(u.Service, u.DefaultDependencies)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if opts.UnitName == "" {
		opts.UnitName = "test.service"
	}
	r, err := Score(s, opts)
	if err != nil {
		t.Fatalf("score: %v", err)
	}
	return r
}

// Measured with systemd-analyze security --offline=true 252.39 on this
// machine (scoring.md §5 and the parity runs); badness sum / weight sum.
func TestMeasuredExamples252(t *testing.T) {
	const skeleton = "[Service]\nExecStart=/usr/bin/true\n"
	for _, tc := range []struct {
		name       string
		extra      string
		bsum, wsum uint64
		tenths     int
	}{
		{"bare", "", 53510, 56160, 96},
		{"non-root user", "User=foo\n", 51610, 56460, 92},
		{"nobody", "User=nobody\n", 53410, 56460, 95},
		{"dynamic user", "DynamicUser=yes\n", 47010, 56460, 84},
		{"protect proc noaccess rounds up", "ProtectProc=noaccess\n", 52844, 56160, 95},
		{"system-service allow list", "SystemCallFilter=@system-service\n", 45870, 56160, 82},
		{"deny any", "IPAddressDeny=any\n", 52510, 56160, 94},
		{"deny any allow localhost", "IPAddressDeny=any\nIPAddressAllow=localhost\n", 52710, 56160, 94},
		{"deny any allow 127.0.0.1", "IPAddressDeny=any\nIPAddressAllow=127.0.0.1\n", 52710, 56160, 94},
		{"deny any allow 10/8", "IPAddressDeny=any\nIPAddressAllow=10.0.0.0/8\n", 53010, 56160, 95},
		{"empty bounding set", "CapabilityBoundingSet=\n", 39485, 56160, 71},
		{"no namespaces", "RestrictNamespaces=yes\n", 49410, 56160, 88},
		{"no families", "RestrictAddressFamilies=none\n", 49535, 56160, 89},
		{"private devices", "PrivateDevices=yes\n", 50010, 56160, 90},
		{"default dependencies off", "[Unit]\nDefaultDependencies=no\n", 50310, 52960, 95},
		{"worst", "Type=notify\nNotifyAccess=all\nKeyringMode=shared\nDelegate=yes\nAmbientCapabilities=CAP_NET_RAW\nUMask=0000\n", 56160, 56160, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := skeleton + tc.extra
			if strings.HasPrefix(tc.extra, "[Unit]") {
				text = tc.extra + skeleton
			}
			r := scoreText(t, text, Options{Version: V252, Offline: true})
			if r.BadnessSum != tc.bsum || r.WeightSum != tc.wsum || r.Tenths != tc.tenths {
				t.Errorf("got %d/%d = %d, want %d/%d = %d", r.BadnessSum, r.WeightSum, r.Tenths, tc.bsum, tc.wsum, tc.tenths)
			}
		})
	}
}

// Online, only 127.0.0.0/8 and ::1/128 count as localhost.
func TestOnlineLocalhostRule(t *testing.T) {
	text := "[Service]\nExecStart=/usr/bin/true\nIPAddressDeny=any\nIPAddressAllow=127.0.0.1\n"
	off := scoreText(t, text, Options{Version: V252, Offline: true})
	on := scoreText(t, text, Options{Version: V252})
	if b := badnessOf(t, off, "IPAddressDeny"); b != 2 {
		t.Errorf("offline badness %d, want 2", b)
	}
	if b := badnessOf(t, on, "IPAddressDeny"); b != 5 {
		t.Errorf("online badness %d, want 5", b)
	}
}

func badnessOf(t *testing.T, r *Result, id string) uint64 {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c.Badness
		}
	}
	t.Fatalf("no check %s", id)
	return 0
}

// 257 offline: only an explicit PrivateMounts=no is bad (measured).
func TestPrivateMounts257Offline(t *testing.T) {
	for _, tc := range []struct {
		extra string
		bad   bool
	}{{"", false}, {"PrivateMounts=yes\n", false}, {"PrivateMounts=no\n", true}, {"PrivateMounts=no\nPrivateTmp=yes\n", true}} {
		r := scoreText(t, "[Service]\nExecStart=/usr/bin/true\n"+tc.extra, Options{Version: V257, Offline: true})
		if got := badnessOf(t, r, "PrivateMounts") == 1; got != tc.bad {
			t.Errorf("%q: bad=%v, want %v", tc.extra, got, tc.bad)
		}
	}
}
