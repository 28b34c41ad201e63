package score

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/score/internal/unitgen"
)

// marshalLikeCaller is what AppendJSONFields stands in for: encoding/json
// of the Result, braces stripped.
func marshalLikeCaller(t *testing.T, r *Result) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(r); err != nil {
		t.Fatal(err)
	}
	out := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return out[1 : len(out)-1]
}

// Every generated unit, both versions and modes, and rows with the texts
// JSON escapes: the hand-written encoder writes what encoding/json writes.
func TestAppendJSONFieldsMatchesEncodingJSON(t *testing.T) {
	var results []*Result
	for i := range 200 {
		u, err := directive.Parse(strings.NewReader(unitgen.Unit(7, i)), unitgen.Name(i))
		if err != nil {
			t.Fatal(err)
		}
		s, err := directive.Resolve(u.Service, u.DefaultDependencies)
		if err != nil {
			continue // the generator makes some invalid units on purpose
		}
		for _, o := range []Options{{Version: V252, Offline: true}, {Version: V257}, {Version: V257, Offline: true}} {
			o.UnitName = unitgen.Name(i)
			r, err := Score(s, o)
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, r)
		}
	}
	// Rows that policies or partial badness rename: the table's strings
	// no longer apply and the rows are escaped in full.
	edited := *results[0]
	edited.Checks = slices.Clone(edited.Checks)
	edited.Checks[3].Description = "<policy> & \"quoted\""
	edited.Checks[4].Name = edited.Checks[5].Name
	edited.Checks[5].ID = "x\u2028"
	results = append(results, &edited)
	if len(results) < 100 {
		t.Fatalf("only %d generated units scored", len(results))
	}
	odd := []string{"", `a"b\c`, "<tag> & more", "tab\tnew\nline\r\x00\x1f\b\f", "\u2028\u2029", "caf\u00e9 \U0001F600", "bad \xff utf-8 \xe2\x82", "\x7f"}
	for i, s := range odd {
		set := i%2 == 0
		results = append(results, &Result{Level: s, Exposure: []float64{0, 0.1, 9.6, 1e-7, 1e21, 123456789.125, -2.5, 1e-6}[i], Checks: []Check{
			{ID: s, Name: s, Description: s, Fix: s, Set: &set, Exposure: 0.3},
		}})
	}
	var every []byte
	for c := range 256 {
		every = append(every, byte(c), 'x')
	}
	results = append(results, &Result{}, &Result{Level: string(every), Exposure: math.Copysign(0, -1)})
	for n := range 2000 {
		results = append(results, &Result{Exposure: float64(n) / 10, Checks: []Check{{Exposure: float64(n)/10 + 0.05}, {Exposure: float64(n) / 100}}})
	}
	for i, r := range results {
		want := marshalLikeCaller(t, r)
		if got := AppendJSONFields(nil, r); !bytes.Equal(got, want) {
			t.Fatalf("result %d:\n got %s\nwant %s", i, got, want)
		}
	}
}
