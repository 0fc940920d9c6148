package config

import (
	"net/url"
	"strconv"
	"strings"
)

// ForwardAuthConfig lets a reverse proxy (nginx auth_request, Caddy
// forward_auth, Traefik forwardAuth) ask otpd whether a request to an app
// behind it comes from a signed-in person, and who.
type ForwardAuthConfig struct {
	// Enabled answers GET /auth/forward; off, it answers 404.
	Enabled bool `toml:"enabled"`
	// Headers is the one set of headers the proxy names the original
	// request with, and the only one read: "original-url"
	// (X-Original-URL, which nginx sets itself) or "forwarded"
	// (X-Forwarded-Proto, -Host and -Uri, which Caddy and Traefik set).
	// A question that carries the other set as well is refused: Caddy
	// and Traefik copy the client's headers, so an X-Original-URL there
	// is the client's word, and names another app than the one asked for.
	Headers string `toml:"headers"`
	// UserHeader and EmailHeader name the headers of a 200 that carry
	// the account's ID and address; the proxy copies them to the app.
	UserHeader  string `toml:"user_header"`
	EmailHeader string `toml:"email_header"`
	// CookieDomain is the session cookie's Domain: empty keeps it on
	// public_url's host alone; a parent domain ("example.com") lets one
	// sign-in serve apps on its subdomains, and hands the session token
	// to every one of them.
	CookieDomain string `toml:"cookie_domain"`
	// Hosts are the apps behind the proxy, each with who may reach it.
	// A request for any other host is refused. Only the file sets them.
	Hosts []ForwardHost `toml:"hosts"`
}

// The values of forward_auth.headers.
const (
	ForwardOriginalURL = "original-url"
	ForwardForwarded   = "forwarded"
)

// ForwardHost is one app behind forward auth and its policy.
type ForwardHost struct {
	// Origin is the app's https://host[:port], as the browser sees it.
	Origin string `toml:"origin"`
	// Accounts (IDs) and Domains (of the account's address) it admits;
	// AnyAccount admits every signed-in account, which with sign_up on
	// is anyone who can read an email.
	Accounts   []string `toml:"accounts"`
	Domains    []string `toml:"domains"`
	AnyAccount bool     `toml:"any_account"`
	// FreshCode asks for a code verified within session.step_up (a
	// step-up, or the code that signed the session in) before each
	// visit past that window.
	FreshCode bool `toml:"fresh_code"`
}

// ReturnOrigins returns the origins the sign-in pages may send a browser
// back to once it is signed in: return_to and, with forward auth on, its
// hosts.
func (c Config) ReturnOrigins() []string {
	out := append([]string(nil), c.ReturnTo...)
	if c.ForwardAuth.Enabled {
		for _, h := range c.ForwardAuth.Hosts {
			out = append(out, h.Origin)
		}
	}
	return out
}

func (c Config) forwardProblems(bad func(key, format string, args ...any)) {
	for _, o := range c.ReturnTo {
		if msg := checkOrigin(o); msg != "" {
			bad("return_to", "%s, got %q", msg, o)
		}
	}
	fa := c.ForwardAuth
	if fa.Headers != ForwardOriginalURL && fa.Headers != ForwardForwarded {
		bad("forward_auth.headers", "must be %q (nginx, which sets X-Original-URL) or %q (Caddy, Traefik, which set X-Forwarded-Proto, -Host and -Uri), got %q",
			ForwardOriginalURL, ForwardForwarded, fa.Headers)
	}
	for key, h := range map[string]string{"forward_auth.user_header": fa.UserHeader, "forward_auth.email_header": fa.EmailHeader} {
		if !headerName(h) {
			bad(key, "must be an HTTP header name such as Remote-User, got %q", h)
		}
	}
	if strings.EqualFold(fa.UserHeader, fa.EmailHeader) {
		bad("forward_auth.email_header", "must differ from forward_auth.user_header (%q)", fa.UserHeader)
	}
	public := ""
	if u, err := url.Parse(c.PublicOrigin()); err == nil {
		public = strings.ToLower(u.Hostname())
	}
	if d := fa.CookieDomain; d != "" {
		switch {
		case !domainName(d) || !strings.Contains(d, "."):
			bad("forward_auth.cookie_domain", "must be a lower-case domain name with a dot, such as example.com, got %q", d)
		case public != "" && !within(public, d):
			bad("forward_auth.cookie_domain", "must be public_url's host (%s) or a parent of it, got %q; browsers refuse any other", public, d)
		}
	}
	if fa.Enabled && len(fa.Hosts) == 0 {
		bad("forward_auth.hosts", "lists no app; add a [[forward_auth.hosts]] with its origin and who may pass")
	}
	seen := map[string]bool{}
	for i, h := range fa.Hosts {
		key := "forward_auth.hosts[" + strconv.Itoa(i+1) + "]"
		if msg := checkOrigin(h.Origin); msg != "" {
			bad(key+".origin", "%s, got %q", msg, h.Origin)
			continue
		}
		u, _ := url.Parse(h.Origin)
		origin := strings.ToLower(strings.TrimSuffix(h.Origin, "/"))
		if seen[origin] {
			bad(key+".origin", "%q is listed twice", h.Origin)
		}
		seen[origin] = true
		if host := strings.ToLower(u.Hostname()); host != public && (fa.CookieDomain == "" || !within(host, fa.CookieDomain)) {
			bad(key+".origin", "%q: the session cookie never reaches it; serve it on public_url's host (%s) or set forward_auth.cookie_domain to a domain both share", h.Origin, public)
		}
		if len(h.Accounts) == 0 && len(h.Domains) == 0 && !h.AnyAccount {
			bad(key, "admits nobody; list accounts or domains, or set any_account = true")
		}
		for _, a := range h.Accounts {
			if a == "" || strings.ContainsAny(a, " \t\r\n") {
				bad(key+".accounts", "must be account IDs, got %q", a)
			}
		}
		for _, d := range h.Domains {
			if !domainName(d) {
				bad(key+".domains", "must be lower-case domain names such as example.com, got %q", d)
			}
		}
	}
}

// within reports whether host is domain or below it.
func within(host, domain string) bool {
	return host == domain || strings.HasSuffix(host, "."+domain)
}

// domainName reports whether d is an ASCII domain name in lower case
// (IDNs in their xn-- form), without a trailing dot.
func domainName(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// headerName reports whether h is an HTTP field name (RFC 9110 token).
func headerName(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("!#$%&'*+-.^_`|~", r)) {
			return false
		}
	}
	return true
}
