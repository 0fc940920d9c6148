package config

import (
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// OIDCConfig is otpd as an OpenID Connect provider: how it signs ID
// tokens and how long what it issues lasts. Apps are declared in
// [[clients]] or added with `otpd clients add`.
type OIDCConfig struct {
	// SigningAlg signs ID tokens: ES256 or RS256.
	SigningAlg string `toml:"signing_alg"`
	// KeyRotation is how long a signing key signs before the next one
	// takes over.
	KeyRotation Duration `toml:"key_rotation"`
	// KeyPrepublish is how long a new key is published before it signs,
	// so that apps holding a cached key set know it.
	KeyPrepublish Duration `toml:"key_prepublish"`
	// IDTokenLifetime, AccessTokenLifetime: how long those tokens last.
	IDTokenLifetime     Duration `toml:"id_token_lifetime"`
	AccessTokenLifetime Duration `toml:"access_token_lifetime"`
	// RefreshTokenLifetime ends a chain of refresh tokens, however busy;
	// RefreshIdle ends one left unused.
	RefreshTokenLifetime Duration `toml:"refresh_token_lifetime"`
	RefreshIdle          Duration `toml:"refresh_idle"`
}

// ClientConfig is an app declared in the configuration file, one
// [[clients]] table each.
type ClientConfig struct {
	ID   string `toml:"id"`
	Name string `toml:"name"`
	// Type is "public" (a single-page or native app, which keeps no
	// secret and must use PKCE) or "confidential".
	Type string `toml:"type"`
	// SecretHash is the hex SHA-256 of a confidential app's secret, as
	// `otpd clients rotate-secret` prints it; the secret is never written
	// here.
	SecretHash             string   `toml:"secret_hash"`
	RedirectURIs           []string `toml:"redirect_uris"`
	PostLogoutRedirectURIs []string `toml:"post_logout_redirect_uris"`
	// Scopes are the most the app may ask for: openid, email,
	// offline_access.
	Scopes  []string `toml:"scopes"`
	LogoURL string   `toml:"logo_url"`
	// FirstParty marks the operator's own app: people are not asked to
	// consent to it (unless it asks with prompt=consent). Only the file
	// can say so, not `otpd clients add`: it is the operator's word.
	FirstParty bool `toml:"first_party"`
}

// defaultOIDC is the provider's defaults, with their reasons.
func defaultOIDC() OIDCConfig {
	return OIDCConfig{
		// ES256: short signatures, fast to make, supported by every
		// OpenID Connect library; RS256 for the few apps that know no
		// other.
		SigningAlg: "ES256",
		// A month: a key that leaked signs for at most that long,
		// without rotating so often that apps refetch keys for nothing.
		KeyRotation: Duration(30 * 24 * time.Hour),
		// A day: longer than any app caches a key set.
		KeyPrepublish: Duration(24 * time.Hour),
		// 5 minutes: an ID token proves a sign-in that just happened.
		IDTokenLifetime: Duration(5 * time.Minute),
		// 10 minutes: a stolen access token is worth little, and removing
		// an app's access takes effect within that even for an app that
		// never asks userinfo.
		AccessTokenLifetime: Duration(10 * time.Minute),
		// 30 days, as a session's absolute life: an app signs in again
		// once a month.
		RefreshTokenLifetime: Duration(30 * 24 * time.Hour),
		// 14 days: a refresh token left unused for two weeks dies.
		RefreshIdle: Duration(14 * 24 * time.Hour),
	}
}

// clientID is what an app's ID may be: short, lower case, no space, so
// that it reads the same in URLs, logs and the command line.
var clientID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// ValidClientID reports whether id may name an app.
func ValidClientID(id string) bool { return clientID.MatchString(id) }

// knownScopes are the scopes otpd gives.
var knownScopes = []string{"openid", "email", "offline_access"}

func (c Config) oidcProblems(bad func(key, format string, args ...any)) {
	o := c.OIDC
	if o.SigningAlg != "ES256" && o.SigningAlg != "RS256" {
		bad("oidc.signing_alg", "must be ES256 or RS256, got %q", o.SigningAlg)
	}
	durationBetween(bad, "oidc.key_rotation", o.KeyRotation, 24*time.Hour, 365*24*time.Hour)
	durationBetween(bad, "oidc.key_prepublish", o.KeyPrepublish, time.Hour, 7*24*time.Hour)
	if time.Duration(o.KeyPrepublish) >= time.Duration(o.KeyRotation) {
		bad("oidc.key_prepublish", "must be shorter than oidc.key_rotation (%s), got %s", o.KeyRotation, o.KeyPrepublish)
	}
	durationBetween(bad, "oidc.id_token_lifetime", o.IDTokenLifetime, time.Minute, time.Hour)
	durationBetween(bad, "oidc.access_token_lifetime", o.AccessTokenLifetime, time.Minute, 24*time.Hour)
	durationBetween(bad, "oidc.refresh_token_lifetime", o.RefreshTokenLifetime, time.Hour, 365*24*time.Hour)
	durationBetween(bad, "oidc.refresh_idle", o.RefreshIdle, time.Hour, 365*24*time.Hour)
	if o.RefreshIdle > o.RefreshTokenLifetime {
		bad("oidc.refresh_idle", "must not exceed oidc.refresh_token_lifetime (%s), got %s", o.RefreshTokenLifetime, o.RefreshIdle)
	}

	seen := map[string]bool{}
	for i, cl := range c.Clients {
		prefix := fmt.Sprintf("clients[%d].", i)
		for _, e := range cl.Problems() {
			bad(prefix+e.Key, "%s", e.Msg)
		}
		if ValidClientID(cl.ID) && seen[cl.ID] {
			bad(prefix+"id", "%q is declared twice", cl.ID)
		}
		seen[cl.ID] = true
	}
}

// Problems checks one app's settings and returns every problem, each
// keyed by its field ("redirect_uris"), or nil. The configuration file
// and `otpd clients add` check apps with it alike.
func (cl ClientConfig) Problems() Errors {
	var errs Errors
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Msg: fmt.Sprintf(format, args...)})
	}
	if !ValidClientID(cl.ID) {
		bad("id", "must be 1 to 64 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit, got %q", cl.ID)
	}
	if strings.TrimSpace(cl.Name) == "" {
		bad("name", "must not be empty: people read it when they allow the app")
	}
	public := cl.Type == "public"
	switch cl.Type {
	case "public":
		if cl.SecretHash != "" {
			bad("secret_hash", "a public app keeps no secret; remove it or make the app confidential")
		}
	case "confidential":
		if b, err := hex.DecodeString(cl.SecretHash); err != nil || len(b) != 32 {
			bad("secret_hash", "must be the 64 hex digits `otpd clients rotate-secret` prints")
		}
	default:
		bad("type", "must be public or confidential, got %q", cl.Type)
	}
	if len(cl.RedirectURIs) == 0 {
		bad("redirect_uris", "must list at least one URI")
	}
	for _, u := range cl.RedirectURIs {
		if msg := CheckRedirectURI(u, public); msg != "" {
			bad("redirect_uris", "%s, got %q", msg, u)
		}
	}
	for _, u := range cl.PostLogoutRedirectURIs {
		if msg := CheckRedirectURI(u, public); msg != "" {
			bad("post_logout_redirect_uris", "%s, got %q", msg, u)
		}
	}
	if !slices.Contains(cl.Scopes, "openid") {
		bad("scopes", "must include openid")
	}
	for _, s := range cl.Scopes {
		if !slices.Contains(knownScopes, s) {
			bad("scopes", "must be among %s, got %q", strings.Join(knownScopes, ", "), s)
		}
	}
	if cl.LogoURL != "" {
		if p, err := url.Parse(cl.LogoURL); err != nil || p.Scheme != "https" || p.Host == "" {
			bad("logo_url", "must be an https:// URL, got %q", cl.LogoURL)
		}
	}
	return errs
}

