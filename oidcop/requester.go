package oidcop

import (
	"context"
	"net"
	"net/http"

	"github.com/otpd/otpd"
)

// requester is who made a token request, kept in its context for the
// event a replayed code or refresh token records.
type requester struct{ ip, userAgent string }

type requesterKey struct{}

// maxUserAgent bounds the User-Agent an event keeps.
const maxUserAgent = 256

func (p *Provider) withRequester(r *http.Request) context.Context {
	ip := ""
	if p.opts.ClientIP != nil {
		ip = p.opts.ClientIP(r)
	} else if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		ip = host
	}
	ua := r.UserAgent()
	if len(ua) > maxUserAgent {
		ua = ua[:maxUserAgent]
	}
	return context.WithValue(r.Context(), requesterKey{}, requester{ip: ip, userAgent: ua})
}

// event is the start of an event about app clientID's tokens: who asked,
// and the app's name, which the account's owner reads.
func (s *storage) event(ctx context.Context, clientID string) otpd.Event {
	rq, _ := ctx.Value(requesterKey{}).(requester)
	ev := otpd.Event{At: s.now(), IP: rq.ip, UserAgent: rq.userAgent, Concerns: clientID}
	if a, err := s.app(ctx, clientID); err == nil && a.Name != "" {
		ev.Concerns = a.Name
	}
	return ev
}
