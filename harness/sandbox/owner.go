package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// owner is written into each run directory so that a later run can tell a
// live run from the debris of a crashed one.
type owner struct {
	RunID     string `json:"run_id"`
	PID       int    `json:"pid"`        // the hardenlab process
	StartTime string `json:"start_time"` // field 22 of /proc/PID/stat: PIDs get reused, start times don't
	NspawnPID int    `json:"nspawn_pid,omitempty"`
	// ExtraDir is a second directory of the run (binaries, when /run is
	// noexec); gc removes it too.
	ExtraDir string `json:"extra_dir,omitempty"`
}

func writeOwner(runDir, runID string, nspawnPID int, extraDir string) error {
	o := owner{RunID: runID, PID: os.Getpid(), StartTime: procStartTime(os.Getpid()), NspawnPID: nspawnPID, ExtraDir: extraDir}
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(runDir, "owner.json"), data, 0o644); err != nil {
		return fmt.Errorf("recording run owner: %w", err)
	}
	return nil
}

func procStartTime(pid int) string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	// comm (field 2) may contain spaces and parentheses; fields after the
	// last ')' are plain.
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return ""
	}
	return f[19]
}

func (o owner) alive() bool {
	return o.PID > 0 && procStartTime(o.PID) == o.StartTime && o.StartTime != ""
}

// Debris is what a dead run left behind.
type Debris struct {
	RunID     string
	Dir       string
	NspawnPID int
	ExtraDir  string
}

// FindDebris lists run directories whose owning hardenlab process is gone.
// Runs that are still alive are never listed.
func FindDebris() ([]Debris, error) {
	entries, err := os.ReadDir(runBase)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", runBase, err)
	}
	var out []Debris
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(runBase, e.Name())
		var o owner
		data, err := os.ReadFile(filepath.Join(dir, "owner.json"))
		if err == nil && json.Unmarshal(data, &o) == nil && o.alive() {
			continue
		}
		if err != nil {
			// A run that died before writing its owner file: only treat it
			// as debris once it is clearly not being set up right now.
			fi, serr := os.Stat(dir)
			if serr != nil || time.Since(fi.ModTime()) < time.Minute {
				continue
			}
		}
		out = append(out, Debris{RunID: e.Name(), Dir: dir, NspawnPID: o.NspawnPID, ExtraDir: o.ExtraDir})
	}
	return out, nil
}

// Clean removes one dead run's container and directory.
func (d Debris) Clean(ctx context.Context) error {
	var errs []error
	if d.NspawnPID > 0 && isNspawnOf(d.NspawnPID, d.RunID) {
		_ = syscall.Kill(d.NspawnPID, syscall.SIGTERM)
		deadline := time.Now().Add(10 * time.Second)
		for isNspawnOf(d.NspawnPID, d.RunID) && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(100 * time.Millisecond)
		}
		if isNspawnOf(d.NspawnPID, d.RunID) {
			_ = syscall.Kill(d.NspawnPID, syscall.SIGKILL)
		}
	}
	if err := unmountOverlay(d.Dir); err != nil {
		// Never remove a tree that may still show the root.
		return errors.Join(append(errs, err)...)
	}
	if err := os.RemoveAll(d.Dir); err != nil {
		errs = append(errs, fmt.Errorf("removing %s: %w", d.Dir, err))
	}
	if d.ExtraDir != "" && strings.HasPrefix(d.ExtraDir, execBase+"/") {
		if err := os.RemoveAll(d.ExtraDir); err != nil {
			errs = append(errs, fmt.Errorf("removing %s: %w", d.ExtraDir, err))
		}
	}
	return errors.Join(errs...)
}

// isNspawnOf checks the command line, so that a reused PID is never killed.
func isNspawnOf(pid int, runID string) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	for _, a := range strings.Split(string(data), "\x00") {
		if a == "--machine="+MachineName(runID) {
			return true
		}
	}
	return false
}

// OrphanContainers finds hardenlab containers whose run directory is gone
// (the run died after removing it, or it was removed by hand).
func OrphanContainers() []Debris {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var out []Debris
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile("/proc/" + p.Name() + "/cmdline")
		if err != nil || !strings.Contains(string(data), "systemd-nspawn") {
			continue
		}
		for _, a := range strings.Split(string(data), "\x00") {
			name, ok := strings.CutPrefix(a, "--machine="+MachineName(""))
			if !ok || name == "" {
				continue
			}
			if _, err := os.Stat(filepath.Join(runBase, name)); errors.Is(err, os.ErrNotExist) {
				out = append(out, Debris{RunID: name, Dir: filepath.Join(runBase, name), NspawnPID: pid})
			}
		}
	}
	return out
}
