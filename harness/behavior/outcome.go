package behavior

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Outcome is what became of the service, beside what its probes say.
type Outcome string

const (
	// Serves: the host got an HTTP answer.
	Serves Outcome = "serves"
	// Unreachable: the service runs and its socket listens inside its
	// sandbox, but the host's packets do not reach it (PrivateNetwork=,
	// IPAddressDeny=): the profile cut it off, it did not break it.
	Unreachable Outcome = "unreachable"
	// Exited: the service started and then stopped before answering.
	Exited Outcome = "exited"
	// FailedToStart: systemd's start job for the unit failed.
	FailedToStart Outcome = "failed-to-start"
	// TimedOut: it neither answered, nor listened, nor stopped in time.
	TimedOut Outcome = "timed-out"
	// Unhealthy: it runs and the host reaches it, but a health check of
	// the unit's own commands (--health) failed: an exec check exited
	// non-zero, or a reply was not the expected one.
	Unhealthy Outcome = "unhealthy"
)

// Outcomes lists every outcome, in the order reports show them.
func Outcomes() []Outcome {
	return []Outcome{Serves, Unreachable, Exited, FailedToStart, TimedOut, Unhealthy}
}

// Broken says whether the profile broke the service: it never ran as a
// service should. An unreachable service is running.
func (o Outcome) Broken() bool {
	switch o {
	case Exited, FailedToStart, TimedOut, Unhealthy:
		return true
	}
	return false
}

// tcpListen is the LISTEN state in /proc/net/tcp's "st" column.
const tcpListen = "0A"

// Listening says whether a TCP socket listens on port in the network
// namespace whose /proc/PID/net directory is netDir: the service's own
// view, whether or not the host can reach it.
func Listening(netDir string, port int) (bool, error) {
	var errs []string
	for _, name := range []string{"tcp", "tcp6"} {
		ok, err := listensIn(filepath.Join(netDir, name), port)
		if ok {
			return true, nil
		}
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) == 2 {
		return false, fmt.Errorf("reading the service's sockets: %s", strings.Join(errs, "; "))
	}
	return false, nil
}

func listensIn(file string, port int) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	want := fmt.Sprintf(":%04X", port)
	s := bufio.NewScanner(f)
	for s.Scan() {
		// sl local_address rem_address st ...
		fields := strings.Fields(s.Text())
		if len(fields) < 4 || fields[3] != tcpListen {
			continue
		}
		if strings.HasSuffix(fields[1], want) {
			return true, nil
		}
	}
	return false, s.Err()
}
