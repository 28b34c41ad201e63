package directive

import (
	"fmt"
	"slices"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"
)

// deviceAllowSpec: "PATH [rwm]" per line; PATH is a /dev node or a
// char-/block- class.
func deviceAllowSpec() Spec {
	return Spec{
		Name: "DeviceAllow", Example: "/dev/null rw", Section: "Service", Properties: []string{"DeviceAllow"}, Signature: "a(ss)", Kind: KindDevice,
		Doc: "devices the service may access, with r/w/m (mknod) rights",
		apply: func(r *resolver, a Assignment) error {
			if a.Value == "" {
				r.s.DeviceAllow = nil
				return nil
			}
			dev, rest, _, err := nextWord(a.Value, unquote)
			if err != nil {
				return newError(a, "%v", err)
			}
			if dev, err = a.expand(dev); err != nil {
				return newError(a, "%v", err)
			}
			if !strings.HasPrefix(dev, "char-") && !strings.HasPrefix(dev, "block-") {
				clean, err := normalizePath(dev)
				if err != nil || !(strings.HasPrefix(clean, "/dev/") || strings.HasPrefix(clean, "/run/systemd/inaccessible/")) {
					return newError(a, "%q is neither a device node under /dev nor a char-/block- class", dev)
				}
				dev = clean
			}
			perms := strings.TrimRight(rest, wordSeparators)
			if strings.Trim(perms, "rwm") != "" {
				return newError(a, "rights %q may only contain r, w and m", perms)
			}
			r.s.DeviceAllow = append(r.s.DeviceAllow, DeviceRule{Path: dev, Perms: canonicalPerms(perms)})
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			wire := []deviceWire{}
			for _, d := range s.DeviceAllow {
				wire = append(wire, deviceWire(d))
			}
			return []dbus.Property{prop("DeviceAllow", wire)}
		},
		isDefault: func(s *Settings) bool { return len(s.DeviceAllow) == 0 },
		compare:   compareDeviceAllow,
	}
}

type deviceWire struct {
	Path, Perms string
}

func canonicalPerms(p string) string {
	if p == "" {
		return "rwm"
	}
	out := ""
	for _, c := range "rwm" {
		if strings.ContainsRune(p, c) {
			out += string(c)
		}
	}
	return out
}

// compareDeviceAllow: every rule meant must be stored; systemd adds rules
// of its own (ProtectClock=, RootImage=), and stores rules newest first.
func compareDeviceAllow(want *Settings, v interface{}) (string, string, bool) {
	rows, ok := v.([][]interface{})
	if !ok {
		return "a(ss)", fmt.Sprint(v), false
	}
	var got []string
	for _, row := range rows {
		if len(row) != 2 {
			return "a(ss)", fmt.Sprint(v), false
		}
		p, _ := row[0].(string)
		perms, _ := row[1].(string)
		got = append(got, p+":"+canonicalPerms(perms))
	}
	var wantL []string
	equal := true
	for _, d := range want.DeviceAllow {
		e := d.Path + ":" + d.Perms
		wantL = append(wantL, e)
		equal = equal && slices.Contains(got, e)
	}
	return sortedJoin(wantL), sortedJoin(got), equal
}
