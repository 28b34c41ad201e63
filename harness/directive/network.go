package directive

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/coreos/go-systemd/v22/dbus"
	"golang.org/x/sys/unix"
)

// restrictAddressFamiliesSpec merges like config_parse_address_families():
// the first line after a reset fixes allow/deny mode, later lines add
// (same mode) or remove (other mode); "none" is an empty allow-list.
func restrictAddressFamiliesSpec() Spec {
	return Spec{
		Name: "RestrictAddressFamilies", Example: "AF_UNIX AF_INET AF_INET6", Section: "Service", Properties: []string{"RestrictAddressFamilies"}, Signature: "(bas)", Kind: KindFamilies,
		Doc: "socket address families the service may use (~: may not use; none: no sockets)",
		apply: func(r *resolver, a Assignment) error {
			af := &r.s.RestrictAddressFamilies
			switch a.Value {
			case "":
				*af, r.familiesListed = AddressFamilies{}, false
				return nil
			case "none":
				*af, r.familiesListed = AddressFamilies{Set: true, Allow: true}, false
				return nil
			}
			v, invert := strings.CutPrefix(a.Value, "~")
			words, err := splitWords(v, unquote)
			if err != nil {
				return newError(a, "%v", err)
			}
			var names []string
			for _, w := range words {
				name, _, ok := addressFamily(w)
				if !ok {
					return newError(a, "unknown address family %q", w)
				}
				names = append(names, name)
			}
			if !r.familiesListed {
				*af = AddressFamilies{Set: true, Allow: !invert}
				r.familiesListed = true
			}
			for _, n := range names {
				if !invert == af.Allow {
					if !slices.Contains(af.Families, n) {
						af.Families = append(af.Families, n)
					}
				} else {
					af.Families = slices.DeleteFunc(af.Families, func(f string) bool { return f == n })
				}
			}
			slices.Sort(af.Families)
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			af := s.RestrictAddressFamilies
			return []dbus.Property{prop("RestrictAddressFamilies", filterWire{Allow: af.Allow, Names: nonNil(af.Families)})}
		},
		want: func(s *Settings) string {
			af := s.RestrictAddressFamilies
			return modeWord(af.Allow) + " " + familyNumbers(af.Families)
		},
		got: func(v interface{}) (string, bool) {
			allow, names, ok := decodeFilter(v)
			return modeWord(allow) + " " + familyNumbers(names), ok
		},
		isDefault: func(s *Settings) bool { return !s.RestrictAddressFamilies.Set },
	}
}

// familyNumbers renders families by number, so that aliases (AF_LOCAL,
// AF_UNIX) compare equal.
func familyNumbers(names []string) string {
	nums := make([]int, 0, len(names))
	for _, n := range names {
		if _, num, ok := addressFamily(n); ok {
			nums = append(nums, num)
		} else {
			nums = append(nums, -1)
		}
	}
	slices.Sort(nums)
	return fmt.Sprint(nums)
}

// ipWire is the (iayu) element of IPAddressAllow=/IPAddressDeny=.
type ipWire struct {
	Family    int32
	Address   []byte
	PrefixLen uint32
}

func ipAddressSpec(name, doc, example string, field func(*Settings) *[]netip.Prefix) Spec {
	return Spec{
		Name: name, Example: example, Section: "Service", Properties: []string{name}, Signature: "a(iayu)", Kind: KindAddresses, Doc: doc,
		apply: func(r *resolver, a Assignment) error {
			if r.prefixSeen == nil {
				r.prefixSeen = map[string]map[netip.Prefix]bool{}
			}
			if a.Value == "" {
				*field(r.s), r.prefixSeen[name] = nil, nil
				return nil
			}
			if r.prefixSeen[name] == nil {
				r.prefixSeen[name] = map[netip.Prefix]bool{}
			}
			words, err := splitWords(a.Value, 0)
			if err != nil {
				return newError(a, "%v", err)
			}
			for _, w := range words {
				prefixes, err := parseAddressWord(w)
				if err != nil {
					return newError(a, "%v", err)
				}
				for _, p := range prefixes {
					if !r.prefixSeen[name][p] {
						r.prefixSeen[name][p] = true
						*field(r.s) = append(*field(r.s), p)
					}
				}
			}
			return nil
		},
		props: func(s *Settings) []dbus.Property {
			wire := []ipWire{}
			for _, p := range *field(s) {
				w := ipWire{Family: unix.AF_INET6, PrefixLen: uint32(p.Bits())}
				if p.Addr().Is4() {
					w.Family = unix.AF_INET
				}
				w.Address = p.Addr().AsSlice()
				wire = append(wire, w)
			}
			return []dbus.Property{prop(name, wire)}
		},
		want: func(s *Settings) string {
			l := make([]string, 0, len(*field(s)))
			for _, p := range *field(s) {
				l = append(l, p.String())
			}
			return sortedJoin(l)
		},
		got: func(v interface{}) (string, bool) {
			rows, ok := v.([][]interface{})
			if !ok {
				return fmt.Sprint(v), false
			}
			var l []string
			for _, row := range rows {
				if len(row) != 3 {
					return fmt.Sprint(v), false
				}
				b, _ := row[1].([]byte)
				n, _ := row[2].(uint32)
				addr, ok := netip.AddrFromSlice(b)
				if !ok {
					return fmt.Sprint(v), false
				}
				l = append(l, netip.PrefixFrom(addr, int(n)).String())
			}
			return sortedJoin(l), true
		},
		isDefault: func(s *Settings) bool { return len(*field(s)) == 0 },
	}
}
