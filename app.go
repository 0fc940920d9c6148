package otpd

import (
	"context"
	"crypto/sha256"
	"net/url"
	"slices"
	"time"
)

// App is an application that signs its users in through otpd with OpenID
// Connect (an OAuth "client"; the word client is taken in otpd by the Go
// API client and the per-IP limits). A public app (a single-page or
// native app) cannot keep a secret and must prove its requests with PKCE;
// a confidential one authenticates with a secret, of which only the
// SHA-256 is kept.
type App struct {
	ID   string
	Name string
	// Public apps have no secret; SecretHash is empty for them.
	Public     bool
	SecretHash []byte
	// RedirectURIs are where codes may be sent, compared byte for byte.
	RedirectURIs []string
	// PostLogoutURIs are where a signed-out person may be sent back.
	PostLogoutURIs []string
	// Scopes are the most the app may ask for.
	Scopes  []string
	LogoURL string
	// FirstParty marks the operator's own app, declared in the
	// configuration: people are not asked to consent to it, as they are
	// not asked to consent to otpd's own pages. Its access is still
	// recorded, listed and removable, and its first one is still told.
	FirstParty bool
	// FromConfig marks an app declared in the configuration file: the
	// command line lists it but cannot remove it or change its secret.
	FromConfig bool
	CreatedAt  time.Time
}

// Scopes an app may hold.
const (
	ScopeOpenID        = "openid"
	ScopeEmail         = "email"
	ScopeOfflineAccess = "offline_access"
)

// RedirectAllowed reports whether uri is exactly one of the app's redirect
// URIs. There is no normalisation: a trailing slash, a letter's case, a
// query, a port or a fragment makes another URI, because any looseness
// here is how codes are sent to an attacker's page (open redirects on the
// same host, a port another user listens on).
func (a App) RedirectAllowed(uri string) bool {
	return uri != "" && slices.Contains(a.RedirectURIs, uri)
}

// PostLogoutAllowed reports whether uri is exactly one of the app's
// post-logout redirect URIs, as RedirectAllowed.
func (a App) PostLogoutAllowed(uri string) bool {
	return uri != "" && slices.Contains(a.PostLogoutURIs, uri)
}

// AllowsScope reports whether the app may ask for scope.
func (a App) AllowsScope(scope string) bool { return slices.Contains(a.Scopes, scope) }

// Origins are the origins (scheme://host[:port]) of the app's redirect
// URIs that a browser can be sent to over HTTP(S), in the order first
// listed: a page whose form ends at the app must allow them in its
// Content-Security-Policy, or the browser stops the redirect.
func (a App) Origins() []string {
	var out []string
	for _, raw := range a.RedirectURIs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			continue
		}
		o := u.Scheme + "://" + u.Host
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// HashSecret is how a confidential app's secret is kept and compared:
// its SHA-256. The secret is 256 random bits, so a slow hash would add
// nothing but a lever for making the server work.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// LookupApp finds an app among those declared in the configuration file,
// then in the store: the one rule by which the provider and the engine
// agree on what a client_id names. ErrNotFound when neither has it.
func LookupApp(ctx context.Context, declared []App, store AppStore, id string) (App, error) {
	for _, a := range declared {
		if a.ID == id {
			return a, nil
		}
	}
	return store.App(ctx, id)
}
