package directive

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hardenlab/hardenlab/probes/linux"
)

// ParseBool accepts systemd's boolean words, case-insensitively.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "yes", "y", "true", "t", "on":
		return true, nil
	case "0", "no", "n", "false", "f", "off":
		return false, nil
	}
	return false, errNotBoolean
}

// errNotBoolean is ParseBool's error; the value is made once, since
// several directives try a boolean before their other words.
var errNotBoolean = errors.New("not a boolean (want yes/no, true/false, on/off, 1/0)")

// oneOf checks a word against an enumeration (case-sensitive, as systemd's
// string tables are).
func oneOf(s string, values []string) error {
	for _, v := range values {
		if s == v {
			return nil
		}
	}
	if s == "" {
		return fmt.Errorf("empty value (want one of %s)", strings.Join(values, ", "))
	}
	return fmt.Errorf("unknown value (want one of %s)", strings.Join(values, ", "))
}

// parseCapabilities turns a capability list into a bitmask; systemd would
// silently skip unknown words, hardenlab refuses them.
func parseCapabilities(s string) (uint64, error) {
	words, err := splitWords(s, unquote)
	if err != nil {
		return 0, err
	}
	var mask uint64
	for _, w := range words {
		c, ok := linux.ParseCapability(w)
		if !ok {
			return 0, fmt.Errorf("unknown capability %q", w)
		}
		mask |= c.Mask()
	}
	return mask, nil
}

// parseNamespaces turns a namespace type list into CLONE_NEW* bits.
func parseNamespaces(s string) (uint64, error) {
	words, err := splitWords(s, 0)
	if err != nil {
		return 0, err
	}
	var mask uint64
	for _, w := range words {
		ns, ok := linux.ParseNamespace(w)
		if !ok {
			all := linux.NamespacesAll | linux.NamespaceTime
			return 0, fmt.Errorf("unknown namespace type %q (want %s)", w, all)
		}
		mask |= uint64(ns)
	}
	return mask, nil
}

// parseSyscall checks one SystemCallFilter= word: a known system call or
// @group, optionally followed by ":ERRNO" (or ":kill"). A name is known
// when the libseccomp of any modelled systemd release resolves it; whether
// the release under test keeps it is NewerSyscalls' question, asked where
// that release is known.
func parseSyscall(word string) (name string, hasErrno bool, err error) {
	name, action, hasErrno := strings.Cut(word, ":")
	if hasErrno && !ValidSyscallAction(action) {
		return "", false, fmt.Errorf("unknown errno %q in %q", action, word)
	}
	if strings.HasPrefix(name, "@") {
		if !isSyscallGroup(name) {
			return "", false, fmt.Errorf("unknown system call group %q", name)
		}
		return name, hasErrno, nil
	}
	if _, ok := SyscallSince(name); !ok {
		return "", false, fmt.Errorf("unknown system call %q: libseccomp does not resolve it, so systemd would ignore it", name)
	}
	return name, hasErrno, nil
}

// addressKeywords are the IPAddressAllow=/IPAddressDeny= shortcuts.
var addressKeywords = [...]struct {
	Word     string
	Prefixes [2]string
}{
	{"any", [2]string{"0.0.0.0/0", "::/0"}},
	{"localhost", [2]string{"127.0.0.0/8", "::1/128"}},
	{"link-local", [2]string{"169.254.0.0/16", "fe80::/64"}},
	{"multicast", [2]string{"224.0.0.0/4", "ff00::/8"}},
}

// isLocalhostName mirrors systemd's is_localhost(): "localhost",
// "localhost.localdomain" and their subdomains, with or without a final dot.
func isLocalhostName(w string) bool {
	w = strings.TrimSuffix(strings.ToLower(w), ".")
	for _, base := range []string{"localhost", "localhost.localdomain"} {
		if w == base || strings.HasSuffix(w, "."+base) {
			return true
		}
	}
	return false
}

// parseAddressWord parses one IPAddressAllow=/Deny= word into masked
// prefixes.
func parseAddressWord(w string) ([]netip.Prefix, error) {
	if isLocalhostName(w) {
		w = "localhost"
	}
	for _, k := range addressKeywords {
		if w == k.Word {
			return []netip.Prefix{netip.MustParsePrefix(k.Prefixes[0]), netip.MustParsePrefix(k.Prefixes[1])}, nil
		}
	}
	addrText, lenText, hasLen := strings.Cut(w, "/")
	addr, err := netip.ParseAddr(addrText)
	if err != nil || addr.Zone() != "" {
		return nil, fmt.Errorf("not an IP address or prefix: %q", w)
	}
	bits := addr.BitLen()
	if hasLen {
		n, ok := smallDecimal(lenText, bits)
		if !ok {
			return nil, fmt.Errorf("bad prefix length in %q (want 0..%d)", w, bits)
		}
		bits = n
	}
	return []netip.Prefix{netip.PrefixFrom(addr, bits).Masked()}, nil
}

// checkUserName follows systemd's relaxed user/group name rules
// (valid_user_group_name with VALID_USER_RELAX|VALID_USER_ALLOW_NUMERIC).
func checkUserName(s string) error {
	switch {
	case s == "":
		return errors.New("empty name")
	case s == "." || s == "..":
		return errors.New("not a valid user or group name")
	case len(s) > 256:
		return errors.New("name longer than 256 bytes")
	case !utf8.ValidString(s):
		return errors.New("name is not valid UTF-8")
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
		return errors.New("name starts with - or +")
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		if n >= 0xFFFFFFFF || n == 0xFFFF {
			return errors.New("numeric ID out of range")
		}
		return nil
	}
	for _, r := range s {
		if r == ':' || r == '/' || unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("name contains %q", r)
		}
	}
	return nil
}

// normalizePath checks that p is absolute and valid and simplifies it as
// systemd's path_simplify() does ("//a/./b/" -> "/a/b").
func normalizePath(p string) (string, error) {
	if err := checkPathText(p); err != nil {
		return "", err
	}
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("path %q is not absolute", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("path %q contains \"..\"", p)
		}
	}
	return path.Clean(p), nil
}

// checkPathText refuses what no path may contain.
func checkPathText(p string) error {
	switch {
	case p == "":
		return errors.New("empty path")
	case len(p) > 4095:
		return errors.New("path longer than PATH_MAX")
	case !utf8.ValidString(p):
		return errors.New("path is not valid UTF-8")
	}
	for _, r := range p {
		if r < ' ' || r == 0x7f {
			return fmt.Errorf("path %q contains a control character", p)
		}
	}
	return nil
}
