//go:build e2e

package directive

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/dbus"
	godbus "github.com/godbus/dbus/v5"
)

// busEnv names the system bus of the systemd under test, as a D-Bus
// address ("unix:path=/proc/LEADER/root/run/dbus/system_bus_socket") or a
// plain socket path.
const busEnv = "HARDENLAB_BUS"

func connectBus(ctx context.Context, t *testing.T) *dbus.Conn {
	t.Helper()
	addr := os.Getenv(busEnv)
	if addr == "" {
		t.Skipf("%s is not set: point it at a systemd's system bus (e.g. unix:path=/proc/<container leader>/root/run/dbus/system_bus_socket) to check directive readback", busEnv)
	}
	if strings.HasPrefix(addr, "/") {
		addr = "unix:path=" + addr
	}
	conn, err := dbus.NewConnection(func() (*godbus.Conn, error) {
		c, err := godbus.Dial(addr, godbus.WithContext(ctx))
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		if err := c.Auth([]godbus.Auth{godbus.AuthExternal(strconv.Itoa(os.Getuid()))}); err != nil {
			c.Close()
			return nil, fmt.Errorf("authenticate on %s: %w", addr, err)
		}
		if err := c.Hello(); err != nil {
			c.Close()
			return nil, fmt.Errorf("hello on %s: %w", addr, err)
		}
		return c, nil
	})
	if err != nil {
		t.Fatalf("connect to the systemd under test: %v", err)
	}
	t.Cleanup(conn.Close)
	return conn
}

// readbackCase is one transient service: the assignments (as unit-file
// lines), and raw property values systemd must report, written the way
// `systemctl show` prints them, for the values the tutorial relies on.
type readbackCase struct {
	name   string
	lines  []string
	exact  map[string]string // property -> fmt.Sprint of the D-Bus value
	starts bool              // the service is expected to reach "active"
	// exFlags are the ExecStartEx flags of the first command systemd must
	// report (the prefixes only the Ex form carries).
	exFlags []string
}

