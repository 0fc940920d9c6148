// Package forward answers a reverse proxy that asks, before it passes a
// request on to an app with no sign-in of its own, whether the request
// comes from a signed-in account the app admits, and which: GET
// /auth/forward, for nginx's auth_request, Caddy's forward_auth and
// Traefik's forwardAuth.
//
// The proxy names the request it asks about in the one set of headers
// configured (Options.Headers): X-Original-URL (nginx), or
// X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Uri (Caddy,
// Traefik). The other set is never read, and a request that carries it
// as well is refused: Caddy and Traefik copy the client's headers to
// the question, so an X-Original-URL there is the client's, naming
// another app than the one it asks for. Only a proxy of trusted_proxies
// is answered, and only about an app configured with its policy:
// anything else is refused, never redirected, so the route is no open
// redirect. The answer:
//
//   - 200 with the account's ID and address in two headers (names
//     configured) for a session the app's policy admits;
//   - for no working session, 401 in JSON to a program, and to a browser
//     (Accept: text/html) the way to the sign-in page with the request's
//     URL as its return target: a 302 for Caddy and Traefik, which pass
//     the answer on; for nginx, whose auth_request passes on only 401
//     and 403, a 401 with that address in Location, which nginx's
//     error_page turns into the redirect (see the README);
//   - 403 (forbidden) for an account the policy does not admit;
//   - for a policy that asks for a fresh code, a session without one is
//     sent to the step-up page the same way (403 step_up_required to a
//     program).
package forward

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/edge"
)

// Host is an app behind the proxy: its origin, in the form
// edge.Returns.Check gives, and who may reach it.
type Host struct {
	Origin string
	Policy otpd.AccessPolicy
}

// Headers is the set of headers the proxy names the original request
// with.
type Headers string

const (
	// OriginalURL is X-Original-URL, which nginx sets itself
	// (proxy_set_header), replacing the client's.
	OriginalURL Headers = "original-url"
	// Forwarded is X-Forwarded-Proto, X-Forwarded-Host and
	// X-Forwarded-Uri, which Caddy's forward_auth and Traefik's
	// forwardAuth set themselves.
	Forwarded Headers = "forwarded"
)

// Options configure the handler.
type Options struct {
	Hosts []Host
	// Headers is the set the proxy names the request with; the other
	// set is never believed. Empty is OriginalURL.
	Headers Headers
	// UserHeader and EmailHeader name the headers of a 200 that carry
	// the account's ID and its address.
	UserHeader, EmailHeader string
	// SignIn is otpd's public origin, where a browser signs in.
	SignIn string
}

// Handler answers GET /auth/forward. Build it with New.
type Handler struct {
	*edge.Edge
	hosts               map[string]otpd.AccessPolicy
	headers             Headers
	userHeader, emailHd string
	signIn              string
}

// New returns the handler over e. Every host's origin must be among
// e.Returns, so that a browser it sends to sign in comes back.
func New(e *edge.Edge, o Options) *Handler {
	h := &Handler{Edge: e, hosts: map[string]otpd.AccessPolicy{}, headers: o.Headers,
		userHeader: o.UserHeader, emailHd: o.EmailHeader, signIn: strings.TrimSuffix(o.SignIn, "/")}
	if h.headers != Forwarded {
		h.headers = OriginalURL
	}
	for _, host := range o.Hosts {
		h.hosts[host.Origin] = host.Policy
	}
	return h
}

var (
	errUntrusted = &otpd.Error{Code: edge.EForbidden,
		Message: "forward auth answers only the proxies named in trusted_proxies"}
	errNoURL = &otpd.Error{Code: otpd.EInvalid, Field: "X-Original-URL",
		Message: "send the original request's URL as X-Original-URL (forward_auth.headers is \"original-url\")"}
	errNoForwarded = &otpd.Error{Code: otpd.EInvalid, Field: "X-Forwarded-Uri",
		Message: "send the original request's URL as X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Uri (forward_auth.headers is \"forwarded\")"}
	errBothSets = &otpd.Error{Code: otpd.EInvalid, Field: "X-Original-URL",
		Message: "the request carries both X-Original-URL and X-Forwarded-Proto, -Host or -Uri; the proxy must send only the set forward_auth.headers names, and drop the client's other"}
	errUnknownHost = &otpd.Error{Code: edge.EForbidden, Field: "X-Original-URL",
		Message: "this host is not one that otpd protects"}
	errDenied = &otpd.Error{Code: edge.EForbidden,
		Message: "this account may not use this site"}
	errUnauthorized = otpd.Errorf(otpd.EUnauthorized, "sign in first")
	errFresh        = otpd.Errorf(otpd.EStepUpRequired, "this site asks for a recent code: confirm it is you first")
)

