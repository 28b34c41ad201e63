package sandbox

import (
	"os"
	"strconv"
	"strings"
)

// OwnerProcess identifies a hardenlab process the way a run's owner.json
// does, for directories that cannot hold an owner file: a file inside would
// appear to their users, or could be missing if we are killed between
// creating the directory and writing the file. Carried in the directory's
// name instead (Tag), the owner is recorded atomically with the directory.
type OwnerProcess struct {
	PID       int
	StartTime string // field 22 of /proc/PID/stat
}

// CurrentOwner is the calling process.
func CurrentOwner() OwnerProcess {
	pid := os.Getpid()
	return OwnerProcess{PID: pid, StartTime: procStartTime(pid)}
}

// Alive reports whether the process still runs; a reused PID does not count.
func (p OwnerProcess) Alive() bool {
	return owner{PID: p.PID, StartTime: p.StartTime}.alive()
}

// Tag is the owner as one file-name-safe word: "<pid>.<start time>".
func (p OwnerProcess) Tag() string {
	return strconv.Itoa(p.PID) + "." + p.StartTime
}

// ParseOwnerTag undoes Tag; ok is false for anything Tag cannot have made,
// so names that are not ours are never taken for ours.
func ParseOwnerTag(tag string) (p OwnerProcess, ok bool) {
	pid, start, found := strings.Cut(tag, ".")
	if !found || !allDigits(pid) || !allDigits(start) {
		return OwnerProcess{}, false
	}
	n, err := strconv.Atoi(pid)
	if err != nil || n <= 0 {
		return OwnerProcess{}, false
	}
	return OwnerProcess{PID: n, StartTime: start}, true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
