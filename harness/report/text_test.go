package report

import (
	"strings"
	"testing"
)

func TestWriteTextSaysWhoScored(t *testing.T) {
	for _, tc := range []struct {
		score Score
		want  string
	}{
		{Score{Exposure: 4.9, Level: "OK", Source: "systemd-analyze", Ours: &OwnScore{Exposure: 4.9, Level: "OK", Version: "252"}},
			"4.9 OK (systemd-analyze security, online); hardenlab's scorer: 4.9 OK"},
		{Score{Exposure: 9.2, Level: "UNSAFE", Source: "hardenlab", Ours: &OwnScore{Exposure: 9.2, Level: "UNSAFE", Version: "252"}},
			"9.2 UNSAFE (hardenlab's scorer, online, systemd 252 semantics)"},
	} {
		var b strings.Builder
		WriteText(&b, Record{Profile: Profile{Name: "p"}, Score: tc.score})
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("source %s: text lacks %q:\n%s", tc.score.Source, tc.want, b.String())
		}
	}
}
