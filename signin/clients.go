package signin

import (
	"context"
	"net/netip"

	"github.com/otpd/otpd"
)

// ClientLimits bound code requests by who asks rather than for whom. They
// are checked before anything about the address is known, so they act
// alike for every address (invariant 6). A zero Rate is not enforced.
type ClientLimits struct {
	// PerIP and PerNetwork (an IPv4 /24 or IPv6 /64: one household, one
	// small office, one cloud host) slow one source down.
	PerIP      otpd.Rate
	PerNetwork otpd.Rate
	// Messages is the service-wide ceiling on messages sent: a flood must
	// not spend the sending domain's reputation.
	Messages otpd.Rate
}

// clientLimit returns the limit that refuses a code request from r at now,
// or nil.
func (e *Engine) clientLimit(ctx context.Context, r Requester) (*otpd.LimitError, error) {
	if e.limiter == nil {
		return nil, nil
	}
	now := e.now()
	checks := []struct {
		key  string
		rate otpd.Rate
	}{
		{"ip:" + r.IP, e.policy.Clients.PerIP},
		{"net:" + network(r.IP), e.policy.Clients.PerNetwork},
		{"messages", e.policy.Clients.Messages},
	}
	for _, c := range checks {
		if c.rate.Count == 0 {
			continue
		}
		d, err := e.limiter.Allow(ctx, "otpd:code:"+c.key, c.rate, now)
		if err != nil {
			return nil, err
		}
		if !d.Allowed {
			return &otpd.LimitError{Limit: otpd.LimitClient, RetryAfter: d.RetryAfter}, nil
		}
	}
	return nil, nil
}

// network returns the /24 or /64 an address belongs to; what does not
// parse as an IP stands for itself.
func network(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	bits := 64
	if a.Unmap().Is4() {
		a, bits = a.Unmap(), 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ip
	}
	return p.String()
}
