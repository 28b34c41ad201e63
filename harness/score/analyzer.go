package score

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Analyzer runs the real `systemd-analyze security --offline=true`, the
// host's or the one inside a root directory (through chroot), so that its
// answer can be compared with ours.
type Analyzer struct {
	Root   string // "" for the host's systemd-analyze; else a root to chroot into
	Policy string // --security-policy file, as seen from inside Root
}

// AnalyzedUnit is systemd-analyze's answer for one unit file.
type AnalyzedUnit struct {
	Path   string  // as given
	Checks []Check // with weight, range and badness (debug JSON)
	Tenths int     // the overall exposure it printed
}

// Offline analyzes unit files in one systemd-analyze run per mode (debug
// JSON for the rows, text for the overall score). The unit search path is
// limited to the files' directories, so drop-ins elsewhere do not apply.
// Paths are host paths; with Root they must lie inside it.
func (a Analyzer) Offline(ctx context.Context, paths []string) ([]AnalyzedUnit, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	inner := make([]string, len(paths))
	dirs := map[string]bool{}
	var dirList []string
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("analyzing %s: %w", p, err)
		}
		if a.Root != "" {
			rel, err := filepath.Rel(a.Root, abs)
			if err != nil || strings.HasPrefix(rel, "..") {
				return nil, fmt.Errorf("analyzing %s: not inside root %s", p, a.Root)
			}
			abs = "/" + rel
		}
		inner[i] = abs
		if d := filepath.Dir(abs); !dirs[d] {
			dirs[d] = true
			dirList = append(dirList, d)
		}
	}
	env := append(os.Environ(), "SYSTEMD_ANALYZE_DEBUG=1", "SYSTEMD_UNIT_PATH="+strings.Join(dirList, ":"), "SYSTEMD_COLORS=0", "SYSTEMD_PAGER=cat")
	args := []string{"security", "--offline=true", "--no-pager"}
	if a.Policy != "" {
		args = append(args, "--security-policy="+a.Policy)
	}
	jsonOut, err := a.run(ctx, env, append(append(args, "--json=short"), inner...))
	if err != nil {
		return nil, err
	}
	units, err := ParseAnalyzeJSON(jsonOut)
	if err != nil {
		return nil, err
	}
	if len(units) != len(paths) {
		return nil, fmt.Errorf("systemd-analyze answered for %d of %d units", len(units), len(paths))
	}
	textOut, err := a.run(ctx, env, append(args, inner...))
	if err != nil {
		return nil, err
	}
	overall, err := ParseOverall(textOut)
	if err != nil {
		return nil, err
	}
	if len(overall) != len(paths) {
		return nil, fmt.Errorf("systemd-analyze printed %d overall scores for %d units", len(overall), len(paths))
	}
	res := make([]AnalyzedUnit, len(paths))
	for i := range paths {
		res[i] = AnalyzedUnit{Path: paths[i], Checks: units[i], Tenths: overall[i]}
	}
	return res, nil
}

func (a Analyzer) run(ctx context.Context, env, args []string) ([]byte, error) {
	argv := append([]string{"systemd-analyze"}, args...)
	if a.Root != "" {
		argv = append([]string{"chroot", a.Root}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("running %s: %w: %s", strings.Join(argv[:min(len(argv), 6)], " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// ParseOverall reads the "Overall exposure level for UNIT: 9.6 UNSAFE"
// lines of text mode, in order.
func ParseOverall(out []byte) ([]int, error) {
	var tenths []int
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "Overall exposure level for ")
		if i < 0 {
			continue
		}
		rest := line[i:]
		j := strings.LastIndex(rest, ": ")
		if j < 0 {
			return nil, fmt.Errorf("reading systemd-analyze output: %q", line)
		}
		fields := strings.Fields(rest[j+2:])
		if len(fields) == 0 {
			return nil, fmt.Errorf("reading systemd-analyze output: %q", line)
		}
		whole, frac, ok := strings.Cut(fields[0], ".")
		w, err1 := strconv.Atoi(whole)
		f, err2 := strconv.Atoi(frac)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("reading systemd-analyze output: score %q", fields[0])
		}
		tenths = append(tenths, w*10+f)
	}
	return tenths, sc.Err()
}
