package main

import (
	"reflect"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
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
