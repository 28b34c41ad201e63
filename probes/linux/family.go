package linux

import (
	"strings"

	"golang.org/x/sys/unix"
)

// addressFamilies are the AF_* names glibc's <sys/socket.h> defines (less
// AF_UNSPEC and AF_MAX), which is the list systemd 252 and 257 are built
// with; both accept each of them, in any case. Aliases share a number and
// follow the canonical name, the one systemd prints.
func addressFamilies() [48]struct {
	name   string
	family int
} {
	return [...]struct {
		name   string
		family int
	}{
		{"AF_UNIX", unix.AF_UNIX}, {"AF_LOCAL", unix.AF_LOCAL}, {"AF_FILE", unix.AF_FILE},
		{"AF_INET", unix.AF_INET}, {"AF_AX25", unix.AF_AX25}, {"AF_IPX", unix.AF_IPX},
		{"AF_APPLETALK", unix.AF_APPLETALK}, {"AF_NETROM", unix.AF_NETROM}, {"AF_BRIDGE", unix.AF_BRIDGE},
		{"AF_ATMPVC", unix.AF_ATMPVC}, {"AF_X25", unix.AF_X25}, {"AF_INET6", unix.AF_INET6},
		{"AF_ROSE", unix.AF_ROSE}, {"AF_DECnet", unix.AF_DECnet}, {"AF_NETBEUI", unix.AF_NETBEUI},
		{"AF_SECURITY", unix.AF_SECURITY}, {"AF_KEY", unix.AF_KEY}, {"AF_NETLINK", unix.AF_NETLINK},
		{"AF_ROUTE", unix.AF_ROUTE}, {"AF_PACKET", unix.AF_PACKET}, {"AF_ASH", unix.AF_ASH},
		{"AF_ECONET", unix.AF_ECONET}, {"AF_ATMSVC", unix.AF_ATMSVC}, {"AF_RDS", unix.AF_RDS},
		{"AF_SNA", unix.AF_SNA}, {"AF_IRDA", unix.AF_IRDA}, {"AF_PPPOX", unix.AF_PPPOX},
		{"AF_WANPIPE", unix.AF_WANPIPE}, {"AF_LLC", unix.AF_LLC}, {"AF_IB", unix.AF_IB},
		{"AF_MPLS", unix.AF_MPLS}, {"AF_CAN", unix.AF_CAN}, {"AF_TIPC", unix.AF_TIPC},
		{"AF_BLUETOOTH", unix.AF_BLUETOOTH}, {"AF_IUCV", unix.AF_IUCV}, {"AF_RXRPC", unix.AF_RXRPC},
		{"AF_ISDN", unix.AF_ISDN}, {"AF_PHONET", unix.AF_PHONET}, {"AF_IEEE802154", unix.AF_IEEE802154},
		{"AF_CAIF", unix.AF_CAIF}, {"AF_ALG", unix.AF_ALG}, {"AF_NFC", unix.AF_NFC},
		{"AF_VSOCK", unix.AF_VSOCK}, {"AF_KCM", unix.AF_KCM}, {"AF_QIPCRTR", unix.AF_QIPCRTR},
		{"AF_SMC", unix.AF_SMC}, {"AF_XDP", unix.AF_XDP}, {"AF_MCTP", unix.AF_MCTP},
	}
}

// ParseAddressFamily reads an AF_* name in any case, as systemd's
// af_from_name() does.
func ParseAddressFamily(name string) (int, bool) {
	for _, af := range addressFamilies() {
		if strings.EqualFold(name, af.name) {
			return af.family, true
		}
	}
	return 0, false
}

// AddressFamilyName is the canonical name of a family number ("AF_UNIX",
// not AF_LOCAL or AF_FILE), or "" for a number without one.
func AddressFamilyName(family int) string {
	for _, af := range addressFamilies() {
		if af.family == family {
			return af.name
		}
	}
	return ""
}
