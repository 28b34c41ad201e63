package vm

import (
	"slices"
	"strings"
	"testing"
)

func testSpec(accel string) qemuSpec {
	return qemuSpec{accel: accel, memoryMiB: 2048, cpus: 2, kernel: "/img/vmlinuz", initrd: "/img/initrd.img",
		cmdline: "root=/dev/vda", rootOverlay: "/run,1/root.qcow2", workDisk: "/run/work.img", progressSock: "/run/p.sock"}
}

// value returns the argument after flag, or "" if flag is absent.
func value(args []string, flag string) string {
	i := slices.Index(args, flag)
	if i < 0 || i+1 >= len(args) {
		return ""
	}
	return args[i+1]
}

func TestQemuArgs(t *testing.T) {
	tests := []struct {
		accel     string
		wantAccel string
		wantCPU   string
	}{
		{AccelTCG, "tcg,thread=single", ""},
		{AccelKVM, AccelKVM, "host"},
	}
	for _, tt := range tests {
		t.Run(tt.accel, func(t *testing.T) {
			args := qemuArgs(testSpec(tt.accel))
			if got := value(args, "-accel"); got != tt.wantAccel {
				t.Errorf("-accel %q, want %q", got, tt.wantAccel)
			}
			if got := value(args, "-cpu"); got != tt.wantCPU {
				t.Errorf("-cpu %q, want %q", got, tt.wantCPU)
			}
			for flag, want := range map[string]string{"-m": "2048", "-smp": "2", "-kernel": "/img/vmlinuz",
				"-initrd": "/img/initrd.img", "-append": "root=/dev/vda", "-serial": "stdio"} {
				if got := value(args, flag); got != want {
					t.Errorf("%s %q, want %q", flag, got, want)
				}
			}
			for _, flag := range []string{"-no-reboot", "-nodefaults"} {
				if !slices.Contains(args, flag) {
					t.Errorf("missing %s", flag)
				}
			}
			// The overlay must be the first disk: the kernel boots root=/dev/vda.
			var drives []string
			for i, a := range args {
				if a == "-drive" {
					drives = append(drives, args[i+1])
				}
			}
			if len(drives) != 2 || !strings.HasPrefix(drives[0], "file=/run,,1/root.qcow2,") ||
				!strings.Contains(drives[0], "format=qcow2") || !strings.HasPrefix(drives[1], "file=/run/work.img,") ||
				!strings.Contains(drives[1], "format=raw") {
				t.Errorf("drives %q: want overlay (comma escaped) then raw work disk", drives)
			}
			joined := strings.Join(args, " ")
			if !strings.Contains(joined, "socket,id=progress,path=/run/p.sock") ||
				!strings.Contains(joined, "virtserialport,chardev=progress,name="+guestProgress) {
				t.Errorf("progress port not wired: %s", joined)
			}
		})
	}
}

func TestOverlayArgs(t *testing.T) {
	got := overlayArgs("/cache/disk.img", "/run/root.qcow2")
	want := []string{"create", "-q", "-f", "qcow2", "-F", "raw", "-b", "/cache/disk.img", "/run/root.qcow2"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestKVMSelfTestUsesSameCPUAsRun(t *testing.T) {
	self := kvmSelfTestArgs("/img/vmlinuz")
	if value(self, "-cpu") != value(qemuArgs(testSpec(AccelKVM)), "-cpu") || value(self, "-accel") != AccelKVM {
		t.Fatalf("self-test %q does not test what a KVM run uses", self)
	}
	if !slices.Contains(self, "-no-reboot") || !strings.Contains(value(self, "-append"), "panic=-1") {
		t.Fatal("self-test kernel panic must end QEMU")
	}
}
