package directive

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// filterWire is the (bas) shape of SystemCallFilter= and
// RestrictAddressFamilies=.
type filterWire struct {
	Allow bool
	Names []string
}

func systemCallFilterSpec() Spec {
	return Spec{
		Name: "SystemCallFilter", Example: "@system-service", Section: "Service", Properties: []string{"SystemCallFilter"}, Signature: "(bas)", Kind: KindSyscalls,
		Doc: "system calls the service may use (~: may not use); @groups allowed",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.SystemCallFilter = nil
				return nil
			}
			v, invert := strings.CutPrefix(a.Value, "~")
			words, err := splitWords(v, 0)
			if err != nil {
				return newError(a, "%v", err)
			}
			if len(words) == 0 {
				return newError(a, `an empty list cannot be sent over D-Bus (it would reset the filter); write SystemCallFilter= to reset`)
			}
			for _, w := range words {
				_, hasErrno, err := parseSyscall(w)
				if err != nil {
					return newError(a, "%v", err)
				}
				if hasErrno && !invert {
					return newError(a, "%q: only denied system calls (~) can carry an errno", w)
				}
			}
			r.s.SystemCallFilter = append(r.s.SystemCallFilter, FilterLine{Allow: !invert, Names: words})
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			if len(s.SystemCallFilter) == 0 {
				return []dbus.Property{prop("SystemCallFilter", filterWire{Names: []string{}})}
			}
			var out []dbus.Property
			for _, l := range s.SystemCallFilter {
				out = append(out, prop("SystemCallFilter", filterWire(l)))
			}
			return out
		},
		isDefault: func(s *Settings) bool { return len(s.SystemCallFilter) == 0 },
		compare:   compareSystemCallFilter,
	}
}

// compareSystemCallFilter checks what can be checked without PID 1's
// group tables: the mode, and the presence of every system call named
// explicitly after the last @group that could have changed it.
func compareSystemCallFilter(want *Settings, v interface{}) (string, string, bool) {
	allow, names, ok := decodeFilter(v)
	if !ok {
		return "(bas)", fmt.Sprint(v), false
	}
	got := make(map[string]bool, len(names))
	for _, n := range names {
		base, _, _ := strings.Cut(n, ":")
		got[base] = true
	}
	wantAllow := false
	expect := map[string]bool{}
	var order []string
	for i, l := range want.SystemCallFilter {
		if i == 0 {
			wantAllow = l.Allow
		}
		for _, w := range l.Names {
			base, _, _ := strings.Cut(w, ":")
			if strings.HasPrefix(base, "@") {
				clear(expect) // the group may add or remove any earlier name
				order = order[:0]
				continue
			}
			if _, seen := expect[base]; !seen {
				order = append(order, base)
			}
			expect[base] = l.Allow == wantAllow
		}
	}
	var wantText, gotText []string
	wantText = append(wantText, modeWord(wantAllow))
	gotText = append(gotText, modeWord(allow))
	equal := allow == wantAllow || len(want.SystemCallFilter) == 0 && !allow
	for _, n := range order {
		wantText = append(wantText, presence(n, expect[n]))
		gotText = append(gotText, presence(n, got[n]))
		equal = equal && expect[n] == got[n]
	}
	return strings.Join(wantText, " "), strings.Join(gotText, " "), equal
}

func modeWord(allow bool) string {
	if allow {
		return "allow-list"
	}
	return "deny-list"
}

func presence(name string, in bool) string {
	if in {
		return "+" + name
	}
	return "-" + name
}

func decodeFilter(v interface{}) (bool, []string, bool) {
	fields, ok := v.([]interface{})
	if !ok || len(fields) != 2 {
		return false, nil, false
	}
	allow, ok1 := fields[0].(bool)
	names, ok2 := fields[1].([]string)
	return allow, names, ok1 && ok2
}

func systemCallErrorNumberSpec() Spec {
	return Spec{
		Name: "SystemCallErrorNumber", Example: "EPERM", Section: "Service", Properties: []string{"SystemCallErrorNumber"}, Signature: "i", Kind: KindErrno,
		Doc: "errno returned by filtered system calls instead of killing the process",
		apply: func(r *resolver, a Assignment) error {
			switch a.Value {
			case "":
				r.s.SystemCallErrorNumber = ""
				return nil
			case "kill":
				r.s.SystemCallErrorNumber = "kill"
				return nil
			}
			n, ok := errnoNumber(a.Value)
			if !ok {
				return newError(a, "not an errno name or number 1..%d", linux.MaxErrno)
			}
			r.s.SystemCallErrorNumber = errnoName(n)
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop("SystemCallErrorNumber", errnoValue(s.SystemCallErrorNumber))}
		},
		want: func(s *Settings) string { return strconv.Itoa(int(errnoValue(s.SystemCallErrorNumber))) },
		got: func(v interface{}) (string, bool) {
			n, ok := v.(int32)
			return strconv.Itoa(int(n)), ok
		},
		isDefault: func(s *Settings) bool { return s.SystemCallErrorNumber == "" || s.SystemCallErrorNumber == "kill" },
	}
}

