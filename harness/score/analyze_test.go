package score

import (
	"testing"
)

// A row as systemd-analyze 252 prints it with SYSTEMD_ANALYZE_DEBUG=1,
// an N/A row, and a second unit without debug fields.
const analyzeSample = `[{"set":false,"name":"PrivateNetwork=","json_field":"PrivateNetwork","description":"Service has access to the host's network","weight":2500,"badness":1,"range":1,"exposure":"0.5"},{"set":null,"name":"RemoveIPC=","json_field":"RemoveIPC","description":"Service runs as root, option does not apply","weight":100,"badness":18446744073709551615,"range":1,"exposure":null}]
[{"set":true,"name":"PrivateNetwork=","json_field":"PrivateNetwork","description":"Service has no access to the host's network","exposure":null}]
`

func TestParseAnalyzeJSON(t *testing.T) {
	units, err := ParseAnalyzeJSON([]byte(analyzeSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 2 || len(units[0]) != 2 || len(units[1]) != 1 {
		t.Fatalf("shape %v", units)
	}
	pn, ipc := units[0][0], units[0][1]
	if pn.Badness != 1 || pn.Weight != 2500 || pn.Exposure != 0.5 || pn.NA || *pn.Set {
		t.Errorf("PrivateNetwork row: %+v", pn)
	}
	if !ipc.NA || ipc.Set != nil {
		t.Errorf("RemoveIPC row: %+v", ipc)
	}
	if units[1][0].Range != 0 || !*units[1][0].Set {
		t.Errorf("non-debug row: %+v", units[1][0])
	}
	if _, err := ParseAnalyzeJSON([]byte(`[{"set":true}]`)); err == nil {
		t.Error("a row without json_field was accepted")
	}
	if _, err := ParseAnalyzeJSON([]byte(`[{`)); err == nil {
		t.Error("truncated JSON was accepted")
	}
}

func TestCompareFindsEachDifference(t *testing.T) {
	r := scoreText(t, "[Service]\nExecStart=/usr/bin/true\n", Options{Version: V252, Offline: true})
	same := append([]Check(nil), r.Checks...)
	if d := Compare(r.Checks, same); len(d) != 0 {
		t.Fatalf("identical rows differ: %v", d)
	}
	if tenths, ok := Totals(same); !ok || tenths != r.Tenths {
		t.Errorf("Totals = %d, %v; want %d", tenths, ok, r.Tenths)
	}
	for _, tc := range []struct {
		field  string
		mutate func(c *Check)
	}{
		{"badness", func(c *Check) { c.Badness = 0 }},
		{"weight", func(c *Check) { c.Weight++ }},
		{"description", func(c *Check) { c.Description += "!" }},
		{"exposure", func(c *Check) { c.Exposure += 0.1 }},
		{"na", func(c *Check) { c.NA = !c.NA }},
	} {
		theirs := append([]Check(nil), r.Checks...)
		tc.mutate(&theirs[4])
		d := Compare(r.Checks, theirs)
		if len(d) == 0 || d[0].Field != tc.field || d[0].ID != r.Checks[4].ID {
			t.Errorf("%s change: got %v", tc.field, d)
		}
	}
	if d := Compare(r.Checks, r.Checks[1:]); len(d) != 1 || d[0].Field != "missing" {
		t.Errorf("missing row: got %v", d)
	}
}
