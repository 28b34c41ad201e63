package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// Existing JSON v1 documents must survive a trip through the schema types
// unchanged: a field renamed, dropped or retyped in Matrix or Record shows
// up as a path that differs. The sample matrices were trimmed (see
// testdata/README.md), so a key the encoder adds with a zero value (null,
// [], false, 0, "") is not a difference; a key the document has is.
func TestSchemaRoundTripKeepsEveryField(t *testing.T) {
	docs, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	docs = append(docs, filepath.Join("..", "..", "fixtures", "baselines", "p3test-hardened.json"))
	if len(docs) < 3 {
		t.Fatalf("only %d sample documents: %v", len(docs), docs)
	}
	for _, path := range docs {
		t.Run(filepath.Base(path), func(t *testing.T) {
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var m Matrix
			if err := json.Unmarshal(orig, &m); err != nil {
				t.Fatalf("decoding %s: %v", path, err)
			}
			again, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			diffs := jsonDiff("", generic(t, orig), generic(t, again))
			if len(diffs) > 0 {
				t.Errorf("%s changes on a trip through report.Matrix (%d paths):\n%s", path, len(diffs), strings.Join(diffs, "\n"))
			}
		})
	}
}

// A field the schema does not know is dropped on decoding; the round trip
// must notice that, or the test above could not fail.
func TestJSONDiffSeesWhatTheSchemaLoses(t *testing.T) {
	orig := `{"schema": 1, "records": [{"profile": {"name": "p", "directives": []}, "probes": [{"id": "x", "verdict": "enforced", "renamed": 1}]}]}`
	var m Matrix
	if err := json.Unmarshal([]byte(orig), &m); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	diffs := jsonDiff("", generic(t, []byte(orig)), generic(t, again))
	want := "records[0].probes[0].renamed: dropped (was 1)"
	if !reflect.DeepEqual(diffs, []string{want}) {
		t.Errorf("diffs = %q, want [%q]", diffs, want)
	}
	if d := jsonDiff("", map[string]any{"a": 1.0}, map[string]any{"a": "1"}); len(d) != 1 {
		t.Errorf("a number that became a string: diffs = %q", d)
	}
}

func generic(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// jsonDiff lists the paths where got differs from want. Keys only in got
// are differences unless their value is a zero value (an object of zero
// values included).
func jsonDiff(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: object became %s", path, jsonKind(got))}
		}
		var out []string
		for _, k := range sortedKeys(w) {
			if gv, ok := g[k]; ok {
				out = append(out, jsonDiff(join(path, k), w[k], gv)...)
			} else {
				out = append(out, fmt.Sprintf("%s: dropped (was %s)", join(path, k), compact(w[k])))
			}
		}
		for _, k := range sortedKeys(g) {
			if _, ok := w[k]; !ok && !zeroJSON(g[k]) {
				out = append(out, fmt.Sprintf("%s: added (%s)", join(path, k), compact(g[k])))
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: array became %s", path, jsonKind(got))}
		}
		if len(g) != len(w) {
			return []string{fmt.Sprintf("%s: %d elements became %d", path, len(w), len(g))}
		}
		var out []string
		for i := range w {
			out = append(out, jsonDiff(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	}
	if !reflect.DeepEqual(want, got) {
		return []string{fmt.Sprintf("%s: %s became %s", path, compact(want), compact(got))}
	}
	return nil
}

func zeroJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case bool:
		return !x
	case float64:
		return x == 0
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		for _, v := range x {
			if !zeroJSON(v) {
				return false
			}
		}
		return true
	}
	return false
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T %s", v, compact(v))
}

func compact(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:77]) + "..."
	}
	return string(b)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
