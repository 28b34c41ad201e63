package directive

import (
	"strings"
	"testing"

	godbus "github.com/godbus/dbus/v5"
)

// Every row of the plain table is a key systemd knows, not a security
// directive as well, and sends values of exactly its declared signatures.
func TestPlainTable(t *testing.T) {
	for _, r := range plainTable() {
		t.Run(r.Name, func(t *testing.T) {
			if !keyKnown("Service", r.Name) {
				t.Errorf("%s is not a [Service] key of systemd 252 or 257", r.Name)
			}
			if since := keySince(r.Name); r.Since != since {
				t.Errorf("Since %d, but the key lists say %d", r.Since, since)
			}
			if _, ok := Lookup(r.Name); ok {
				t.Errorf("%s is in both the security and the plain table", r.Name)
			}
			if len(r.Props) != len(r.Kind.sigs) {
				t.Fatalf("%d properties, %d signatures", len(r.Props), len(r.Kind.sigs))
			}
			for _, sig := range r.Kind.sigs {
				if _, err := godbus.ParseSignature(sig); err != nil {
					t.Errorf("signature %q: %v", sig, err)
				}
			}
			s, err := Resolve([]Assignment{{Name: r.Name, Value: r.Example, Source: Source{File: "t.service", Line: 1}}}, true)
			if err != nil {
				t.Fatalf("example %q: %v", r.Example, err)
			}
			props := s.Properties()
			sent := 0
			for _, p := range props {
				i := indexOf(r.Props, p.Name)
				if i < 0 {
					continue
				}
				sent++
				if got := p.Value.Signature().String(); got != r.Kind.sigs[i] {
					t.Errorf("%s sent as %q, want %q", p.Name, got, r.Kind.sigs[i])
				}
			}
			if sent == 0 {
				t.Errorf("example %q sends none of %v", r.Example, r.Props)
			}
			// What was sent, decoded as godbus decodes a reply, reads back
			// without a mismatch.
			got := map[string]interface{}{}
			for _, p := range props {
				got[p.Name] = roundTrip(t, p.Value)
			}
			if m := checkPlainReadback(s, got); len(m) > 0 {
				t.Errorf("readback of what was sent: %v", m)
			}
		})
	}
}

// roundTrip marshals a variant and decodes it again, as a reply from
// systemd would be decoded.
func roundTrip(t *testing.T, v godbus.Variant) interface{} {
	t.Helper()
	msg := &godbus.Message{Type: godbus.TypeMethodReply, Headers: map[godbus.HeaderField]godbus.Variant{
		godbus.FieldReplySerial: godbus.MakeVariant(uint32(1)),
		godbus.FieldSignature:   godbus.MakeVariant(godbus.SignatureOf(v)),
	}, Body: []interface{}{v}}
	var buf strings.Builder
	if err := msg.EncodeTo(&buf, nativeEndian()); err != nil {
		t.Fatalf("encode %v: %v", v, err)
	}
	back, err := godbus.DecodeMessage(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatalf("decode %v: %v", v, err)
	}
	return back.Body[0].(godbus.Variant).Value()
}

func indexOf(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}

