package directive

import (
	"reflect"
	"strings"
	"testing"
)

// TestExecPrefixes: which prefix strings systemd-analyze verify of 252 and
// 257 accepted (both agree), and the ExecStartEx flags each becomes.
func TestExecPrefixes(t *testing.T) {
	tests := []struct {
		value string
		flags []string // nil: refused
		argv0 string
	}{
		{"/x/end", []string{}, "/x/end"},
		{"-/x/end", []string{"ignore-failure"}, "/x/end"},
		{"@/x/end a", []string{}, "a"},
		{":/x/end", []string{"no-env-expand"}, "/x/end"},
		{"+/x/end", []string{"privileged"}, "/x/end"},
		{"!/x/end", []string{"no-setuid"}, "/x/end"},
		{"!!/x/end", []string{"ambient"}, "/x/end"},
		{"!-!/x/end", []string{"ignore-failure", "ambient"}, "/x/end"},
		{"@:-+/x/end a", []string{"ignore-failure", "privileged", "no-env-expand"}, "a"},
		{"-@!!:/x/end a", []string{"ignore-failure", "ambient", "no-env-expand"}, "a"},
		// "Neither a valid executable name nor an absolute path": the
		// prefix that may not repeat stays part of the path.
		{"+!/x/end", nil, ""},
		{"!!!/x/end", nil, ""},
		{"--/x/end", nil, ""},
		{"|/x/end", nil, ""},
	}
	for _, tc := range tests {
		a := Assignment{Name: "ExecStart", Value: tc.value, Source: Source{File: "t.service", Line: 2}}
		cmds, err := parseCommands(a)
		if tc.flags == nil {
			if err == nil {
				t.Errorf("%q accepted as %+v; systemd refuses it", tc.value, cmds)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.value, err)
			continue
		}
		if got := cmds[0].Flags(); !reflect.DeepEqual(got, tc.flags) || cmds[0].Argv[0] != tc.argv0 || cmds[0].Path != "/x/end" {
			t.Errorf("%q: flags %q argv %q path %q, want %q argv[0] %q", tc.value, got, cmds[0].Argv, cmds[0].Path, tc.flags, tc.argv0)
		}
	}
}

// TestExecProperties: "-" and "@" travel in ExecStart's (sasb); any other
// prefix needs ExecStartEx.
func TestExecProperties(t *testing.T) {
	for value, want := range map[string]string{
		"-@/bin/sh sh -c true":        "ExecStart a(sasb)",
		"/bin/true ; +/bin/false":     "ExecStartEx " + ExecExSignature,
		"!!/usr/sbin/nginx -g daemon": "ExecStartEx " + ExecExSignature,
	} {
		s, err := Resolve([]Assignment{{Name: "Type", Value: "oneshot"}, {Name: "ExecStart", Value: value}}, true)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range s.Properties() {
			if strings.HasPrefix(p.Name, "ExecStart") {
				got = append(got, p.Name+" "+p.Value.Signature().String())
			}
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("%q sent as %q, want %q", value, got, want)
		}
	}
}

// TestExecListMerging: several lines add commands (Type=oneshot only) and
// an empty assignment empties the list, as in config_parse_exec().
func TestExecListMerging(t *testing.T) {
	as := []Assignment{{Name: "Type", Value: "oneshot"}, {Name: "ExecStart", Value: "/bin/a"},
		{Name: "ExecStart", Value: "/bin/b ; /bin/c"}, {Name: "ExecStart", Value: ""}, {Name: "ExecStart", Value: "/bin/d"}, {Name: "ExecStart", Value: "-/bin/e"}}
	s, err := Resolve(as, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.ExecStartCommands) != 2 || s.ExecStartCommands[0].Path != "/bin/d" || !s.ExecStartCommands[1].IgnoreFailure {
		t.Errorf("commands %+v", s.ExecStartCommands)
	}
	if _, err := Resolve(as[1:3], true); err == nil || !strings.Contains(err.Error(), "Type=oneshot") {
		t.Errorf("three commands for Type=simple: %v", err)
	}
}
