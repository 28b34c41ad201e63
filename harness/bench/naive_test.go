package bench

import (
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/profile"
)

func TestNaiveScriptAppliesTheProfileAsWritten(t *testing.T) {
	u, err := directive.Parse(strings.NewReader("[Service]\nExecStart=/usr/bin/python3 -m http.server\nExecStop=/bin/kill -9 $MAINPID\nType=simple\nProtectSystem=strict\n"), "t.service")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.FromUnit(u, "it's")
	if err != nil {
		t.Fatal(err)
	}
	script := naiveScript("r1", []profile.Profile{p}, 8000)
	for _, want := range []string{
		`-p 'ExecStop=/bin/kill -9 $MAINPID'`, // single quotes: systemd, not bash, expands $MAINPID
		`-p 'Type=simple'`,
		`-p 'ProtectSystem=strict'`,
		"/usr/bin/python3 -m http.server --bind 127.0.0.1 8000",
		"systemd-analyze security --no-pager hardenlab-r1-naive-0.service",
		"systemctl stop hardenlab-r1-naive-0.service",
		`RESULT 'it'\''s'`,
	} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	if strings.Contains(script, "ExecStart=") {
		t.Errorf("the unit's ExecStart= must be replaced by the demo's command:\n%s", script)
	}
}
