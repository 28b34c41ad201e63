package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hardenlab/hardenlab/harness/directive"
	"github.com/hardenlab/hardenlab/harness/report"
	"github.com/hardenlab/hardenlab/harness/suggest"
)

// A drop-in the demo proved in a service's place must say so wherever a
// user reads it: the drop-in file and the text.
func TestStandInIsWarned(t *testing.T) {
	u, err := directive.Parse(strings.NewReader("[Service]\nExecStart=/usr/sbin/nginx -g 'daemon on;'\nExecStart=\nExecStart=/usr/sbin/nginx -g 'daemon off;'\n"), "nginx.service")
	if err != nil {
		t.Fatal(err)
	}
	if got := execStartLine(u); got != "/usr/sbin/nginx -g 'daemon off;'" {
		t.Errorf("execStartLine = %q", got)
	}
	doc := &suggest.Document{Unit: "nginx.service", StandIn: "proven with the demo", Verification: report.Record{Schema: 1}}
	if h := strings.Join(dropInHeader(doc), "\n"); !strings.Contains(h, "WARNING: proven with the demo") {
		t.Errorf("drop-in header without the warning:\n%s", h)
	}
	var b bytes.Buffer
	printSuggestion(&b, doc)
	if !strings.Contains(b.String(), "warning    proven with the demo") {
		t.Errorf("text without the warning:\n%s", b.String())
	}
}
