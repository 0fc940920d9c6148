package otpd

import (
	"context"
	"strings"
	"time"
)

// Forgery is what otpd keeps of a message someone checked that it did
// not send: enough for the operator to see who imitates the service and
// where the imitations lead, nothing of the person who checked it or of
// the message's text. Each field is bounded by Bound.
type Forgery struct {
	At time.Time `json:"at"`
	// FromDomain is the domain the message claims to come from.
	FromDomain string `json:"from_domain"`
	// SigningDomains are the d= of its DKIM signatures, ours or not.
	SigningDomains []string `json:"signing_domains,omitempty"`
	// LinkHosts are the hosts its links lead to, other than ours.
	LinkHosts []string `json:"link_hosts,omitempty"`
	// Received are the hosts its Received headers name, newest first.
	Received []string `json:"received,omitempty"`
	// Reasons are why it is not ours (msgcheck's reasons).
	Reasons []string `json:"reasons,omitempty"`
}

// Bounds of what a Forgery keeps: it comes from whoever uploads.
const (
	maxForgeryList  = 10
	maxForgeryValue = 255
)

// Bound cuts f to what is kept: at most ten values per list, each at
// most 255 bytes of valid UTF-8.
func (f Forgery) Bound() Forgery {
	cut := func(s string) string {
		s = strings.ToValidUTF8(s, "?")
		for len(s) > maxForgeryValue {
			s = strings.ToValidUTF8(s[:maxForgeryValue], "")
		}
		return s
	}
	list := func(ss []string) []string {
		var out []string
		for _, s := range ss {
			if len(out) == maxForgeryList {
				break
			}
			out = append(out, cut(s))
		}
		return out
	}
	f.FromDomain = cut(f.FromDomain)
	f.SigningDomains, f.LinkHosts, f.Received, f.Reasons = list(f.SigningDomains), list(f.LinkHosts), list(f.Received), list(f.Reasons)
	return f
}

// ForgeryStore keeps forgery reports, sealed, for the operator.
type ForgeryStore interface {
	// KeepForgery stores a sealed report made at at and drops all but
	// the newest keep (about: nodes keeping at once may leave a few
	// more until the next); keep must be at least 1.
	KeepForgery(ctx context.Context, at time.Time, sealed []byte, keep int) error
	// Forgeries returns the sealed reports, newest first, at most limit
	// (all for zero or less).
	Forgeries(ctx context.Context, limit int) ([][]byte, error)
}
