package directive

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// kindRootHash is RootHash=: an absolute path to a .roothash file, sent
// as RootHashPath, or the hash in hex (at least 128 bits), sent as bytes.
func kindRootHash() plainKind {
	return plainKind{name: "hex root hash or absolute path", sigs: []string{"ay", "s"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		if strings.HasPrefix(v, "/") {
			p, err := normalizePath(v)
			return []any{nil, p}, err
		}
		b, err := hex.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an absolute path nor a hex root hash: %w", v, err)
		}
		if len(b) < 16 {
			return nil, fmt.Errorf("root hash %q is too short (at least 32 hex digits)", v)
		}
		return []any{b, nil}, nil
	}}
}

// kindRootHashSignature is RootHashSignature=: an absolute path, sent as
// RootHashSignaturePath, or base64:DATA, sent as bytes.
func kindRootHashSignature() plainKind {
	return plainKind{name: "absolute path or base64:DATA", sigs: []string{"ay", "s"}, parse: func(_ []any, v string, x *SpecifierContext) ([]any, error) {
		if strings.HasPrefix(v, "/") {
			p, err := normalizePath(v)
			return []any{nil, p}, err
		}
		data, ok := strings.CutPrefix(v, "base64:")
		if !ok {
			return nil, fmt.Errorf("%q is neither an absolute path nor base64:DATA", v)
		}
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(data), ""))
		if err != nil {
			return nil, fmt.Errorf("signature is not base64: %w", err)
		}
		return []any{b, nil}, nil
	}}
}

// partitionNames are the partition designators of 252 and 257
// (partition_designator_from_string()); 252 also had the -secondary ones.
var partitionNames = []string{"root", "usr", "home", "srv", "esp", "xbootldr", "swap", "root-verity", "usr-verity",
	"root-verity-sig", "usr-verity-sig", "tmp", "var", "root-secondary", "root-secondary-verity",
	"root-secondary-verity-sig", "usr-secondary", "usr-secondary-verity", "usr-secondary-verity-sig"}

// imageOptions reads PARTITION:OPTIONS pairs; a lone OPTIONS at the end
// applies to the root partition (strv_split_colon_pairs and the loops of
// bus_append_execute_property).
func imageOptions(x *SpecifierContext, fields []string) ([]pairWire, error) {
	out := []pairWire{}
	for len(fields) > 0 {
		part, opts := "root", fields[0]
		if len(fields) > 1 {
			part, opts = fields[0], fields[1]
		}
		fields = fields[min(2, len(fields)):]
		if err := oneOf(part, partitionNames); err != nil {
			return nil, fmt.Errorf("partition %q: %w", part, err)
		}
		opts, err := x.expand(opts)
		if err != nil {
			return nil, err
		}
		out = append(out, pairWire{part, opts})
	}
	return out, nil
}

// kindRootImageOptions is RootImageOptions=: words [PARTITION:]OPTIONS,
// later lines append ("a(ss)").
func kindRootImageOptions() plainKind {
	return plainKind{name: "[PARTITION:]OPTIONS list", sigs: []string{"a(ss)"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		out := listOf[pairWire](prev, 0)
		for _, w := range words {
			fields := strings.Split(w, ":")
			if len(fields) > 2 {
				return nil, fmt.Errorf("%q is not [PARTITION:]OPTIONS", w)
			}
			if len(fields) == 2 && fields[1] == "" {
				fields = fields[:1]
			}
			opts, err := imageOptions(x, fields)
			if err != nil {
				return nil, err
			}
			out = append(out, opts...)
		}
		return one(out), nil
	}}
}

// imageSource reads [-]PATH: "-" means a missing image is not an error.
func imageSource(x *SpecifierContext, s string) (path string, permissive bool, err error) {
	s, permissive = strings.CutPrefix(s, "-")
	if s, err = x.expand(s); err == nil {
		s, err = normalizePath(s)
	}
	return s, permissive, err
}

// mountImageWire is one (ssba(ss)) entry of MountImages=.
type mountImageWire struct {
	Source, Destination string
	Permissive          bool
	Options             []pairWire
}

// kindMountImages is MountImages=: words
// [-]SOURCE:DESTINATION[:[PARTITION:]OPTIONS...], later lines append.
func kindMountImages() plainKind {
	return plainKind{name: "[-]SOURCE:DESTINATION[:PARTITION:OPTIONS...] list", sigs: []string{"a(ssba(ss))"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		out := listOf[mountImageWire](prev, 0)
		for _, w := range words {
			fields := strings.Split(w, ":")
			if len(fields) < 2 || fields[1] == "" {
				return nil, fmt.Errorf("%q is not SOURCE:DESTINATION[:OPTIONS]", w)
			}
			var m mountImageWire
			if m.Source, m.Permissive, err = imageSource(x, fields[0]); err != nil {
				return nil, err
			}
			if m.Destination, err = x.expand(fields[1]); err == nil {
				m.Destination, err = normalizePath(m.Destination)
			}
			if err == nil {
				m.Options, err = imageOptions(x, fields[2:])
			}
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return one(out), nil
	}}
}

// extensionImageWire is one (sba(ss)) entry of ExtensionImages=.
type extensionImageWire struct {
	Source     string
	Permissive bool
	Options    []pairWire
}

// kindExtensionImages is ExtensionImages=: words
// [-]SOURCE[:[PARTITION:]OPTIONS...], later lines append.
func kindExtensionImages() plainKind {
	return plainKind{name: "[-]SOURCE[:PARTITION:OPTIONS...] list", sigs: []string{"a(sba(ss))"}, parse: func(prev []any, v string, x *SpecifierContext) ([]any, error) {
		words, err := splitWords(v, unquote)
		if err != nil {
			return nil, err
		}
		out := listOf[extensionImageWire](prev, 0)
		for _, w := range words {
			fields := strings.Split(w, ":")
			var e extensionImageWire
			if e.Source, e.Permissive, err = imageSource(x, fields[0]); err == nil {
				e.Options, err = imageOptions(x, fields[1:])
			}
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return one(out), nil
	}}
}
