// Package sysusers reads which accounts a root's sysusers.d files create:
// the only accounts a sandbox booted with an empty (volatile) /etc has.
package sysusers

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Accounts are the user and group names the files define.
type Accounts struct {
	Users, Groups map[string]bool
}

// dirs are where a booted systemd-sysusers finds its files when /etc is
// empty; later files of the same name are shadowed, but a volatile root
// has none in /etc or /run to shadow them.
func dirs() []string {
	return []string{"usr/local/lib/sysusers.d", "usr/lib/sysusers.d"}
}

// Read collects the accounts of every *.conf under root's sysusers.d
// directories. A root without any is not an error: it defines none.
func Read(root string) (Accounts, error) {
	a := Accounts{Users: map[string]bool{}, Groups: map[string]bool{}}
	for _, d := range dirs() {
		files, err := filepath.Glob(filepath.Join(root, d, "*.conf"))
		if err != nil {
			return a, fmt.Errorf("listing %s: %w", d, err)
		}
		for _, f := range files {
			if err := a.readFile(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return a, fmt.Errorf("reading %s: %w", f, err)
			}
		}
	}
	return a, nil
}

func (a Accounts) readFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		a.add(strings.Fields(sc.Text()))
	}
	return sc.Err()
}

// add takes one line's fields: "u NAME ..." makes a user and its group,
// "g NAME" a group; "m" only adds members and "r" reserves ranges. The
// type may carry a modifier ("u!").
func (a Accounts) add(fields []string) {
	if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
		return
	}
	switch strings.TrimRight(fields[0], "!") {
	case "u":
		a.Users[fields[1]] = true
		a.Groups[fields[1]] = true
		if len(fields) > 2 {
			// "u NAME UID:GROUP" joins an existing group instead.
			if _, group, ok := strings.Cut(fields[2], ":"); ok && !isNumeric(group) {
				a.Groups[group] = true
			}
		}
	case "g":
		a.Groups[fields[1]] = true
	}
}

// Missing lists the names among users and groups that the accounts lack;
// numeric IDs and root need no entry.
func (a Accounts) Missing(users, groups []string) []string {
	var out []string
	for _, u := range users {
		if u != "" && u != "root" && !isNumeric(u) && !a.Users[u] {
			out = append(out, "user "+u)
		}
	}
	for _, g := range groups {
		if g != "" && g != "root" && !isNumeric(g) && !a.Groups[g] {
			out = append(out, "group "+g)
		}
	}
	return out
}

func isNumeric(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