func readbackCases() []readbackCase {
	return []readbackCase{
		{name: "tutorial-hardened", starts: true, lines: []string{
			"PrivateTmp=yes", "ProtectHome=yes", "NoNewPrivileges=true", "ProtectSystem=strict",
			"CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_DAC_READ_SEARCH",
			"RestrictNamespaces=uts ipc pid user cgroup", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
			"ProtectControlGroups=yes", "PrivateDevices=yes", "RestrictSUIDSGID=true", "IPAddressAllow=192.168.1.0/24",
			"LockPersonality=yes", "ProtectHostname=yes", "ProtectClock=yes", "ProtectKernelLogs=yes",
		}, exact: map[string]string{"CapabilityBoundingSet": "1028", "RestrictNamespaces": "1040187392", "ProtectSystem": "strict", "ProtectHome": "yes"}},
		{name: "ip", starts: true, lines: []string{
			"IPAddressDeny=any", "IPAddressAllow=localhost link-local", "IPAddressAllow=multicast 10.1.2.3/8 2001:db8::1/32",
		}},
		{name: "paths", starts: true, lines: []string{
			"ProtectSystem=full", "ReadOnlyPaths=/usr -/nonexistent-hardenlab", "ReadWritePaths=/var/tmp",
			"InaccessiblePaths=-/srv", "ReadWritePaths=/tmp", "ProtectHome=read-only",
		}},
		{name: "namespaces", starts: true, lines: []string{
			"PrivateNetwork=yes", "PrivateUsers=yes", "PrivateMounts=yes", "RemoveIPC=yes", "RestrictRealtime=yes",
			"MemoryDenyWriteExecute=yes", "Delegate=yes", "RestrictNamespaces=~net", "RestrictNamespaces=~user",
		}, exact: map[string]string{"RestrictNamespaces": strconv.FormatUint(NamespacesAll&^(0x40000000|0x10000000), 10)}},
		// DynamicUser= forces part of the sandbox on: systemd must report the
		// forced values, not the ones written (see Settings.Effective).
		{name: "dynamic-user", starts: true, lines: []string{
			"DynamicUser=yes", "ProtectHome=tmpfs", "PrivateTmp=no", "ProtectSystem=no", "NoNewPrivileges=no",
		}, exact: map[string]string{"PrivateTmp": "true", "ProtectSystem": "strict", "NoNewPrivileges": "true"}},
		{name: "identity", starts: true, lines: []string{
			"User=nobody", "Group=nogroup", "SupplementaryGroups=daemon", "SupplementaryGroups=adm", "UMask=0027",
		}, exact: map[string]string{"UMask": "23"}},
		{name: "syscall-allow", starts: true, lines: []string{
			"SystemCallFilter=@system-service", "SystemCallFilter=~@privileged @resources", "SystemCallFilter=~chown",
			"SystemCallErrorNumber=EPERM", "SystemCallArchitectures=native",
		}, exact: map[string]string{"SystemCallErrorNumber": "1"}},
		{name: "syscall-deny", starts: true, lines: []string{
			"SystemCallFilter=~@mount ptrace:EACCES", "SystemCallFilter=~kexec_load kexec_file_load:kill swapon:0", "SystemCallFilter=reboot",
		}},
		{name: "families", starts: true, lines: []string{
			"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "RestrictAddressFamilies=~AF_INET6",
		}},
		{name: "families-none", starts: true, lines: []string{"RestrictAddressFamilies=none"},
			exact: map[string]string{"RestrictAddressFamilies": "[true []]"}},
		{name: "capabilities", starts: true, lines: []string{
			"CapabilityBoundingSet=~CAP_SYS_ADMIN", "CapabilityBoundingSet=~cap_net_raw 12",
			"AmbientCapabilities=CAP_NET_BIND_SERVICE", "AmbientCapabilities=CAP_CHOWN",
		}, exact: map[string]string{
			"CapabilityBoundingSet": strconv.FormatUint(^uint64(1<<21|1<<13|1<<12), 10),
			"AmbientCapabilities":   "1025"}},
		{name: "proc", starts: true, lines: []string{"ProtectProc=invisible", "ProcSubset=pid", "KeyringMode=shared"}},
		{name: "devices", starts: true, lines: []string{"DevicePolicy=closed", "DeviceAllow=/dev/null rw", "DeviceAllow=char-rtc r"}},
		{name: "service", starts: true, lines: []string{
			"Type=exec", "NotifyAccess=all", "WorkingDirectory=-/nonexistent-hardenlab",
			`Environment=A=1 "B=x y"`, "Environment=A=2 C=\\x41",
		}, exact: map[string]string{"Environment": "[A=2 B=x y C=A]", "WorkingDirectory": "!/nonexistent-hardenlab"}},
		{name: "exec-prefixes", starts: true, lines: []string{"ExecStart=", "ExecStart=-@/usr/bin/sleep sleepy infinity"}},
		{name: "exec-ex-prefixes", starts: true, lines: []string{"ExecStart=", "ExecStart=!:-/usr/bin/sleep infinity"},
			exFlags: []string{"ignore-failure", "no-setuid", "no-env-expand"}},
		{name: "root-directory", starts: true, lines: []string{"RootDirectory=/", "WorkingDirectory=~"}},
		// systemd drops capabilities and closes the device policy on its own
		// for these sandboxing options (see Settings.Effective).
		{name: "implied", starts: true, lines: []string{
			"PrivateDevices=yes", "ProtectClock=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes", "DevicePolicy=auto",
			"CapabilityBoundingSet=CAP_MKNOD CAP_SYS_RAWIO CAP_SYS_TIME CAP_WAKE_ALARM CAP_SYS_MODULE CAP_SYSLOG CAP_CHOWN",
		}, exact: map[string]string{"CapabilityBoundingSet": "1", "DevicePolicy": "closed"}},
		// A controller list is Delegate=yes plus DelegateControllers; an
		// empty value is yes with no controllers.
		{name: "delegate-list", starts: true, lines: []string{"Delegate=pids memory", "Delegate=cpu"},
			exact: map[string]string{"Delegate": "true"}},
		{name: "delegate-empty", starts: true, lines: []string{"Delegate="},
			exact: map[string]string{"Delegate": "true", "DelegateControllers": "[]"}},
		{name: "private-ipc", starts: true, lines: []string{"PrivateIPC=yes"}, exact: map[string]string{"PrivateIPC": "true"}},
		{name: "unit-section", starts: true, lines: []string{"Description=hardenlab readback 100%% check", "DefaultDependencies=no"},
			exact: map[string]string{"Description": "hardenlab readback 100% check", "DefaultDependencies": "false"}},
		{name: "root-image", starts: false, lines: []string{"RootImage=/nonexistent-hardenlab.img"}},
	}
}

// baseLines give every case a process to hold the unit up while its
// properties are read.
func baseLines() []string {
	return []string{"ExecStart=/usr/bin/sleep infinity", "ExecStop=/bin/kill -9 $MAINPID"}
}

func resolveCase(t *testing.T, c readbackCase) *Settings {
	t.Helper()
	var assigns []Assignment
	for i, l := range append(baseLines(), c.lines...) {
		a, err := ParseAssignment(l, Source{File: c.name, Line: i + 1})
		if err != nil {
			t.Fatalf("parse %q: %v", l, err)
		}
		assigns = append(assigns, a)
	}
	s, err := Resolve(assigns, true)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	return s
}

