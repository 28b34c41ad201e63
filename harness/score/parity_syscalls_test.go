//go:build parity

package score

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// The generated syscall tables must be what the machine's systemd-analyze
// and libseccomp say today: every @group, every member and every name
// each version resolves. gensyscalls runs again into a scratch file and
// the result must equal the committed table, comments aside (they name
// the package release, which a point release changes).

func TestParitySyscallTables252(t *testing.T) {
	requireAnalyze(t)
	checkSyscallTable(t, "", "syscalls252", "syscalls_252.go")
}

func TestParitySyscallTables257(t *testing.T) {
	requireAnalyze(t)
	checkSyscallTable(t, trixieRoot(t), "syscalls257", "syscalls_257.go")
}

func checkSyscallTable(t *testing.T, root, varName, committed string) {
	out := filepath.Join(t.TempDir(), committed)
	args := []string{"run", "./internal/gensyscalls", "-var", varName, "-out", out}
	if root != "" {
		args = append(args, "-root", root)
	}
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gensyscalls: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(withoutComments(got), withoutComments(want)) {
		t.Errorf("%s is not what this machine's systemd-analyze and libseccomp give (go generate ./harness/score as root)", committed)
	}
}

func withoutComments(src []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(src, []byte("\n")) {
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("//")) {
			out = append(out, line)
		}
	}
	return bytes.Join(out, []byte("\n"))
}
