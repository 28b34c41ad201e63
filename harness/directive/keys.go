package directive

import (
	"fmt"
	"strings"
	"sync"
)

//go:generate go run ./internal/genkeys -release 252 -out keys_252.go
//go:generate go run ./internal/genkeys -release 257 -root /var/lib/hardenlab/rootfs/trixie-7b1fd969c801 -out keys_257.go

// keyLists are the generated key lists of each modelled release, oldest
// first.
var keyLists = []struct {
	release int
	lists   map[string]string // section -> keys
}{
	{252, map[string]string{"Unit": unitKeys252, "Service": serviceKeys252, "Install": installKeys252}},
	{257, map[string]string{"Unit": unitKeys257, "Service": serviceKeys257, "Install": installKeys257}},
}

// keySets maps section -> key -> the first modelled release that knows it.
var keySets = sync.OnceValue(func() map[string]map[string]int {
	m := map[string]map[string]int{}
	for i, kl := range keyLists {
		for section, list := range kl.lists {
			if m[section] == nil {
				m[section] = map[string]int{}
			}
			for _, k := range strings.Fields(list) {
				if _, seen := m[section][k]; !seen {
					since := kl.release
					if i == 0 {
						since = 0
					}
					m[section][k] = since
				}
			}
		}
	}
	return m
})

// keyKnown says whether any modelled release knows the key in section.
func keyKnown(section, name string) bool {
	_, ok := keySets()[section][name]
	return ok
}

// keySince is the first modelled release that knows a [Service] or [Unit]
// key (0: all of them); 0 for unknown keys too.
func keySince(name string) int {
	if s, ok := keySets()["Service"][name]; ok {
		return s
	}
	return keySets()["Unit"][name]
}

// unknownDirective explains why a name is refused: no modelled release
// knows it in any section a service may use; the message suggests the
// nearest known key.
func unknownDirective(a Assignment) error {
	if a.Name == "" {
		return newError(a, "empty directive name")
	}
	return newError(a, "%s", unknownKeyReason("Service", a.Name))
}

// unknownKeyReason words the refusal of a key of section that neither
// systemd 252 nor 257 knows.
func unknownKeyReason(section, name string) string {
	reason := fmt.Sprintf("unknown directive: neither systemd 252 nor 257 knows %s= in [%s]", name, section)
	for _, other := range []string{"Unit", "Service", "Install"} {
		if other != section && keyKnown(other, name) {
			return reason + fmt.Sprintf(" (it is an [%s] key)", other)
		}
	}
	if s := suggestKey(section, name); s != "" {
		reason += fmt.Sprintf("; did you mean %s=?", s)
	}
	return reason
}

// suggestKey finds the known key of section nearest to name: one that
// differs only in case, else the closest within a small edit distance
// (ties go to the alphabetically first).
func suggestKey(section, name string) string {
	best, bestDist := "", len(name)/3+1
	if bestDist > 3 {
		bestDist = 3
	}
	for _, sec := range []string{section, "Unit", "Service"} {
		for k := range keySets()[sec] {
			if strings.EqualFold(k, name) {
				return k
			}
		}
	}
	for k := range keySets()[section] {
		d := editDistance(strings.ToLower(name), strings.ToLower(k))
		if d < bestDist || d == bestDist && best != "" && k < best {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance of two strings, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
