package main

import (
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
