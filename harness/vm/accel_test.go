package vm

import (
	"context"
	"errors"
	"strings"
	"testing"
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
