package directive

import "testing"

func TestSplitUnitName(t *testing.T) {
	tests := []struct {
		in, prefix, instance, template, back string
		isTemplate                           bool
	}{
		{"nginx.service", "nginx", "", "", "nginx.service", false},
		{"getty@tty1.service", "getty", "tty1", "getty@.service", "getty@tty1.service", false},
		{"getty@.service", "getty", "", "getty@.service", "getty@.service", true},
		{`systemd-fsck@dev-disk-by\x2duuid-1.service`, "systemd-fsck", `dev-disk-by\x2duuid-1`, "systemd-fsck@.service", `systemd-fsck@dev-disk-by\x2duuid-1.service`, false},
	}
	for _, tc := range tests {
		n, err := SplitUnitName(tc.in)
		if err != nil || n.Prefix != tc.prefix || n.Instance != tc.instance || n.Template != tc.isTemplate || n.TemplateName() != tc.template || n.String() != tc.back {
			t.Errorf("SplitUnitName(%q) = %+v (template %q, string %q), %v", tc.in, n, n.TemplateName(), n.String(), err)
		}
	}
	for _, bad := range []string{"nginx", "a/b.service", "@x.service", "a@b@c.service", ".service", "x."} {
		if _, err := SplitUnitName(bad); err == nil {
			t.Errorf("SplitUnitName(%q) accepted", bad)
		}
	}
	if n, _ := SplitUnitName("getty@.service"); n.WithInstance("tty2").String() != "getty@tty2.service" {
		t.Error("WithInstance")
	}
	if OfflineTemplateInstance(252) != "i" || OfflineTemplateInstance(257) != "test_instance" {
		t.Error("the instance names systemd-analyze --offline gives a template")
	}
}
