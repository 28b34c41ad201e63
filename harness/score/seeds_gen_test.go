//go:build seeds

package score

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/hardenlab/hardenlab/harness/score/internal/unitgen"
)

// TestWriteFuzzSeeds regenerates the committed fuzz seed corpus from the
// unit generator:
//
//	go test -tags seeds -run WriteFuzzSeeds ./harness/score/
func TestWriteFuzzSeeds(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzScore")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		body := "go test fuzz v1\n[]byte(" + strconv.Quote(unitgen.Unit(99, i)) + ")\n"
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("gen-%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
