// Package systemd drives a systemd manager over D-Bus: it starts the
// transient units hardenlab owns, waits for their jobs, reads their state
// back, and stops and forgets them again.
package systemd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
)

// UnitPrefix starts the name of every unit hardenlab creates, so that gc
// can find them and nothing else is ever touched.
const UnitPrefix = "hardenlab-"

// Client is a connection to one systemd manager.
type Client struct {
	conn *sdbus.Conn
}

// Dial connects to the manager behind a D-Bus address such as
// "unix:path=/run/dbus/system_bus_socket". An address ending in
// "/run/systemd/private" is treated as systemd's private socket, which
// needs no Hello.
func Dial(ctx context.Context, address string) (*Client, error) {
	private := strings.HasSuffix(address, "/run/systemd/private")
	conn, err := sdbus.NewConnection(func() (*dbus.Conn, error) {
		// Not dbus.WithContext(ctx): that closes the connection when ctx
		// ends, and cleanup after a Ctrl-C needs the connection most.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, err := dbus.Dial(address)
		if err != nil {
			return nil, err
		}
		if err := c.Auth([]dbus.Auth{dbus.AuthExternal(strconv.Itoa(os.Getuid()))}); err != nil {
			c.Close()
			return nil, err
		}
		if !private {
			if err := c.Hello(); err != nil {
				c.Close()
				return nil, err
			}
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("connecting to systemd at %s: %w", address, err)
	}
	return &Client{conn: conn}, nil
}

// Close releases the connection.
func (c *Client) Close() { c.conn.Close() }

// Manager reads a property of the manager object, e.g. "Version",
// "Virtualization" or "SystemState", as a plain string.
func (c *Client) Manager(ctx context.Context, name string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	v, err := c.conn.GetManagerProperty(name)
	if err != nil {
		return "", fmt.Errorf("reading manager property %s: %w", name, err)
	}
	// go-systemd renders GVariant text: strings come back quoted.
	if u, err := strconv.Unquote(v); err == nil {
		return u, nil
	}
	return v, nil
}

// JobError is a start or stop job that did not finish with "done".
type JobError struct {
	Unit   string
	Job    string // "start" or "stop"
	Result string // systemd's job result: failed, timeout, dependency, ...
}

func (e *JobError) Error() string {
	return fmt.Sprintf("%s job for %s finished with result %q", e.Job, e.Unit, e.Result)
}

// StartTransient creates and starts a transient unit and waits for its start
// job. For Type=oneshot units the job completes when the command has run.
func (c *Client) StartTransient(ctx context.Context, name string, props []sdbus.Property) error {
	if !strings.HasPrefix(name, UnitPrefix) {
		return fmt.Errorf("refusing to start %s: hardenlab only manages units named %s*", name, UnitPrefix)
	}
	ch := make(chan string, 1)
	if _, err := c.conn.StartTransientUnitContext(ctx, name, "fail", props, ch); err != nil {
		return fmt.Errorf("starting transient unit %s: %w", name, explainDBusError(err))
	}
	select {
	case res := <-ch:
		if res != "done" {
			return &JobError{Unit: name, Job: "start", Result: res}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for %s to start: %w", name, ctx.Err())
	}
}

// Reload runs a hardenlab unit's ExecReload= and waits for the job.
func (c *Client) Reload(ctx context.Context, name string) error {
	if !strings.HasPrefix(name, UnitPrefix) {
		return fmt.Errorf("refusing to reload %s: not a hardenlab unit", name)
	}
	ch := make(chan string, 1)
	if _, err := c.conn.ReloadUnitContext(ctx, name, "replace", ch); err != nil {
		return fmt.Errorf("reloading %s: %w", name, explainDBusError(err))
	}
	select {
	case res := <-ch:
		if res != "done" {
			return &JobError{Unit: name, Job: "reload", Result: res}
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for %s to reload: %w", name, ctx.Err())
	}
}

// Stop stops a unit (if loaded), waits for the stop job and clears a failed
// state, so that the transient unit is garbage-collected by systemd.
func (c *Client) Stop(ctx context.Context, name string) error {
	if !strings.HasPrefix(name, UnitPrefix) {
		return fmt.Errorf("refusing to stop %s: not a hardenlab unit", name)
	}
	ch := make(chan string, 1)
	_, err := c.conn.StopUnitContext(ctx, name, "replace", ch)
	if err != nil && !isNoSuchUnit(err) {
		return fmt.Errorf("stopping %s: %w", name, err)
	}
	if err == nil {
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to stop: %w", name, ctx.Err())
		}
	}
	if err := c.conn.ResetFailedUnitContext(ctx, name); err != nil && !isNoSuchUnit(err) && !isNotFailed(err) {
		return fmt.Errorf("resetting failed state of %s: %w", name, err)
	}
	return nil
}

// Unit reads the properties of the Unit interface.
func (c *Client) Unit(ctx context.Context, name string) (map[string]any, error) {
	p, err := c.conn.GetUnitPropertiesContext(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("reading unit properties of %s: %w", name, err)
	}
	return p, nil
}

// Service reads the properties of the Service interface.
func (c *Client) Service(ctx context.Context, name string) (map[string]any, error) {
	p, err := c.conn.GetUnitTypePropertiesContext(ctx, name, "Service")
	if err != nil {
		return nil, fmt.Errorf("reading service properties of %s: %w", name, err)
	}
	return p, nil
}

// State is the part of a service's state that says how it went.
type State struct {
	ActiveState    string
	SubState       string
	Result         string
	MainPID        uint32
	ExecMainCode   int32 // CLD_EXITED (1), CLD_KILLED (2), CLD_DUMPED (3)
	ExecMainStatus int32
	LoadState      string
}

// State reads the current state of a service unit.
func (c *Client) State(ctx context.Context, name string) (State, error) {
	u, err := c.Unit(ctx, name)
	if err != nil {
		return State{}, err
	}
	s, err := c.Service(ctx, name)
	if err != nil {
		return State{}, err
	}
	return StateOf(u, s), nil
}

// StateOf extracts the State from property maps already read with Unit and
// Service, so a caller that needs the maps too reads them once.
func StateOf(u, s map[string]any) State {
	st := State{
		ActiveState: str(u["ActiveState"]),
		SubState:    str(u["SubState"]),
		LoadState:   str(u["LoadState"]),
		Result:      str(s["Result"]),
	}
	st.MainPID, _ = s["MainPID"].(uint32)
	st.ExecMainCode, _ = s["ExecMainCode"].(int32)
	st.ExecMainStatus, _ = s["ExecMainStatus"].(int32)
	return st
}

// MainPID reads just the service's main PID (0 when it has none).
func (c *Client) MainPID(ctx context.Context, name string) (uint32, error) {
	p, err := c.conn.GetServicePropertyContext(ctx, name, "MainPID")
	if err != nil {
		return 0, fmt.Errorf("reading MainPID of %s: %w", name, err)
	}
	pid, _ := p.Value.Value().(uint32)
	return pid, nil
}

// ActiveState reads just the unit's ActiveState: cheap enough to poll,
// unlike the full property set.
func (c *Client) ActiveState(ctx context.Context, name string) (string, error) {
	p, err := c.conn.GetUnitPropertyContext(ctx, name, "ActiveState")
	if err != nil {
		return "", fmt.Errorf("reading ActiveState of %s: %w", name, err)
	}
	s, _ := p.Value.Value().(string)
	return s, nil
}

// OwnUnits lists loaded units whose names start with prefix (which must
// itself start with UnitPrefix).
func (c *Client) OwnUnits(ctx context.Context, prefix string) ([]sdbus.UnitStatus, error) {
	if !strings.HasPrefix(prefix, UnitPrefix) {
		return nil, fmt.Errorf("refusing to list units with prefix %q: not a hardenlab prefix", prefix)
	}
	all, err := c.conn.ListUnitsByPatternsContext(ctx, nil, []string{prefix + "*"})
	if err != nil {
		return nil, fmt.Errorf("listing units %s*: %w", prefix, err)
	}
	return all, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func dbusName(err error) string {
	var de dbus.Error
	if errors.As(err, &de) {
		return de.Name
	}
	var dp *dbus.Error
	if errors.As(err, &dp) {
		return dp.Name
	}
	return ""
}

func isNoSuchUnit(err error) bool {
	return dbusName(err) == "org.freedesktop.systemd1.NoSuchUnit"
}

func isNotFailed(err error) bool {
	// reset-failed on a unit that is not failed is not an error in 252, but
	// a unit that vanished meanwhile reports NoSuchUnit or LoadFailed.
	n := dbusName(err)
	return n == "org.freedesktop.systemd1.LoadFailed" || n == "org.freedesktop.systemd1.UnitInactive"
}

// IsBadSetting says whether systemd refused a unit for a combination of
// settings, whose reason only its journal has.
func IsBadSetting(err error) bool {
	return dbusName(err) == "org.freedesktop.systemd1.BadUnitSetting"
}

// explainDBusError turns systemd's terse D-Bus refusals into messages a
// user can act on.
func explainDBusError(err error) error {
	switch dbusName(err) {
	case "org.freedesktop.DBus.Error.PropertyReadOnly":
		return fmt.Errorf("%w (this systemd does not know the property, or does not allow it on transient units)", err)
	case "System.Error.ENXIO":
		return fmt.Errorf("%w (a property was sent with a D-Bus type this systemd does not expect)", err)
	case "org.freedesktop.systemd1.UnitExists":
		return fmt.Errorf("%w (a unit of that name is still loaded: run 'hardenlab gc')", err)
	case "org.freedesktop.systemd1.BadUnitSetting":
		return fmt.Errorf("%w (systemd rejected the combination of settings; its journal has the reason)", err)
	}
	return err
}
