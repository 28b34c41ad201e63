package directive

import (
	"net/netip"
)

// networkSpecs are the descriptors of the sockets and addresses the service
// may use.
func networkSpecs() []Spec {
	return inArea("network",
		restrictAddressFamiliesSpec().since(235),
		ipAddressSpec("IPAddressAllow", "IP prefixes the service may talk to (wins over IPAddressDeny)", "localhost 192.168.1.0/24", func(s *Settings) *[]netip.Prefix { return &s.IPAddressAllow }).since(235),
		ipAddressSpec("IPAddressDeny", "IP prefixes the service may not talk to", "any", func(s *Settings) *[]netip.Prefix { return &s.IPAddressDeny }).since(235),
	)
}
