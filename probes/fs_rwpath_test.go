package probes

import (
	"context"
	"path/filepath"
	"testing"
)

// A grant is tested by writing into its directory; a directory the
// sandbox lacks leaves nothing to judge, which is not an error of the
// probe.
func TestCheckReadWritePath(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		path string
		want Outcome
	}{
		{dir, Allowed},
		{filepath.Join(dir, "absent"), Skipped},
	} {
		if got := checkReadWritePath(context.Background(), Options{ReadWritePath: tc.path}); got.Outcome != tc.want {
			t.Errorf("%s: %s (%s), want %s", tc.path, got.Outcome, got.Detail, tc.want)
		}
	}
}
