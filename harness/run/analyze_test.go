package run

import "testing"

func TestParseAnalyze(t *testing.T) {
	out := `NAME DESCRIPTION EXPOSURE
✗ PrivateNetwork= Service has access to the host's network 0.5

→ Overall exposure level for hardenlab-x-p.service: 4.9 OK :-)
[{"set":false,"name":"PrivateNetwork=","json_field":"PrivateNetwork","description":"Service has access to the host's network","weight":2500,"badness":1,"range":1,"exposure":"0.5"},{"set":null,"name":"RemoveIPC=","json_field":"RemoveIPC","description":"Service runs as root, option does not apply","weight":100,"badness":18446744073709551615,"range":1,"exposure":null}]
`
	sc, err := parseAnalyze(out)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Exposure != 4.9 || sc.Level != "OK" {
		t.Fatalf("overall = %v %s", sc.Exposure, sc.Level)
	}
	if len(sc.Checks) != 2 || sc.Checks[0].ID != "PrivateNetwork" || *sc.Checks[0].Weight != 2500 || sc.Checks[0].Exposure != "0.5" {
		t.Fatalf("checks = %+v", sc.Checks)
	}
	if sc.Checks[1].Set != nil {
		t.Fatalf("N/A row has set %v", *sc.Checks[1].Set)
	}
	if _, err := parseAnalyze("Unit foo.service not found.\n"); err == nil {
		t.Fatal("no overall line must be an error")
	}
}
