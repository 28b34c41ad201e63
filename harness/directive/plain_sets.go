package directive

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// maxCPUSetIndex bounds a CPU or NUMA node index, as cpu_set_add() does.
const maxCPUSetIndex = 8191

// parseCPUSet reads "0-3 5,7" into the bitmap systemd sends
// (cpu_set_to_dbus: byte i bit j is CPU 8i+j, in whole 64-bit words),
// OR-ed into prev as later lines extend the set.
func parseCPUSet(prev []byte, v string) ([]byte, error) {
	set := bytes.Clone(prev)
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || strings.ContainsRune(wordSeparators, r) }) {
		lo, hi, isRange := strings.Cut(w, "-")
		if !isRange {
			hi = lo
		}
		a, err1 := parseInt(lo, 0, maxCPUSetIndex)
		b, err2 := parseInt(hi, 0, maxCPUSetIndex)
		if err1 != nil || err2 != nil || a > b {
			return nil, fmt.Errorf("%q is not a CPU or range (N or N-M, 0..%d)", w, maxCPUSetIndex)
		}
		for n := a; n <= b; n++ {
			if need := int(n/64+1) * 8; len(set) < need {
				set = append(set, make([]byte, need-len(set))...)
			}
			set[n/8] |= 1 << (n % 8)
		}
	}
	if set == nil {
		set = []byte{}
	}
	return set, nil
}

// trimBitmap drops the zero bytes at the end of a CPU set: PID 1 reports
// the set in the size it allocated, not the size sent.
func trimBitmap(v any) any {
	b, ok := v.([]byte)
	if !ok {
		return v
	}
	return bytes.TrimRight(b, "\x00")
}

// kindCPUSet is AllowedCPUs= and the other CPU or NUMA node sets ("ay");
// all, if set, is the word that names every node (NUMAMask=all).
func kindCPUSet(all func() string) plainKind {
	return plainKind{name: "CPU indexes and ranges (0-3 5,7)", sigs: []string{"ay"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		if all != nil && v == "all" {
			v = all()
		}
		var old []byte
		if len(prev) > 0 {
			old, _ = prev[0].([]byte)
		}
		set, err := parseCPUSet(old, v)
		return one(set), err
	}, trim: trimBitmap, expect: func(sent []any) []any { return []any{trimBitmap(sent[0])} }}
}

// numaNodes is "0-N" for the highest NUMA node of this machine, as
// numa_mask_add_all() finds it (0 when none is listed, 1023 when /sys
// cannot be read); the run's systemd shares this kernel.
func numaNodes() string {
	entries, err := os.ReadDir("/sys/devices/system/node")
	if err != nil {
		return "0-1023"
	}
	max := 0
	for _, e := range entries {
		num, isNode := strings.CutPrefix(e.Name(), "node")
		if n, err := strconv.Atoi(num); isNode && err == nil && e.IsDir() && n > max {
			max = n
		}
	}
	return "0-" + strconv.Itoa(max)
}

// kindCPUAffinity is CPUAffinity=: a CPU set, or "numa" (the CPUs of the
// NUMA policy's nodes), sent as CPUAffinityFromNUMA. "numa" clears the
// set; a set after it turns "numa" off again.
func kindCPUAffinity() plainKind {
	k := kindCPUSet(nil)
	k.name = "CPU indexes and ranges, or numa"
	k.sigs = []string{"ay", "b"}
	parse := k.parse
	k.parse = func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		if v == "numa" {
			return []any{nil, true}, nil
		}
		out, err := parse(prev, v, x)
		return append(out, nil), err
	}
	k.expect = func(sent []any) []any { return []any{trimBitmap(sent[0]), sent[1]} }
	return k
}

// coredumpBits are coredump_filter_from_string()'s names.
var coredumpBits = []string{"private-anonymous", "shared-anonymous", "private-file-backed", "shared-file-backed",
	"elf-headers", "private-huge", "shared-huge", "private-dax", "shared-dax"}