func errnoValue(name string) int32 {
	if name == "" || name == "kill" {
		return seccompErrnoKill
	}
	n, _ := errnoNumber(name)
	return n
}

func systemCallArchitecturesSpec() Spec {
	return Spec{
		Name: "SystemCallArchitectures", Example: "native", Section: "Service", Properties: []string{"SystemCallArchitectures"}, Signature: "as", Kind: KindArchitectures,
		Doc: "ABIs the service may use for system calls (native: only the host's)",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.SystemCallArchitectures = nil
				return nil
			}
			words, err := splitWords(a.Value, unquote)
			if err != nil {
				return newError(a, "%v", err)
			}
			for _, w := range words {
				if !isArchitecture(w) {
					return newError(a, "unknown architecture %q", w)
				}
				if !slices.Contains(r.s.SystemCallArchitectures, w) {
					r.s.SystemCallArchitectures = append(r.s.SystemCallArchitectures, w)
				}
			}
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			return []dbus.Property{prop("SystemCallArchitectures", nonNil(s.SystemCallArchitectures))}
		},
		want: func(s *Settings) string { return sortedJoin(s.SystemCallArchitectures) },
		got: func(v interface{}) (string, bool) {
			l, ok := v.([]string)
			return sortedJoin(l), ok
		},
		isDefault: func(s *Settings) bool { return len(s.SystemCallArchitectures) == 0 },
	}
}

func sortedJoin(l []string) string {
	c := slices.Clone(l)
	slices.Sort(c)
	return strings.Join(c, " ")
}

// SyscallSince reports whether SystemCallFilter= accepts the system call
// name (ok), and from which systemd release PID 1 keeps it in a filter
// rather than logging "Failed to parse system call, ignoring": 0 when the
// libseccomp of every release hardenlab models resolves it, else the
// first release whose libseccomp does. The real dependency is libseccomp's
// version; hardenlab approximates it by the systemd release whose Debian
// libseccomp the name lists were generated from (see syscallsOnly257Since).
func SyscallSince(name string) (since int, ok bool) {
	switch {
	case knownSyscalls()[name]:
		return 0, true
	case onlyNewerSyscalls()[name]:
		return syscallsOnly257Since, true
	}
	return 0, false
}

// SyscallNeed is a system call name that only newer systemd releases
// (their libseccomp) keep in a filter.
type SyscallNeed struct {
	Name  string
	Since int // the first release that keeps it, as SyscallSince says
}

// Ignored says what an older PID 1 does with the name, as it logs it:
// "ignores system call "mseal" (...): only the libseccomp of systemd
// 257 or newer resolves it".
func (n SyscallNeed) Ignored() string {
	if strings.HasPrefix(n.Name, "@") {
		return fmt.Sprintf("ignores system call group %s, which it does not define (\"Unknown system call group, ignoring: %s\"): it needs systemd %d or newer", n.Name, n.Name, n.Since)
	}
	return fmt.Sprintf("ignores system call %q (\"Failed to parse system call, ignoring: %s\"): only the libseccomp of systemd %d or newer resolves it", n.Name, n.Name, n.Since)
}

// NewerSyscalls lists the system call names of a SystemCallFilter=
// assignment that systemd release (a major version) would log and ignore
// because its libseccomp does not resolve them, and the @groups it does
// not define yet (@sandbox before 257): each once, in the order written.
// It returns nil for other directives and for values Resolve refuses.
func NewerSyscalls(a Assignment, release int) []SyscallNeed {
	if a.Name != "SystemCallFilter" {
		return nil
	}
	words, err := splitWords(strings.TrimPrefix(a.Value, "~"), 0)
	if err != nil {
		return nil
	}
	var out []SyscallNeed
	for _, w := range words {
		name, _, _ := strings.Cut(w, ":")
		since, ok := SyscallSince(name)
		if g, newer := syscallGroupsSince()[name]; newer {
			since, ok = g, true
		}
		if !ok || since == 0 || release >= since {
			continue
		}
		if !slices.ContainsFunc(out, func(n SyscallNeed) bool { return n.Name == name }) {
			out = append(out, SyscallNeed{Name: name, Since: since})
		}
	}
	return out
}
