package vm

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

type fakeKVM struct {
	device, self error
	selfCalled   *bool
}

func (f fakeKVM) deviceUsable() error { return f.device }
func (f fakeKVM) selfTest(context.Context) error {
	if f.selfCalled != nil {
		*f.selfCalled = true
	}
	return f.self
}

func TestChooseAccel(t *testing.T) {
	noDev := errors.New("no /dev/kvm")
	hang := errors.New("hung")
	tests := []struct {
		requested  string
		device     error
		self       error
		want       string
		wantErr    string
		wantSelfed bool
	}{
		{AccelTCG, nil, nil, AccelTCG, "", false},
		{AccelAuto, nil, nil, AccelKVM, "", true},
		{AccelAuto, noDev, nil, AccelTCG, "", false},
		{AccelAuto, nil, hang, AccelTCG, "", true},
		{AccelKVM, nil, nil, AccelKVM, "", true},
		{AccelKVM, noDev, nil, "", "unusable", false},
		{AccelKVM, nil, hang, "", "self-test failed", true},
		{"xen", nil, nil, "", "not one of", false},
	}
	for _, tt := range tests {
		selfed := false
		got, why, err := chooseAccel(context.Background(), tt.requested, fakeKVM{tt.device, tt.self, &selfed})
		name := tt.requested + "/" + errString(tt.device) + "/" + errString(tt.self)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err %v, want %q", name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want || why == "" {
			t.Errorf("%s: got %q (%q) %v, want %q", name, got, why, err, tt.want)
		}
		if selfed != tt.wantSelfed {
			t.Errorf("%s: self-test ran=%v, want %v", name, selfed, tt.wantSelfed)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func TestHostKVMSelfTest(t *testing.T) {
	tests := []struct {
		name, script, wantErr string
	}{
		{"banner then panic", "#!/bin/sh\necho '[    0.000000] Linux version 6.12.0 (gcc)'\necho 'Kernel panic - not syncing: VFS'\n", ""},
		{"qemu refuses", "#!/bin/sh\necho 'qemu-system-x86_64: error: failed to set MSR 0x10a' >&2\nexit 1\n", "MSR 0x10a"},
		{"silent exit", "#!/bin/sh\nexit 0\n", "without its banner"},
		{"kvm cannot run the kernel", "#!/bin/sh\necho 'KVM internal error. Suberror: 1' >&2\necho 'extra data[0]: 0x1' >&2\nexec sleep 100\n", "KVM could not run the guest kernel (KVM internal error. Suberror: 1)"},
		{"hang after decompression", "#!/bin/sh\necho 'Decompressing Linux... done.'\nexec sleep 100\n", "printed nothing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			qemu := writeHostFile(t, t.TempDir(), "qemu", tt.script, 0o755)
			start := time.Now()
			err := hostKVM{qemu: qemu, kernel: "/k", timeout: 3 * time.Second}.selfTest(context.Background())
			if took := time.Since(start); tt.wantErr != "printed nothing" && took > 2*time.Second {
				t.Errorf("self-test took %s: it must end when the output decides it", took)
			}
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("self-test failed: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want %q", err, tt.wantErr)
			}
		})
	}
}
