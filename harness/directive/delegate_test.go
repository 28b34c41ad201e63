package directive

import (
	"slices"
	"testing"
)

// The merge rules of config_parse_delegate and PID 1's DelegateControllers
// setter: a boolean replaces, a list means yes and adds, an empty value is
// yes with no controllers; what is sent must say the same.
func TestDelegateControllerLists(t *testing.T) {
	for _, tc := range []struct {
		lines    []string
		delegate bool
		list     []string // nil: a boolean is sent
	}{
		{[]string{"Delegate=pids memory cpu"}, true, []string{"pids", "memory", "cpu"}},
		{[]string{"Delegate="}, true, []string{}},
		{[]string{"Delegate=pids", "Delegate=memory pids"}, true, []string{"pids", "memory"}},
		{[]string{"Delegate=pids", "Delegate="}, true, []string{}},
		{[]string{"Delegate=pids", "Delegate=no"}, false, nil},
		{[]string{"Delegate=yes", "Delegate=pids"}, true, nil},
		{[]string{"Delegate=no", "Delegate=io"}, true, []string{"io"}},
	} {
		s, err := Resolve(assignments(tc.lines...), true)
		if err != nil {
			t.Fatalf("%v: %v", tc.lines, err)
		}
		if s.Delegate != tc.delegate || !slices.Equal(s.DelegateControllers, tc.list) || (s.DelegateControllers == nil) != (tc.list == nil) {
			t.Errorf("%v: Delegate=%v controllers=%#v, want %v %#v", tc.lines, s.Delegate, s.DelegateControllers, tc.delegate, tc.list)
		}
		var sent []string
		for _, p := range s.Properties() {
			if p.Name == "Delegate" || p.Name == "DelegateControllers" {
				sent = append(sent, p.Name+"="+p.Value.String())
			}
		}
		want := "Delegate=" + map[bool]string{true: "true", false: "false"}[tc.delegate]
		if tc.list != nil {
			want = "DelegateControllers=" + sentStrings(tc.list)
		}
		if len(sent) != 1 || sent[0] != want {
			t.Errorf("%v: sent %v, want [%s]", tc.lines, sent, want)
		}
		if m := CheckReadback(s, fakeReadback(s)); len(m) != 0 {
			t.Errorf("%v: faithful readback mismatches: %v", tc.lines, m)
		}
	}
}

func sentStrings(l []string) string {
	return prop("DelegateControllers", nonNil(l)).Value.String()
}