// Converters turn unit-file values into what systemd-run -p sends.
func TestPlainConverters(t *testing.T) {
	for _, tc := range []struct {
		lines []string
		name  string
		want  []string
	}{
		{[]string{"RestartSec=5s"}, "RestartSec", []string{"5000000"}},
		{[]string{"TimeoutStopSec=1min 30s"}, "TimeoutStopSec", []string{"90000000"}},
		{[]string{"TimeoutStopSec=infinity"}, "TimeoutStopSec", []string{"18446744073709551615"}},
		{[]string{"WatchdogSec=20"}, "WatchdogSec", []string{"20000000"}},
		{[]string{"TimeoutStopSec=0"}, "TimeoutStopSec", []string{"18446744073709551615"}},
		{[]string{"RestartSec=0"}, "RestartSec", []string{"0"}},
		{[]string{"TimeoutSec=250ms"}, "TimeoutSec", []string{"250000", "250000"}},
		{[]string{"LimitNOFILE=1024:4096"}, "LimitNOFILE", []string{"4096", "1024"}},
		{[]string{"LimitNOFILE=infinity"}, "LimitNOFILE", []string{"18446744073709551615", "18446744073709551615"}},
		{[]string{"LimitCORE=1G"}, "LimitCORE", []string{"1073741824", "1073741824"}},
		{[]string{"LimitCPU=1.5s"}, "LimitCPU", []string{"2", "2"}},
		{[]string{"LimitNICE=-5"}, "LimitNICE", []string{"25", "25"}},
		{[]string{"MemoryMax=1.5G"}, "MemoryMax", []string{"1610612736", ""}},
		{[]string{"MemoryMax=50%"}, "MemoryMax", []string{"", "2147483648"}},
		{[]string{"TasksMax=infinity"}, "TasksMax", []string{"18446744073709551615", ""}},
		{[]string{"CPUQuota=150%"}, "CPUQuota", []string{"1500000"}},
		{[]string{"KillSignal=SIGINT"}, "KillSignal", []string{"2"}},
		{[]string{"KillSignal=RTMIN+2"}, "KillSignal", []string{"36"}},
		{[]string{"Nice=-5"}, "Nice", []string{"-5"}},
		{[]string{"CPUSchedulingPolicy=idle"}, "CPUSchedulingPolicy", []string{"5"}},
		{[]string{"IOSchedulingClass=best-effort"}, "IOSchedulingClass", []string{"2"}},
		{[]string{"SuccessExitStatus=143 SIGTERM", "SuccessExitStatus=1 143 DATAERR"}, "SuccessExitStatus", []string{"([1 65 143] [15])"}},
		{[]string{"StateDirectory=a b/c", "StateDirectory=d"}, "StateDirectory", []string{`["a" "b/c" "d"]`, ""}},
		{[]string{"StateDirectory=a", "StateDirectory="}, "StateDirectory", nil},
		{[]string{"StateDirectory=a b:c"}, "StateDirectory", []string{`["a"]`, `[("b" "c" 0)]`}},
		{[]string{"StateDirectoryMode=0750"}, "StateDirectoryMode", []string{"488"}},
		{[]string{"EnvironmentFile=-/etc/default/x"}, "EnvironmentFile", []string{`[("/etc/default/x" true)]`}},
		{[]string{"LoadCredential=tok:/etc/tok", "LoadCredential=other"}, "LoadCredential", []string{`[("tok" "/etc/tok") ("other" "other")]`}},
		{[]string{"ExecStartPre=-/bin/mkdir -p /run/x", "ExecStartPre=@/bin/true true-ish", "ExecStartPre=+/bin/true"}, "ExecStartPre",
			[]string{`[("/bin/mkdir" ["/bin/mkdir" "-p" "/run/x"] ["ignore-failure"]) ("/bin/true" ["true-ish"] []) ("/bin/true" ["/bin/true"] ["privileged"])]`}},
		{[]string{"StandardOutput=append:/var/log/x.log"}, "StandardOutput", []string{"", "", "", `"/var/log/x.log"`, ""}},
		{[]string{"UnsetEnvironment=A \"B C\""}, "UnsetEnvironment", []string{`["A" "B C"]`}},
		{[]string{"SecureBits=keep-caps noroot"}, "SecureBits", []string{"17"}},
		{[]string{"BindPaths=-/srv/a:/srv/b:norbind /etc"}, "BindPaths", []string{`[("/srv/a" "/srv/b" true 0) ("/etc" "/etc" false 16384)]`}},
		{[]string{"TemporaryFileSystem=/var:ro,mode=0755 /run"}, "TemporaryFileSystem", []string{`[("/var" "ro,mode=0755") ("/run" "")]`}},
	} {
		s := resolveLines(t, tc.lines)
		if got := s.PlainValue(tc.name); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%v: %s = %q, want %q", tc.lines, tc.name, got, tc.want)
		}
	}
}

// A bad plain value is refused naming FILE:LINE, the directive and why.
func TestPlainBadValues(t *testing.T) {
	for _, tc := range []struct{ line, reason string }{
		{"RestartSec=5 parsecs", "unknown unit"},
		{"Restart=sometimes", "unknown value"},
		{"LimitNOFILE=4096:1024", "above the hard limit"},
		{"Nice=42", "from -20 to 19"},
		{"KillSignal=SIGFOO", "unknown signal"},
		{"StateDirectory=/var/lib/x", "relative"},
		{"StateDirectory=../x", "not a valid directory"},
		{"PIDFile=run/x.pid", "not absolute"},
		{"SuccessExitStatus=NOPE", "neither an exit status"},
		{"MemoryMax=lots", "not a size"},
		{"RemainAfterExit=", "empty value"},
		{"ExecStartPre=+!/bin/true", "neither an absolute path"},
		{"Slice=system", "not a slice unit name"},
		{"SyslogIdentifier=%n", "unit specifier"},
	} {
		_, err := ParseAssignment(tc.line, Source{File: "u.service", Line: 7})
		if err == nil {
			t.Errorf("%s accepted", tc.line)
			continue
		}
		name, _, _ := strings.Cut(tc.line, "=")
		if msg := err.Error(); !strings.Contains(msg, "u.service:7: "+name+"=") || !strings.Contains(msg, tc.reason) {
			t.Errorf("%s: %q lacks FILE:LINE, the directive or %q", tc.line, msg, tc.reason)
		}
	}
}