func TestReadbackE2E(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn := connectBus(ctx, t)
	prefix := fmt.Sprintf("hardenlab-directive-e2e-%d-", os.Getpid())

	covered := map[string]bool{}
	got := map[string]map[string]interface{}{}
	cases := readbackCases()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := resolveCase(t, c)
			for _, spec := range Specs() {
				if want.Set(spec.Name) {
					covered[spec.Name] = true
				}
			}
			unitName := prefix + c.name + ".service"
			props := runTransient(ctx, t, conn, unitName, want, c.starts)
			got[c.name] = props
			for _, m := range CheckReadback(want, props) {
				t.Errorf("readback mismatch: %s", m)
			}
			for name, text := range c.exact {
				v, ok := props[name]
				if !ok {
					t.Errorf("%s: property missing", name)
					continue
				}
				if s := fmt.Sprint(v); s != text {
					t.Errorf("%s = %s, want %s", name, s, text)
				}
			}
			if c.exFlags != nil {
				rows, _ := props["ExecStartEx"].([][]interface{})
				if len(rows) == 0 || len(rows[0]) < 3 || fmt.Sprint(rows[0][2]) != fmt.Sprint(c.exFlags) {
					t.Errorf("ExecStartEx = %v, want flags %v", props["ExecStartEx"], c.exFlags)
				}
			}
		})
	}

	// Every directive of the table must have been exercised.
	for _, spec := range Specs() {
		if !covered[spec.Name] {
			t.Errorf("no readback case sets %s", spec.Name)
		}
	}

	// The check must be able to fail: the hardened settings against a
	// plain unit's properties disagree on every directive they set.
	if plain, hardened := got["root-image"], got["tutorial-hardened"]; plain != nil && hardened != nil {
		want := resolveCase(t, cases[0])
		if n := len(CheckReadback(want, plain)); n < 10 {
			t.Errorf("CheckReadback(hardened, plain unit) found %d mismatches, want >= 10", n)
		}
	}

	left, err := conn.ListUnitsByPatternsContext(ctx, nil, []string{prefix + "*"})
	if err != nil {
		t.Fatalf("list leftover units: %v", err)
	}
	for _, u := range left {
		t.Errorf("unit left behind: %s (%s)", u.Name, u.ActiveState)
	}
}

// runTransient starts the unit, waits for its start job, reads its Service
// properties and always stops and resets it.
func runTransient(ctx context.Context, t *testing.T, conn *dbus.Conn, name string, s *Settings, starts bool) map[string]interface{} {
	t.Helper()
	defer cleanupUnit(ctx, t, conn, name)
	jobs := make(chan string, 1)
	if _, err := conn.StartTransientUnitContext(ctx, name, "replace", s.Properties(), jobs); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	select {
	case result := <-jobs:
		if starts && result != "done" {
			t.Errorf("start job of %s: %s", name, result)
		}
	case <-time.After(20 * time.Second):
		t.Errorf("start job of %s did not finish in 20s", name)
	}
	props, err := conn.GetUnitTypePropertiesContext(ctx, name, "Service")
	if err != nil {
		t.Fatalf("read properties of %s: %v", name, err)
	}
	// [Unit] directives (Description, DefaultDependencies) live on the
	// Unit interface; CheckReadback checks them when they are present.
	unitProps, err := conn.GetUnitPropertiesContext(ctx, name)
	if err != nil {
		t.Fatalf("read unit properties of %s: %v", name, err)
	}
	for _, key := range []string{"Description", "DefaultDependencies"} {
		if v, ok := unitProps[key]; ok {
			props[key] = v
		}
	}
	if starts {
		state, err := conn.GetUnitPropertyContext(ctx, name, "ActiveState")
		if err != nil {
			t.Fatalf("read ActiveState of %s: %v", name, err)
		}
		if v := state.Value.Value(); v != "active" {
			t.Errorf("%s is %v, want active", name, v)
		}
	}
	return props
}

func cleanupUnit(ctx context.Context, t *testing.T, conn *dbus.Conn, name string) {
	jobs := make(chan string, 1)
	if _, err := conn.StopUnitContext(ctx, name, "replace", jobs); err == nil {
		select {
		case <-jobs:
		case <-time.After(20 * time.Second):
			t.Errorf("stop job of %s did not finish", name)
		}
	}
	err := conn.ResetFailedUnitContext(ctx, name)
	var dbusErr godbus.Error
	if err != nil && !(errors.As(err, &dbusErr) && dbusErr.Name == "org.freedesktop.systemd1.NoSuchUnit") {
		t.Errorf("reset-failed %s: %v", name, err)
	}
}
