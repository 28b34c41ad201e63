package vm

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestShellQuoteRoundTripsThroughSh(t *testing.T) {
	args := []string{"plain", "two words", "it's", `"dq"`, "$HOME", "`id`", "a\nb", "", "*", `back\slash`}
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	got, err := exec.Command("/bin/sh", "-c", `f() { for a in "$@"; do printf '%s\0' "$a"; done; }; f `+strings.Join(quoted, " ")).Output()
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.TrimSuffix(string(got), "\x00"), "\x00")
	if !slices.Equal(parts, args) {
		t.Fatalf("sh saw %q, want %q", parts, args)
	}
}

func TestRunnerScriptIsValidShAndRunsTheCommand(t *testing.T) {
	s := runnerScript([]string{"sh", "-c", "echo 'hi'; exit 3"}, AccelKVM)
	if err := exec.Command("/bin/sh", "-n", "-c", s).Run(); err != nil {
		t.Fatalf("runner script does not parse: %v\n%s", err, s)
	}
	for _, want := range []string{
		"/dev/virtio-ports/" + guestProgress,
		readyLine,
		guestWorkMount + "/" + workEnvFile,
		guestWorkMount + "/" + workStatusFile,
		"mount --bind " + guestWorkMount + "/" + workResultsDir + " " + GuestResultsDir,
		`'sh' '-c' 'echo '\''hi'\''; exit 3'`,
		"export " + GuestAccelEnv + "='kvm' " + GuestResultsEnv + "=" + GuestResultsDir,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("runner script lacks %q", want)
		}
	}
	// Readiness is announced before the command runs, so boot time does not
	// include the command.
	if strings.Index(s, readyLine) > strings.Index(s, "'sh' '-c'") {
		t.Error("ready line comes after the command")
	}
}

func TestParseGuestEnv(t *testing.T) {
	tests := []struct {
		in      string
		want    guestEnv
		wantErr bool
	}{
		{"kernel=6.12.48+deb13-cloud-amd64\nsystemd=systemd 257 (257.9-1~deb13u1)\nvirt=qemu\npid1=systemd\n",
			guestEnv{"6.12.48+deb13-cloud-amd64", "257", "qemu", "systemd"}, false},
		{"kernel=6.1.0\nsystemd=systemd 252 (252.39-1~deb12u1)\nvirt=none\n", guestEnv{"6.1.0", "252", "none", ""}, false},
		{"kernel=6.1.0\nsystemd=\n", guestEnv{}, true},
		{"kernel=6.1.0\nsystemd=bash: systemctl: not found\n", guestEnv{}, true},
		{"", guestEnv{}, true},
	}
	for _, tt := range tests {
		got, err := parseGuestEnv(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: err %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if !tt.wantErr && got != tt.want {
			t.Errorf("%q: got %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParseExitStatus(t *testing.T) {
	for in, want := range map[string]int{"0\n": 0, "3": 3, " 127 \n": 127} {
		if got, err := parseExitStatus(in); err != nil || got != want {
			t.Errorf("%q: got %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "1 2"} {
		if _, err := parseExitStatus(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}
