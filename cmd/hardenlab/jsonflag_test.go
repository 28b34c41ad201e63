package main

import (
	"bytes"
	"encoding/json"
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

func TestWriteJSONShortIsOneMarshal(t *testing.T) {
	type row struct {
		A string `json:"a"`
		B *int   `json:"b,omitempty"`
	}
	n := 3
	for _, v := range [][]row{nil, {}, {{A: "x"}}, {{A: "x<&>"}, {A: "y", B: &n}}} {
		want, _ := json.Marshal(v)
		var got bytes.Buffer
		if err := writeJSONArray(&got, "short", v); err != nil {
			t.Fatal(err)
		}
		if got.String() != string(want)+"\n" {
			t.Errorf("%v: got %q, want %q", v, got.String(), want)
		}
	}
}
