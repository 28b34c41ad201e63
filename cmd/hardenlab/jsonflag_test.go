package main

import (
	"flag"
	"io"
	"testing"
)

func TestJSONFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want jsonFlag
		bad  bool
	}{
		{nil, "", false},
		{[]string{"--json"}, "pretty", false},
		{[]string{"--json=pretty"}, "pretty", false},
		{[]string{"--json=short"}, "short", false},
		{[]string{"--json=off"}, "", false},
		{[]string{"--json=false"}, "", false},
		{[]string{"--json=yaml"}, "", true},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		var j jsonFlag
		fs.Var(&j, "json", "")
		err := fs.Parse(c.args)
		if (err != nil) != c.bad || (!c.bad && j != c.want) {
			t.Errorf("%q: got %q, %v; want %q (error %v)", c.args, j, err, c.want, c.bad)
		}
	}
}
