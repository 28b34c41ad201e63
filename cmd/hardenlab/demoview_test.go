package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/sysusers"
)

func TestMissingAccounts(t *testing.T) {
	accounts := sysusers.Accounts{Users: map[string]bool{"www-data": true}, Groups: map[string]bool{"www-data": true, "tty": true}}
	profileOf := func(lines ...string) profile.Profile {
		as, err := directive.ParseAssignments(append([]string{"ExecStart=/bin/true"}, lines...), "t.service", 1)
		if err != nil {
			t.Fatal(err)
		}
		s, err := directive.Resolve(as, true)
		if err != nil {
			t.Fatal(err)
		}
		return profile.Profile{Settings: s}
	}
	for _, tc := range []struct {
		profiles []profile.Profile
		want     []string
	}{
		{[]profile.Profile{profileOf(), profileOf("User=www-data", "SupplementaryGroups=tty")}, nil},
		{[]profile.Profile{profileOf("User=1000", "Group=1000")}, nil},
		{[]profile.Profile{profileOf("User=redis", "DynamicUser=yes")}, nil},
		{[]profile.Profile{profileOf("User=redis", "Group=redis"), profileOf("User=redis")}, []string{"user redis", "group redis"}},
		{[]profile.Profile{profileOf("SupplementaryGroups=tty adm")}, []string{"group adm"}},
	} {
		if got := missingAccounts(accounts, tc.profiles); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("got %v, want %v", got, tc.want)
		}
	}
}

// A sweep gives the overlay view only to the units that need it, each
// unit by itself: a unit's view does not depend on what it is swept with.
func TestSweepGroups(t *testing.T) {
	root := t.TempDir()
	conf := filepath.Join(root, "usr/lib/sysusers.d")
	if err := os.MkdirAll(conf, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "basic.conf"), []byte("u www-data 33\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	profileOf := func(name string, lines ...string) profile.Profile {
		as, err := directive.ParseAssignments(append([]string{"ExecStart=/bin/true"}, lines...), name+".service", 1)
		if err != nil {
			t.Fatal(err)
		}
		s, err := directive.Resolve(as, true)
		if err != nil {
			t.Fatal(err)
		}
		return profile.Profile{Name: name, Settings: s}
	}
	f := sweepFlags{root: root, sandbox: "nspawn", svc: serviceFlags{service: "demo"}}
	views := func(profiles ...profile.Profile) map[string]sandbox.RootView {
		groups, err := sweepGroups(f, profiles)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]sandbox.RootView{}
		for _, g := range groups {
			if (g.why != "") != (g.choice.view == sandbox.Overlay) {
				t.Errorf("view %s with reason %q", g.choice.view, g.why)
			}
			for _, i := range g.index {
				got[profiles[i].Name] = g.choice.view
			}
		}
		if len(got) != len(profiles) {
			t.Errorf("%d of %d units in a group", len(got), len(profiles))
		}
		return got
	}
	plain, web, redis := profileOf("plain"), profileOf("web", "User=www-data"), profileOf("redis", "User=redis")
	want := map[string]sandbox.RootView{"plain": sandbox.Volatile, "web": sandbox.Volatile, "redis": sandbox.Overlay}
	if got := views(plain, redis, web); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, p := range []profile.Profile{plain, web, redis} {
		if got := views(p); got[p.Name] != want[p.Name] {
			t.Errorf("%s swept alone: %s, with the others: %s", p.Name, got[p.Name], want[p.Name])
		}
	}
}
