package run

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
)

// defaultPython is the demo service's interpreter when a unit's own
// ExecStart is not the demo.
const defaultPython = "/usr/bin/python3"

// demoCommand builds the argv that runs the demo service on port. A unit
// whose ExecStart is already "python3 -m http.server" keeps its interpreter
// and --directory; the port is hardenlab's (so runs never collide) and the
// server binds to loopback only, so that nothing the profile fails to
// protect is ever offered to the network while hardenlab tests it.
func demoCommand(s *directive.Settings, port int, hostPath func(string) string) (argv []string, note string, err error) {
	python := defaultPython
	var keep []string
	if !StandsIn(s) && len(s.ExecStart) == 1 {
		python = s.ExecStart[0][0]
		keep = directoryArgs(s.ExecStart[0])
	} else if StandsIn(s) {
		// Not the demo: hardenlab runs the demo instead, but a command that
		// does not even exist is a mistake in the unit worth stopping for.
		if bin := s.ExecStart[0][0]; path.IsAbs(bin) {
			if _, err := os.Stat(hostPath(bin)); err != nil {
				return nil, "", fmt.Errorf("ExecStart=%s: no such executable in the sandbox: %w", bin, pathless(err))
			}
		}
		note = fmt.Sprintf("ExecStart=%s is not the demo service; hardenlab ran %s -m http.server under the unit's directives instead",
			strings.Join(s.ExecStart[0], " "), defaultPython)
	}
	if !path.IsAbs(python) {
		found, ok := searchPath(python, hostPath)
		if !ok {
			return nil, "", fmt.Errorf("ExecStart=%s: not found in the directories systemd searches (%s)", python, strings.Join(execSearchPath(), ":"))
		}
		python = found
	}
	fi, err := os.Stat(hostPath(python))
	if err != nil {
		return nil, "", fmt.Errorf("ExecStart: %s does not exist in the sandbox (install python3 there): %w", python, err)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return nil, "", fmt.Errorf("ExecStart: %s is not an executable file", python)
	}
	argv = append([]string{python, "-m", "http.server"}, keep...)
	argv = append(argv, "--bind", "127.0.0.1", strconv.Itoa(port))
	return argv, note, nil
}

// StandsIn says whether the demo runs in place of commands of the unit's
// own: what the demo proves then holds for it, not for those commands.
func StandsIn(s *directive.Settings) bool {
	return len(s.ExecStart) > 0 && !(len(s.ExecStart) == 1 && isHTTPServer(s.ExecStart[0]))
}

func isHTTPServer(argv []string) bool {
	if len(argv) < 3 || !strings.HasPrefix(path.Base(argv[0]), "python3") {
		return false
	}
	for i := 1; i+1 < len(argv); i++ {
		if argv[i] == "-m" && argv[i+1] == "http.server" {
			return true
		}
	}
	return false
}

// directoryArgs keeps --directory/-d, which changes what is served.
func directoryArgs(argv []string) []string {
	var out []string
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case (a == "-d" || a == "--directory") && i+1 < len(argv):
			out = append(out, a, argv[i+1])
			i++
		case strings.HasPrefix(a, "--directory="):
			out = append(out, a)
		}
	}
	return out
}

// servedRoot is the directory http.server hands out: --directory if given,
// else the working directory, else "/" (systemd's default for system
// services — the tutorial's unit therefore serves the whole root).
func servedRoot(s *directive.Settings, argv []string) string {
	for i := 0; i < len(argv); i++ {
		if (argv[i] == "-d" || argv[i] == "--directory") && i+1 < len(argv) {
			return argv[i+1]
		}
		if v, ok := strings.CutPrefix(argv[i], "--directory="); ok {
			return v
		}
	}
	wd := strings.TrimPrefix(s.WorkingDirectory, "-")
	if wd == "" || wd == "~" {
		return "/"
	}
	return wd
}

// execSearchPath is where PID 1 looks for an ExecStart= command given as a
// bare name (the default search path of systemd 252 and 257).
func execSearchPath() []string {
	return []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
}

// searchPath resolves a bare command name as PID 1 would, in the sandbox.
func searchPath(name string, hostPath func(string) string) (string, bool) {
	for _, dir := range execSearchPath() {
		p := path.Join(dir, name)
		if fi, err := os.Stat(hostPath(p)); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, true
		}
	}
	return "", false
}

// demoType is the Type= the demo runs with: it never exits, forks, takes
// a bus name or notifies, so a unit of any Type= that waits for one of
// those would only time out. The demo starts as Type=simple instead,
// and a notify unit keeps the NotifyAccess=main its Type= implies, so the
// running unit scores as the unit does. note says what changed, if
// anything.
func demoType(s *directive.Settings) (typ, notifyAccess, note string) {
	switch s.Type {
	case "", "simple", "exec", "idle":
		return s.Type, "", ""
	case "notify", "notify-reload":
		if s.NotifyAccess == "" {
			notifyAccess = "main"
		}
	}
	return "simple", notifyAccess, fmt.Sprintf("Type=%s: the demo runs as Type=simple in the unit's place (it never exits, forks, takes a bus name or notifies)", s.Type)
}

// demoPreserve returns the profile as the demo's unit is sent: a unit
// with RuntimeDirectory= keeps it (RuntimeDirectoryPreserve=yes). The
// profiles of one run share the sandbox's /run, and the directory is
// the unit's name for it, not the profile's: without this, one profile's
// stop or Restart= removes the directory while another is setting up
// its mount namespace, which then fails with 226/NAMESPACE (seen with
// redis-server's unit, 3 profiles at a time). The directory goes with
// the sandbox; the score does not read the setting. note says so.
func demoPreserve(p Profile) (sent Profile, note string, err error) {
	if len(p.Settings.PlainValue("RuntimeDirectory")) == 0 || slices.Equal(p.Settings.PlainValue("RuntimeDirectoryPreserve"), []string{`"yes"`}) {
		return p, "", nil
	}
	assigns := append(slices.Clone(p.Assignments), directive.Assignment{Name: "RuntimeDirectoryPreserve", Value: "yes"})
	settings, err := directive.Resolve(assigns, p.DefaultDependencies)
	if err != nil {
		return p, "", fmt.Errorf("keeping the runtime directories of %s: %w", p.Name, err)
	}
	sent = p
	sent.Settings = settings
	return sent, "sent as RuntimeDirectoryPreserve=yes: the demo's profiles share the sandbox's /run, and one profile's stop or restart would remove the directory under another", nil
}

// pathless drops the host-side path (/proc/PID/root/...) from a stat
// error: the message names the path as the unit does, and stays the same
// from one sandbox to the next.
func pathless(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
