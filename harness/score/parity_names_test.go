//go:build parity

package score

// nameSpellingUnits spell kernel names the way systemd reads them but the
// generated corpus never does: numbers in safe_atoi's syntax (025 is octal
// 21, CAP_SYS_ADMIN, not CAP_SYS_TIME), errno names in any case and the
// glibc names x/sys/unix lacks, and the devices PID 1 adds to a list.
func nameSpellingUnits() []string {
	return []string{
		"CapabilityBoundingSet=~025\n",
		"CapabilityBoundingSet=~0x15 cap_sys_ptrace\n",
		"CapabilityBoundingSet=~+25\n",
		"SystemCallFilter=~@clock:eperm\n",
		"SystemCallFilter=~@clock:0x10 @mount:0\n",
		"SystemCallFilter=~@debug:EUCLEAN @raw-io:EOPNOTSUPP\n",
		"SystemCallFilter=~@swap:07777 @reboot:eWouldBlock\n",
		"SystemCallErrorNumber=0x10\nSystemCallFilter=~@clock\n",
		"RestrictAddressFamilies=af_inet Af_Unix\n",
		"RestrictAddressFamilies=~AF_LOCAL AF_ROUTE\n",
		"ProtectClock=yes\nDeviceAllow=/dev/null rw\n",
		"PrivateDevices=yes\nProtectClock=yes\n",
		"DynamicUser=yes\nProtectHome=tmpfs\n",
	}
}
