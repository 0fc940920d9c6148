package edge

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/otpd/otpd/signin"
)

// Requester is the context of a request, for the security record and the
// limits, with the device cookie that may make it a familiar context.
func (e *Edge) Requester(r *http.Request) signin.Requester {
	ip := e.ClientIP(r)
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	return signin.Requester{IP: ip, UserAgent: strings.ToValidUTF8(ua, "\uFFFD"), Device: DeviceToken(r)}
}

// maxUserAgent bounds what one request can make the store keep.
const maxUserAgent = 512

// ClientIP is the connection's address, unless that is a trusted proxy:
// then it is the rightmost address of X-Forwarded-For that is not one.
// Addresses left of it were written by the client and prove nothing.
func (e *Edge) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !e.trusted(ip) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			// A proxy we trust wrote garbage: stop at what we know.
			return ip.String()
		}
		if !e.trusted(hop) {
			return hop.Unmap().String()
		}
		ip = hop
	}
	return ip.String()
}

func (e *Edge) trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range e.Proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
