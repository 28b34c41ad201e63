package main

import (
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/rootfs"
)

// matrixEnv is one environment of a cross-environment matrix.
type matrixEnv struct {
	name  string // as the user wrote it: host-root, debian:trixie
	suite string // Debian suite for a built root; "" for the host's root
	root  string // directory nspawn boots; "" for the host's root
	index int
}

// rootPackages are what a built root needs to run the demo and the
// harness's checks: systemd (with systemd-analyze), D-Bus, python3.
var rootPackages = []string{"dbus", "python3", "systemd"}

func (e matrixEnv) spec() rootfs.Spec {
	return rootfs.Spec{Suite: e.suite, Packages: rootPackages}
}

// parseEnvs reads --env; without it the matrix runs in --root (or the
// host's root).
func parseEnvs(list, root string) ([]matrixEnv, error) {
	if strings.TrimSpace(list) == "" {
		name := "host-root"
		if root != "" && root != "/" {
			name = root
		}
		return []matrixEnv{{name: name, root: root}}, nil
	}
	var out []matrixEnv
	seen := map[string]bool{}
	for i, raw := range strings.Split(list, ",") {
		name := strings.TrimSpace(raw)
		if seen[name] {
			return nil, fmt.Errorf("--env names %s twice", name)
		}
		seen[name] = true
		switch {
		case name == "host-root":
			out = append(out, matrixEnv{name: name, index: i})
		case strings.HasPrefix(name, "debian:"):
			suite := strings.TrimPrefix(name, "debian:")
			if suite == "" || strings.ContainsAny(suite, "/ \t") {
				return nil, fmt.Errorf("--env %s: want debian:SUITE, e.g. debian:trixie", name)
			}
			out = append(out, matrixEnv{name: name, suite: suite, index: i})
		default:
			return nil, fmt.Errorf("unknown --env %q: want host-root or debian:SUITE (e.g. debian:trixie)", name)
		}
	}
	return out, nil
}
