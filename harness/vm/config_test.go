package vm

import (
	"strings"
	"testing"
	"time"
)

func TestWithDefaultsFillsOnlyZeroFields(t *testing.T) {
	c := Config{}.withDefaults()
	if c.StateDir != DefaultStateDir || c.Release != DefaultRelease || c.Accel != AccelAuto ||
		c.Memory != DefaultMemoryMiB || c.CPUs != DefaultCPUs || c.BootTimeout != DefaultBootTimeout ||
		c.RunTimeout != DefaultRunTimeout || c.Progress == nil {
		t.Fatalf("defaults not applied: %+v", c)
	}
	set := Config{StateDir: "/x", Release: "bookworm", Accel: AccelTCG, Memory: 512, CPUs: 1, BootTimeout: time.Second, RunTimeout: time.Minute}.withDefaults()
	if set.StateDir != "/x" || set.Release != "bookworm" || set.Accel != AccelTCG || set.Memory != 512 ||
		set.CPUs != 1 || set.BootTimeout != time.Second || set.RunTimeout != time.Minute {
		t.Fatalf("explicit values overwritten: %+v", set)
	}
}

func TestValidateRun(t *testing.T) {
	good := Config{Command: []string{"true"}, Files: map[string]string{"/usr/local/bin/x": "/tmp/x"}}.withDefaults()
	if err := good.validateRun(); err != nil {
		t.Fatalf("good config rejected: %v", err)
	}
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"relative state dir", func(c *Config) { c.StateDir = "state" }, "absolute"},
		{"release with slash", func(c *Config) { c.Release = "../x" }, "release"},
		{"release as flag", func(c *Config) { c.Release = "--foo" }, "release"},
		{"unknown accel", func(c *Config) { c.Accel = "hvf" }, "accelerator"},
		{"tiny memory", func(c *Config) { c.Memory = 64 }, "memory"},
		{"no cpus", func(c *Config) { c.CPUs = -1 }, "cpus"},
		{"negative timeout", func(c *Config) { c.RunTimeout = -time.Second }, "timeouts"},
		{"empty command", func(c *Config) { c.Command = nil }, "command is empty"},
		{"relative guest path", func(c *Config) { c.Files = map[string]string{"usr/bin/x": "/x"} }, "absolute"},
		{"unclean guest path", func(c *Config) { c.Files = map[string]string{"/usr/../etc/x": "/x"} }, "clean"},
		{"guest root", func(c *Config) { c.Files = map[string]string{"/": "/x"} }, "clean"},
		{"into work mount", func(c *Config) { c.Files = map[string]string{guestWorkMount + "/runner.sh": "/x"} }, "runner owns"},
		{"into results", func(c *Config) { c.Files = map[string]string{GuestResultsDir + "/a": "/x"} }, "runner owns"},
		{"into proc", func(c *Config) { c.Files = map[string]string{"/proc/sys/x": "/x"} }, "runner owns"},
		{"no host path", func(c *Config) { c.Files = map[string]string{"/x": ""} }, "no host path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.mutate(&c)
			err := c.validateRun()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want error containing %q", err, tt.want)
			}
		})
	}
}
