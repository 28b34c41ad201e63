package main

import (
	"maps"
	"slices"
	"testing"
)

func TestParseGroups(t *testing.T) {
	listing := `@default
    # System calls that are always permitted
    @sandbox
    brk
    exit

@swap
    # Enable/disable swap devices
    swapoff
    swapon

# Unlisted system calls (supported by the local kernel, but not included in any of the groups listed above):
#   bdflush
`
	groups, err := parseGroups(listing)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 2 || groups[0].name != "@default" || !slices.Equal(groups[0].members, []string{"@sandbox", "brk", "exit"}) ||
		!slices.Equal(groups[1].members, []string{"swapoff", "swapon"}) {
		t.Errorf("got %+v", groups)
	}
	if _, err := parseGroups("nothing here\n"); err == nil {
		t.Error("a listing without groups was accepted")
	}
}

func TestParseResolved(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      string
		want    map[string]int
		wantErr bool
	}{
		{"native and pseudo", "read 0\nuselib 134\nbdflush -10002\n", map[string]int{"read": 0, "uselib": 134, "bdflush": -10002}, false},
		{"stray lines skipped", "read 0\nwarning: something odd\n\n", map[string]int{"read": 0}, false},
		{"bad number", "read zero\n", nil, true},
		{"nothing resolved", "\n", nil, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseResolved(c.in)
			if (err != nil) != c.wantErr {
				t.Fatalf("error %v, want error %v", err, c.wantErr)
			}
			if !c.wantErr && !maps.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestSplitNames(t *testing.T) {
	both, onlyB, onlyA := splitNames(map[string]int{"read": 0, "uselib": 134, "old": -10001}, map[string]int{"read": 0, "uselib": 134, "mseal": 462})
	if !slices.Equal(both, []string{"read", "uselib"}) || !slices.Equal(onlyB, []string{"mseal"}) || !slices.Equal(onlyA, []string{"old"}) {
		t.Errorf("got both=%v onlyB=%v onlyA=%v", both, onlyB, onlyA)
	}
}