// Readback catches a value systemd stored differently.
func TestPlainReadbackMismatch(t *testing.T) {
	s, err := Resolve([]Assignment{{Name: "RestartSec", Value: "5s"}, {Name: "KillMode", Value: "mixed"}, {Name: "TimeoutSec", Value: "3s"}, {Name: "TimeoutStopSec", Value: "7s"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]interface{}{"RestartUSec": uint64(5000000), "KillMode": "control-group", "TimeoutStartUSec": uint64(3000000), "TimeoutStopUSec": uint64(7000000)}
	m := checkPlainReadback(s, got)
	if len(m) != 1 || m[0].Directive != "KillMode" {
		t.Errorf("mismatches %v, want only KillMode", m)
	}
	delete(got, "RestartUSec")
	if m := checkPlainReadback(s, got); len(m) != 2 || !strings.Contains(m[0].Got+m[1].Got, "missing") {
		t.Errorf("a missing property: %v", m)
	}
}

// Unknown keys get a did-you-mean; keys of other sections say so; keys
// only 257 knows parse and carry their release.
func TestUnknownKeys(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"ProtectSytem=strict", "did you mean ProtectSystem=?"},
		{"protectsystem=strict", "did you mean ProtectSystem=?"},
		{"RestartSecs=5", "did you mean RestartSec=?"},
		{"WantedBy=multi-user.target", "an [Install] key"},
		{"Frobnicate=1", "neither systemd 252 nor 257 knows Frobnicate= in [Service]"},
	} {
		_, err := ParseAssignment(tc.line, Source{File: "u.service", Line: 3})
		if err == nil || !strings.Contains(err.Error(), "u.service:3: ") || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.line, err, tc.want)
		}
	}
	if Since("RestartSteps") != 257 || Since("PrivatePIDs") != 257 || Since("Restart") != 0 || Since("ProtectKernelLogs") != 244 {
		t.Errorf("Since: RestartSteps %d PrivatePIDs %d Restart %d ProtectKernelLogs %d", Since("RestartSteps"), Since("PrivatePIDs"), Since("Restart"), Since("ProtectKernelLogs"))
	}
	for _, k := range strings.Fields(serviceKeys257) {
		if _, err := ParseAssignment(k+"=", Source{}); err != nil && strings.Contains(err.Error(), "unknown directive") {
			t.Errorf("257 key %s refused as unknown: %v", k, err)
		}
	}
}

// Keys that cannot be sent become notes; those that would change the
// sandbox block a run.
func TestPassedOverKeys(t *testing.T) {
	s, err := Resolve([]Assignment{{Name: "Sockets", Value: "x.socket"}, {Name: "JoinsNamespaceOf", Value: "other.service"}, {Name: "After", Value: "x.target"}, {Name: "X-Custom", Value: "1"}}, true)
	if err != nil {
		t.Fatal(err)
	}
	notes := s.Notes()
	if len(notes) != 4 || notes[0].BlocksRun || !notes[1].BlocksRun || notes[2].Reason != reasonDependency || notes[3].Reason != xKeyNote {
		t.Errorf("notes %+v", notes)
	}
	if errs := RunRefusals(notes); len(errs) != 1 || !strings.Contains(errs[0].Error(), "JoinsNamespaceOf=") {
		t.Errorf("run refusals %v", errs)
	}
	if p := s.Properties(); len(p) != 1 || p[0].Name != "Type" {
		t.Errorf("passed-over keys sent: %v", p)
	}
}

func TestSuggestKey(t *testing.T) {
	if got := suggestKey("Service", "Zzzzzzzzzz"); got != "" {
		t.Errorf("far-off name suggested %q", got)
	}
	if editDistance("kitten", "sitting") != 3 {
		t.Error("edit distance")
	}
}