// Check answers the proxy about the request it names.
func (h *Handler) Check(w http.ResponseWriter, r *http.Request) error {
	if !h.fromProxy(r) {
		return errUntrusted
	}
	original, err := h.original(r)
	if err != nil {
		return err
	}
	nginx := h.headers == OriginalURL
	target, origin, ok := h.Returns.Check(original)
	if !ok {
		return errUnknownHost
	}
	policy, ok := h.hosts[origin]
	if !ok {
		return errUnknownHost
	}
	c, err := h.caller(r)
	if otpd.ErrorCode(err) == otpd.EUnauthorized {
		return h.toPage(w, r, "/", target, nginx, errUnauthorized)
	}
	if err != nil {
		return err
	}
	switch policy.Decide(c.Account(), h.Engine.FreshCode(c)) {
	case otpd.AccessDenied:
		return errDenied
	case otpd.AccessNeedsCode:
		return h.toPage(w, r, "/step-up", target, nginx, errFresh)
	}
	w.Header().Set(h.userHeader, c.Account().ID)
	w.Header().Set(h.emailHd, c.Account().Email.String())
	w.WriteHeader(http.StatusOK)
	return nil
}

// fromProxy reports whether the request's connection comes from a
// trusted proxy, the only one whose word on the original URL counts.
func (h *Handler) fromProxy(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range h.Proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// forwardedSet are the headers of Forwarded.
var forwardedSet = []string{"X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Uri"}

// original is the URL of the request the proxy asks about, read from the
// configured set of headers alone. A request that also carries the other
// set is refused rather than read either way: one of the two is the
// client's. Each header must come once: two values leave it unknown.
func (h *Handler) original(r *http.Request) (string, error) {
	if h.headers == OriginalURL {
		for _, name := range forwardedSet {
			if len(r.Header.Values(name)) > 0 {
				return "", errBothSets
			}
		}
		u, ok := single(r, "X-Original-URL")
		if !ok {
			return "", errNoURL
		}
		return u, nil
	}
	if len(r.Header.Values("X-Original-URL")) > 0 {
		return "", errBothSets
	}
	proto, ok1 := single(r, "X-Forwarded-Proto")
	host, ok2 := single(r, "X-Forwarded-Host")
	uri, ok3 := single(r, "X-Forwarded-Uri")
	if !ok1 || !ok2 || !ok3 || !strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "//") {
		return "", errNoForwarded
	}
	if proto != "http" && proto != "https" {
		return "", errNoForwarded
	}
	return proto + "://" + host + uri, nil
}

func single(r *http.Request, name string) (string, bool) {
	vs := r.Header.Values(name)
	if len(vs) != 1 || vs[0] == "" {
		return "", false
	}
	return vs[0], true
}

// caller authenticates the request once: the session cookie, which a
// browser sends to the app and the proxy passes on, or else a bearer
// token, which a program sends.
func (h *Handler) caller(r *http.Request) (signin.Caller, error) {
	if token := edge.SessionToken(r); token != "" {
		return h.Authenticate(r.Context(), token)
	}
	if r.Header.Get("Authorization") != "" {
		return h.BearerCaller(r)
	}
	return signin.Caller{}, errUnauthorized
}

// toPage sends a browser to otpd's page at path, to come back to target
// once it is done; a program gets err.
func (h *Handler) toPage(w http.ResponseWriter, r *http.Request, path, target string, nginx bool, err error) error {
	if !browser(r) {
		if otpd.ErrorCode(err) == otpd.EUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="otpd"`)
		}
		return err
	}
	loc := h.signIn + path + "?" + url.Values{"return": {target}}.Encode()
	w.Header().Set("Location", loc)
	if nginx {
		// nginx's auth_request passes on 401 and 403 alone; its
		// error_page redirects to this Location.
		return err
	}
	w.WriteHeader(http.StatusFound)
	return nil
}

// browser reports whether the request asks for a page.
func browser(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept") {
		if strings.Contains(v, "text/html") {
			return true
		}
	}
	return false
}
