package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestSweepTextOrder(t *testing.T) {
	d := Sweep{Kind: SweepKind, Units: []string{"low.service", "high.service", "refused.service"}}
	for _, u := range d.Units {
		d.Rows = append(d.Rows, SweepRow{Unit: u, State: SweepRan, Record: &Record{Unit: u}})
	}
	d.Rows[0].Record.Score = Score{Exposure: 2.1, Level: "OK"}
	d.Rows[1].Record.Score = Score{Exposure: 9.6, Level: "UNSAFE"}
	d.Rows[2] = SweepRow{Unit: "refused.service", State: SweepRefused, Reason: strings.Repeat("x", 500)}
	var b bytes.Buffer
	WriteSweepText(&b, d)
	out := b.String()
	hi, lo, re := strings.Index(out, "high.service"), strings.Index(out, "low.service"), strings.Index(out, "refused.service")
	if !(hi < lo && lo < re) {
		t.Errorf("want most exposed first, unscored last:\n%s", out)
	}
	if strings.Contains(out, strings.Repeat("x", 200)) {
		t.Error("a long reason is not cut")
	}
}

func TestSweepHTML(t *testing.T) {
	m := loadSample(t, "matrix-p3test-hardened.json")
	d := Sweep{Kind: SweepKind, Source: "/units", Units: []string{"a.service", "b.service", "c.service"}, Incomplete: true}
	d.Rows = []SweepRow{
		{Unit: "a.service", State: SweepRan, Record: &m.Records[len(m.Records)-1]},
		{Unit: "b.service", State: SweepRefused, Reason: "b.service:3: ProtectSytem=strict: unknown directive"},
	}
	var b bytes.Buffer
	if err := WriteSweepHTML(&b, d); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{`data-unit="a.service" data-state="ran"`, `data-unit="b.service" data-state="refused"`,
		`data-directive="RestrictNamespaces" data-probe="ns.unshare-uts" data-verdict="not-enforced"`,
		"ProtectSytem=strict: unknown directive", "INCOMPLETE", "1 units have no row yet"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "http://") || strings.Contains(page, "https://") {
		t.Error("the page links to the network")
	}
}

// A unit whose declared score hides a directive that does nothing here
// sorts by what the probes leave of it.
func TestSweepSortsByEffectiveExposure(t *testing.T) {
	d := Sweep{Kind: SweepKind, Units: []string{"a.service", "b.service"}}
	d.Rows = []SweepRow{
		{Unit: "a.service", State: SweepRan, Record: &Record{Score: Score{Exposure: 5.0, Level: "MEDIUM"}}},
		{Unit: "b.service", State: SweepRan, Record: &Record{Score: Score{Exposure: 4.0, Level: "OK"}, Effective: &Effective{Exposure: 6.0, Level: "MEDIUM"}}},
	}
	lines := SweepLines(d)
	if lines[0].Unit != "b.service" || lines[0].Effective != "6.0 MEDIUM" || lines[1].Effective != "-" {
		t.Errorf("lines %+v: want b (effective 6.0) before a (declared 5.0)", lines)
	}
}

// A unit that failed before it ran says so, not "no directive to probe".
func TestSweepFailedRowHasNoVerdicts(t *testing.T) {
	d := Sweep{Kind: SweepKind, Units: []string{"chrony.service"}}
	d.Rows = []SweepRow{{Unit: "chrony.service", State: SweepFailed, Record: &Record{Error: "ExecStart=/usr/sbin/chronyd: no such executable in the sandbox"}}}
	l := SweepLines(d)[0]
	if l.Verdicts != "-" || !strings.HasPrefix(l.Service, "ExecStart=/usr/sbin/chronyd") {
		t.Errorf("line %+v", l)
	}
}
