package signin

import (
	"context"
	"net/netip"

	"github.com/otpd/otpd"
)

// ClientLimits bound code requests by who asks rather than for whom. Their
// keys hold nothing about the address, so they act alike for every
// address (invariant 6). A zero Rate is not enforced.
type ClientLimits struct {
	// PerIP and PerNetwork (an IPv4 /24 or IPv6 /64: one household, one
	// small office, one cloud host) slow one source down.
	PerIP      otpd.Rate
	PerNetwork otpd.Rate
	// Messages is the service-wide ceiling on messages sent: a flood must
	// not spend the sending domain's reputation.
	Messages otpd.Rate
	// PasswordsPerIP and PasswordsPerNetwork bound password attempts from
	// one source across all accounts: credential stuffing tries a leaked
	// list of address and password pairs, one attempt per account, which
	// no per-account limit sees. They count every request that may reach
	// argon2 (a password sign-in, a reset, a new password), before any
	// of it, so that they also bound the hashing one source can cause.
	PasswordsPerIP      otpd.Rate
	PasswordsPerNetwork otpd.Rate
}

// clientCheck is one limit on a source: a limiter key and its rate.
type clientCheck struct {
	key   string
	rate  otpd.Rate
	limit Limit
}

// clientLimit returns the limit that refuses a code request from r at now,
// or nil.
func (e *Engine) clientLimit(ctx context.Context, r Requester) (*otpd.LimitError, error) {
	return e.checkClient(ctx, []clientCheck{
		{"otpd:code:ip:" + r.IP, e.policy.Clients.PerIP, LimitIP},
		{"otpd:code:net:" + network(r.IP), e.policy.Clients.PerNetwork, LimitNetwork},
		{"otpd:code:messages", e.policy.Clients.Messages, LimitMessages},
	})
}

// passwordLimit returns the limit that refuses a password attempt from r,
// or nil.
func (e *Engine) passwordLimit(ctx context.Context, r Requester) (*otpd.LimitError, error) {
	return e.checkClient(ctx, []clientCheck{
		{"otpd:password:ip:" + r.IP, e.policy.Clients.PasswordsPerIP, LimitPasswordIP},
		{"otpd:password:net:" + network(r.IP), e.policy.Clients.PasswordsPerNetwork, LimitPasswordNetwork},
	})
}

// passwordsAllowed refuses a request that may reach argon2 once its
// source has spent the password limit.
func (e *Engine) passwordsAllowed(ctx context.Context, r Requester) error {
	le, err := e.passwordLimit(ctx, r)
	if err != nil {
		return internal("password limits", err)
	}
	if le != nil {
		return &otpd.Error{Code: otpd.ERateLimited, RetryAfter: le.RetryAfter,
			Message: "too many password attempts from your network; try again later"}
	}
	return nil
}

func (e *Engine) checkClient(ctx context.Context, checks []clientCheck) (*otpd.LimitError, error) {
	if e.limiter == nil {
		return nil, nil
	}
	now := e.now()
	for _, c := range checks {
		if c.rate.Count == 0 {
			continue
		}
		d, err := e.limiter.Allow(ctx, c.key, c.rate, now)
		if err != nil {
			return nil, err
		}
		if !d.Allowed {
			e.observer.Refused(c.limit)
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