// CheckRedirectURI explains what is wrong with u as an app's redirect
// URI, or returns "". It must be absolute and without a fragment; https,
// or http on a loopback address (a native app's local listener, or
// development); a public (native) app may also use a private-use scheme
// of its own, such as com.example.app:/callback (RFC 8252).
func CheckRedirectURI(u string, public bool) string {
	p, err := url.Parse(u)
	switch {
	case err != nil || !p.IsAbs():
		return "must be an absolute URI"
	case p.Fragment != "" || strings.Contains(u, "#"):
		return "must have no fragment"
	case strings.ContainsAny(u, " \t\r\n"):
		return "must have no spaces"
	case p.User != nil:
		return "must not contain a user name or password"
	}
	switch p.Scheme {
	case "https":
		if p.Host == "" {
			return "must name a host"
		}
	case "http":
		if ip := net.ParseIP(p.Hostname()); ip == nil || !ip.IsLoopback() {
			return "http:// is allowed only for a loopback address (127.0.0.1, [::1]); use https://"
		}
	default:
		if !public {
			return "must start with https:// (a private-use scheme is for public, native apps)"
		}
		if !strings.Contains(p.Scheme, ".") {
			return "a private-use scheme must be a reversed domain name, such as com.example.app"
		}
	}
	return ""
}
