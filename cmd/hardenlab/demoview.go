package main

import (
	"fmt"
	"strings"

	"github.com/hardenlab/hardenlab/harness/profile"
	"github.com/hardenlab/hardenlab/harness/run"
	"github.com/hardenlab/hardenlab/harness/sandbox"
	"github.com/hardenlab/hardenlab/harness/sysusers"
)

// fitAccounts keeps the demo's volatile root view unless a profile runs as
// an account that view lacks. A volatile /etc holds only what the root's
// sysusers.d files create, so a packaged unit's User=redis would exit
// 217/USER there and every profile naming it would read as broken; the
// overlay view shows the root's own /etc and /var and throws writes away
// all the same. It returns why it changed the view, or "".
func (c *serviceChoice) fitAccounts(kind sandbox.Kind, root string, profiles []profile.Profile) (string, error) {
	if !c.volatileDemo(kind, root) {
		return "", nil
	}
	accounts, err := volatileAccounts(root)
	if err != nil {
		return "", err
	}
	missing := missingAccounts(accounts, profiles)
	if len(missing) == 0 {
		return "", nil
	}
	c.view = sandbox.Overlay
	return fmt.Sprintf("the unit runs as %s, which a volatile /etc lacks: the sandbox shows the root's own /etc and /var (root view overlay, writes thrown away)",
		strings.Join(missing, ", ")), nil
}

// volatileDemo says whether the choice runs the demo in a volatile nspawn
// root, the one view that can lack a unit's accounts.
func (c serviceChoice) volatileDemo(kind sandbox.Kind, root string) bool {
	return c.service == run.ServiceDemo && c.view == sandbox.Volatile && sandbox.ResolveKind(kind, root) == sandbox.Nspawn
}

// volatileAccounts are the accounts a volatile view of root has: those
// its sysusers.d files create.
func volatileAccounts(root string) (sysusers.Accounts, error) {
	accounts, err := sysusers.Read(orRoot(root))
	if err != nil {
		return accounts, fmt.Errorf("reading the accounts a volatile root would have: %w", err)
	}
	return accounts, nil
}

// missingAccounts lists, once each, the accounts the profiles run as that
// the accounts lack; DynamicUser= makes its own.
func missingAccounts(accounts sysusers.Accounts, profiles []profile.Profile) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range profiles {
		s := p.Settings
		if s == nil || s.DynamicUser {
			continue
		}
		for _, m := range accounts.Missing([]string{s.User}, append([]string{s.Group}, s.SupplementaryGroups...)) {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}
