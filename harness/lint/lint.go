// Package lint flags hardening that is declared but cannot mean what it
// says: settings that score points while doing nothing, or that do the
// opposite of what their author most likely intended.
package lint

import (
	"fmt"
	"path"
	"strings"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/probes/linux"
)

// Finding is one lint hit.
type Finding struct {
	ID        string
	Directive string
	Message   string
}

type rule struct {
	id        string
	directive string
	check     func(s *directive.Settings, assigns []directive.Assignment) (string, bool)
}

// rules is the lint table; each rule says why in its message.
func rules() []rule {
	return []rule{
		{"ip-allow-without-deny", "IPAddressAllow", ipAllowWithoutDeny},
		{"namespaces-allow-list", "RestrictNamespaces", namespacesAllowList},
		{"protectproc-with-ptrace", "ProtectProc", protectProcWithPtrace},
		{"workdir-hidden-by-protecthome", "WorkingDirectory", workdirHidden},
	}
}

// Check runs every rule.
func Check(s *directive.Settings, assigns []directive.Assignment) []Finding {
	var out []Finding
	for _, r := range rules() {
		if msg, hit := r.check(s, assigns); hit {
			out = append(out, Finding{ID: r.id, Directive: r.directive, Message: msg})
		}
	}
	return out
}

func ipAllowWithoutDeny(s *directive.Settings, _ []directive.Assignment) (string, bool) {
	if len(s.IPAddressAllow) == 0 || len(s.IPAddressDeny) > 0 {
		return "", false
	}
	return "IPAddressAllow= without IPAddressDeny= restricts nothing: traffic matching no list is allowed. " +
		"Add IPAddressDeny=any to make the allow-list mean something.", true
}

func namespacesAllowList(s *directive.Settings, assigns []directive.Assignment) (string, bool) {
	var last string
	for _, a := range assigns {
		if a.Name == "RestrictNamespaces" {
			last = strings.TrimSpace(a.Value)
		}
	}
	if last == "" || strings.HasPrefix(last, "~") || isBoolean(last) {
		return "", false
	}
	allowed := directive.AllowedNamespaces(s)
	if len(allowed) == 0 {
		return "", false
	}
	return fmt.Sprintf("RestrictNamespaces=%s is an allow-list: %s namespaces stay ALLOWED and only the others are forbidden. "+
		"To forbid these types, write RestrictNamespaces=~%s (or RestrictNamespaces=yes to forbid all).",
		last, strings.Join(allowed, ", "), last), true
}

func isBoolean(v string) bool {
	_, err := directive.ParseBool(v)
	return err == nil
}

func protectProcWithPtrace(s *directive.Settings, _ []directive.Assignment) (string, bool) {
	if s.ProtectProc == "" || s.ProtectProc == "default" {
		return "", false
	}
	if s.CapabilityBoundingSet&linux.CapSysPtrace.Mask() == 0 {
		return "", false
	}
	return fmt.Sprintf("ProtectProc=%s has no effect while the service keeps CAP_SYS_PTRACE (it passes the ptrace access check "+
		"that hidepid= relies on); drop it from CapabilityBoundingSet=.", s.ProtectProc), true
}

func workdirHidden(s *directive.Settings, _ []directive.Assignment) (string, bool) {
	wd := strings.TrimPrefix(s.WorkingDirectory, "-")
	if wd == "" || s.ProtectHome == "" || s.ProtectHome == "no" {
		return "", false
	}
	if wd == "~" {
		wd = "/root"
		if s.User != "" && s.User != "root" && s.User != "0" {
			wd = "/home/" + s.User
		}
	}
	for _, h := range []string{"/home", "/root", "/run/user"} {
		if wd == h || strings.HasPrefix(path.Clean(wd), h+"/") {
			what := "hidden"
			if s.ProtectHome == "read-only" {
				return "", false
			}
			if s.ProtectHome == "tmpfs" {
				what = "replaced by an empty tmpfs"
			}
			return fmt.Sprintf("WorkingDirectory=%s lies under %s, which ProtectHome=%s makes %s: the service fails to start "+
				"(status 200/CHDIR) or runs in an empty directory.", s.WorkingDirectory, h, s.ProtectHome, what), true
		}
	}
	return "", false
}
