package baseline

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/report"
)

// FuzzLoad feeds the loader arbitrary files. It must never panic; an error
// must be one line naming the file; and whatever it accepts must survive
// what Save does to it (encode, decode) unchanged, or a baseline written by
// --update-baseline could fail the next check.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := decode("fuzz.json", data)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "fuzz.json") {
				t.Fatalf("error does not name the file: %q", msg)
			}
			if strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("multi-line error: %q", msg)
			}
			return
		}
		if m.Schema != report.SchemaVersion || len(m.Records) == 0 {
			t.Fatalf("accepted schema %d with %d records", m.Schema, len(m.Records))
		}
		saved, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			t.Fatalf("accepted a matrix that cannot be saved: %v", err)
		}
		again, err := decode("saved.json", saved)
		if err != nil {
			t.Fatalf("a saved baseline does not load: %v", err)
		}
		resaved, err := json.MarshalIndent(again, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(saved, resaved) {
			t.Fatalf("save/load changed the matrix:\n%s\n---\n%s", saved, resaved)
		}
		// Comparing a baseline with itself must always pass.
		if regs := Compare(m, again, nil); len(regs) != 0 {
			t.Fatalf("a baseline regressed against itself: %+v", regs)
		}
	})
}
