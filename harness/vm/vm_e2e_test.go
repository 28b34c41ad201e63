//go:build e2e

package vm

import (
	"context"
	"os"
	"testing"
	"time"
)

// e2eStateDir is the image cache the e2e tests use: the real one by default,
// so CI machines that keep /var/lib/hardenlab build the image only once.
func e2eStateDir() string {
	if d := os.Getenv("HARDENLAB_STATE_DIR"); d != "" {
		return d
	}
	return DefaultStateDir
}

func TestE2EEnsureImage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	start := time.Now()
	dir, built, err := ensureImage(ctx, Config{StateDir: e2eStateDir()}.withDefaults(), nil, testWriter{t})
	if err != nil {
		t.Fatal(err)
	}
	m, err := readManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image %s built=%v in %s: kernel %s, systemd %s (recorded build %s)", dir, built, time.Since(start).Round(time.Millisecond), m.Kernel, m.SystemdPackage, m.BuildDuration.Round(time.Second))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }
