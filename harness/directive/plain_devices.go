package directive

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// deviceValueWire is one (st) entry of IODeviceWeight= and friends: a device
// path and its weight, limit or latency.
type deviceValueWire struct {
	Path  string
	Value uint64
}

// deviceLimit says how the value after a device path is read and what PID
// 1 lists for it.
type deviceLimit struct {
	name  string
	parse func(string) (uint64, error)
	// hideInfinity: PID 1 lists only devices whose limit differs from
	// the default, so an "infinity" entry reads back as absent.
	hideInfinity bool
}

// kindDeviceList is IODeviceWeight=, IOReadBandwidthMax= and the other
// "DEVICE VALUE" settings, sent as a(st) once for all lines. PID 1 keeps
// one entry per device, the last value given; the order it lists them in
// depends on which setting named a device first (all four IO limits share
// one list), so the read-back compares them as a set.
func kindDeviceList(l deviceLimit) plainKind {
	return plainKind{name: "DEVICE " + l.name, sigs: []string{"a(st)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		path, rest, ok, err := nextWord(v, unquote)
		if err == nil && (!ok || strings.TrimSpace(rest) == "") {
			err = fmt.Errorf("%q is not DEVICE %s (a device path, a space, the value)", v, l.name)
		}
		if err != nil {
			return nil, err
		}
		if path, err = x.expand(path); err == nil {
			path, err = normalizePath(path)
		}
		if err != nil {
			return nil, err
		}
		n, err := l.parse(strings.TrimSpace(rest))
		if err != nil {
			return nil, err
		}
		return one(append(listOf[deviceValueWire](prev, 0), deviceValueWire{path, n})), nil
	}, expect: func(sent []any) []any {
		return []any{unorderedCanon(lastPerDevice(listOf[deviceValueWire](sent, 0), l.hideInfinity))}
	}, trim: unorderedCanon}
}

// lastPerDevice is what PID 1 keeps of the entries sent: each device once,
// with its last value.
func lastPerDevice(entries []deviceValueWire, hideInfinity bool) []deviceValueWire {
	var out []deviceValueWire
	for _, e := range entries {
		if i := slices.IndexFunc(out, func(o deviceValueWire) bool { return o.Path == e.Path }); i >= 0 {
			out[i].Value = e.Value
			continue
		}
		out = append(out, e)
	}
	if hideInfinity {
		out = slices.DeleteFunc(out, func(e deviceValueWire) bool { return e.Value == infinity })
	}
	return out
}

// ioWeight and the other device values are read as systemd's unit-file
// parsers read them (config_parse_io_device_weight, config_parse_io_limit,
// config_parse_blockio_bandwidth, ...).
func ioWeight(min, max int64) deviceLimit {
	return deviceLimit{name: fmt.Sprintf("WEIGHT (%d..%d)", min, max), parse: func(s string) (uint64, error) {
		n, err := parseInt(s, min, max)
		return uint64(n), err
	}}
}

// ioLimit is a bandwidth or IOPS limit: base 1000 (1K is 1000), above 0,
// or infinity. blockIO is the cgroup-v1 form, whose parser refuses
// "infinity" ("Invalid Block IO Bandwidth", the line ignored).
func ioLimit(what string, blockIO bool) deviceLimit {
	l := deviceLimit{name: what + " (K, M, G... base 1000, or infinity)", hideInfinity: true}
	if blockIO {
		l = deviceLimit{name: what + " (K, M, G... base 1000)"}
	}
	l.parse = func(s string) (uint64, error) {
		if s == "infinity" {
			if blockIO {
				return 0, fmt.Errorf("systemd ignores \"infinity\" here (\"Invalid Block IO Bandwidth\"); leave the device out for no limit")
			}
			return infinity, nil
		}
		n, err := parseSize1000(s)
		if err == nil && n == 0 {
			err = fmt.Errorf("a limit of 0 is invalid (systemd ignores the line); leave the device out for no limit")
		}
		return n, err
	}
	return l
}

// ioLatency is IODeviceLatencyTargetSec=: a time span (seconds by
// default), sent in microseconds; PID 1 lists an infinite target too.
func ioLatency() deviceLimit {
	return deviceLimit{name: "TARGET (a time span)", parse: func(s string) (uint64, error) { return parseTimeSpan(s, 1e6) }}
}

// parseSize1000 is parse_size(s, 1000): "512", "64K", "1.5M" in base 1000.
func parseSize1000(s string) (uint64, error) {
	n, err := parseSizeBase(s, 1000)
	if errors.Is(err, errNotSize) {
		return 0, fmt.Errorf("%q is not a size (a number with an optional K, M, G, T, P or E suffix, base 1000)", s)
	}
	return n, err
}

// unorderedCanon renders a list as the sorted canonical texts of its
// entries, for lists whose order PID 1 does not keep (it prepends, or
// merges several settings into one list); duplicates stay.
func unorderedCanon(v any) any {
	texts := canonEntries(v)
	slices.Sort(texts)
	return texts
}

// canonEntries renders each entry of a list, sent or decoded.
func canonEntries(v any) []string {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return []string{canon(v)}
	}
	out := make([]string, rv.Len())
	for i := range out {
		out[i] = canon(rv.Index(i).Interface())
	}
	return out
}