// kindCoredumpFilter is CoredumpFilter=: names, "default", "all" and hex
// masks, OR-ed together across words and lines ("t").
func kindCoredumpFilter() plainKind {
	return plainKind{name: "coredump filter names, default, all, or a hex mask", sigs: []string{"t"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		var mask uint64
		if len(prev) > 0 {
			mask, _ = prev[0].(uint64)
		}
		for _, w := range strings.Fields(v) {
			switch i := slices.Index(coredumpBits, w); {
			case w == "default":
				mask |= 1<<0 | 1<<1 | 1<<4 | 1<<5
			case w == "all":
				mask |= 1<<32 - 1
			case i >= 0:
				mask |= 1 << i
			default:
				n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(w, "0x"), "0X"), 16, 64)
				if err != nil {
					return nil, fmt.Errorf("%q is neither a coredump filter name (%s, default, all) nor a hex mask", w, strings.Join(coredumpBits, ", "))
				}
				mask |= n
			}
		}
		return one(mask), nil
	}}
}

// socketBindWire is one (iiqq) entry of SocketBindAllow=: address family,
// IP protocol, number of ports, first port (0, 0: any).
type socketBindWire struct {
	Family, Protocol int32
	Ports, MinPort   uint16
}

// kindSocketBind is SocketBindAllow=/SocketBindDeny=
// [ipv4|ipv6:][tcp|udp:]any|PORT|FIRST-LAST (parse_socket_bind_item).
// PID 1 prepends each entry, so the read-back compares them as a set.
func kindSocketBind() plainKind {
	return plainKind{name: "[ipv4|ipv6:][tcp|udp:]any|PORT|FIRST-LAST", sigs: []string{"a(iiqq)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		e, err := parseSocketBind(v)
		return one(append(listOf[socketBindWire](prev, 0), e)), err
	}, trim: unorderedCanon, expect: func(sent []any) []any { return []any{unorderedCanon(sent[0])} }}
}

func parseSocketBind(v string) (socketBindWire, error) {
	var e socketBindWire
	parts := strings.Split(v, ":")
	bad := fmt.Errorf("%q is not [ipv4|ipv6:][tcp|udp:]any|PORT|FIRST-LAST", v)
	if len(parts) > 3 {
		return e, bad
	}
	families := map[string]int32{"ipv4": 2, "ipv6": 10}
	protocols := map[string]int32{"tcp": 6, "udp": 17}
	if f, ok := families[parts[0]]; ok && len(parts) > 1 {
		e.Family, parts = f, parts[1:]
	}
	if len(parts) > 1 {
		p, ok := protocols[parts[0]]
		if !ok || len(parts) > 2 {
			return e, bad
		}
		e.Protocol, parts = p, parts[1:]
	}
	if parts[0] == "any" {
		return e, nil
	}
	lo, hi, isRange := strings.Cut(parts[0], "-")
	if !isRange {
		hi = lo
	}
	// systemd 252 refuses port 0 (parse_ip_port); 257 would take it.
	a, err1 := parseInt(lo, 1, 65535)
	b, err2 := parseInt(hi, 1, 65535)
	if err1 != nil || err2 != nil || a > b {
		return e, fmt.Errorf("%q: ports must be any, N or N-M within 1..65535", v)
	}
	e.MinPort, e.Ports = uint16(a), uint16(b-a+1)
	return e, nil
}

// nftSetWire is one (iiss) entry of NFTSet=: source, netfilter protocol
// family, table, set.
type nftSetWire struct {
	Source, Family int32
	Table, Set     string
}

// kindNFTSet is NFTSet= (257): words SOURCE:FAMILY:TABLE:SET, sent in
// order (bus_append_nft_set).
func kindNFTSet() plainKind {
	sources := map[string]int32{"cgroup": 3, "user": 4, "group": 5}
	families := map[string]int32{"inet": 1, "ip": 2, "arp": 3, "netdev": 5, "bridge": 7, "ip6": 10}
	return plainKind{name: "SOURCE:FAMILY:TABLE:SET list", sigs: []string{"a(iiss)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		out := listOf[nftSetWire](prev, 0)
		for _, w := range words {
			p := strings.Split(w, ":")
			if len(p) != 4 {
				return nil, fmt.Errorf("%q is not SOURCE:FAMILY:TABLE:SET", w)
			}
			src, okS := sources[p[0]]
			fam, okF := families[p[1]]
			if !okS || !okF || !nftIdentifier(p[2]) || !nftIdentifier(p[3]) {
				return nil, fmt.Errorf("%q: want a source of cgroup, user or group, a family of inet, ip, ip6, arp, bridge or netdev, and table and set names (a letter, then letters, digits, / \\ _ .)", w)
			}
			out = append(out, nftSetWire{src, fam, p[2], p[3]})
		}
		return one(out), nil
	}}
}

