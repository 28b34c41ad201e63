package run

import (
	"syscall"

	"github.com/godbus/dbus/v5"
)

// syscallNoFollow refuses to write a marker through a planted symlink.
const syscallNoFollow = syscall.O_NOFOLLOW

func dbusVariant(v any) dbus.Variant { return dbus.MakeVariant(v) }