// nftIdentifier is nft_identifier_valid(): a letter, then letters,
// digits, '/', '\\', '_' or '.'.
func nftIdentifier(s string) bool {
	if s == "" || len(s) > 255 || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isLetter(c) && !(c >= '0' && c <= '9') && !strings.ContainsRune(`/\_.`, rune(c)) {
			return false
		}
	}
	return true
}

// bpfAttachTypes are bpf_cgroup_attach_type_from_string()'s names.
var bpfAttachTypes = []string{"ingress", "egress", "sock_create", "sock_ops", "device", "bind4", "bind6", "connect4", "connect6",
	"post_bind4", "post_bind6", "sendmsg4", "sendmsg6", "sysctl", "recvmsg4", "recvmsg6", "getsockopt", "setsockopt"}

// kindBPFProgram is BPFProgram=TYPE:PATH ("a(ss)"); PID 1 prepends each
// program, so the read-back compares them as a set.
func kindBPFProgram() plainKind {
	return plainKind{name: "ATTACH-TYPE:/sys/fs/bpf/PATH", sigs: []string{"a(ss)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		typ, path, ok := strings.Cut(v, ":")
		if !ok || path == "" {
			return nil, fmt.Errorf("%q is not ATTACH-TYPE:PATH", v)
		}
		if err := oneOf(typ, bpfAttachTypes); err != nil {
			return nil, err
		}
		path, err := x.expand(path)
		if err == nil {
			path, err = normalizePath(path)
		}
		return one(append(listOf[pairWire](prev, 0), pairWire{typ, path})), err
	}, trim: unorderedCanon, expect: func(sent []any) []any { return []any{unorderedCanon(sent[0])} }}
}

// openFileWire is one (sst) entry of OpenFile=: path, file descriptor
// name, flags.
type openFileWire struct {
	Path, FDName string
	Flags        uint64
}

// openFileFlags are open_file_flags_from_string()'s words and bits; at
// most one of the first three may be given.
var openFileFlags = []string{"read-only", "append", "truncate", "graceful"}

// kindOpenFile is OpenFile=PATH[:FDNAME[:OPTIONS]] (257); an empty name
// is the path's last component, as open_file_parse() fills it in.
func kindOpenFile() plainKind {
	return plainKind{name: "PATH[:FDNAME[:OPTIONS]]", sigs: []string{"a(sst)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		v, err := x.expand(v)
		if err != nil {
			return nil, err
		}
		f, err := parseOpenFile(v)
		return one(append(listOf[openFileWire](prev, 0), f)), err
	}}
}

func parseOpenFile(v string) (openFileWire, error) {
	parts := strings.Split(v, ":")
	if len(parts) > 3 {
		return openFileWire{}, fmt.Errorf("%q is not PATH[:FDNAME[:OPTIONS]]", v)
	}
	path, err := normalizePath(parts[0])
	if err != nil {
		return openFileWire{}, err
	}
	f := openFileWire{Path: path, FDName: path[strings.LastIndexByte(path, '/')+1:]}
	if len(parts) > 1 && parts[1] != "" {
		f.FDName = parts[1]
	}
	if len(f.FDName) > 255 || f.FDName == "" || strings.ContainsFunc(f.FDName, func(r rune) bool { return r < ' ' || r > '~' }) {
		return f, fmt.Errorf("%q is not a file descriptor name (1..255 printable ASCII characters)", f.FDName)
	}
	if len(parts) < 3 || parts[2] == "" {
		return f, nil
	}
	exclusive := 0
	for _, w := range strings.Split(parts[2], ",") {
		i := slices.Index(openFileFlags, w)
		if i < 0 || f.Flags&(1<<i) != 0 {
			return f, fmt.Errorf("option %q: want each of %s at most once", w, strings.Join(openFileFlags, ", "))
		}
		if i < 3 {
			exclusive++
		}
		f.Flags |= 1 << i
	}
	if exclusive > 1 {
		return f, fmt.Errorf("%q: read-only, append and truncate exclude each other", parts[2])
	}
	return f, nil
}
