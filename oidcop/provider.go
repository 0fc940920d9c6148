// Package oidcop makes otpd an OpenID Connect provider: the
// zitadel/oidc library's op.Provider over otpd's store, with the checks
// the library leaves to its user (exact redirect URIs, PKCE S256 only,
// codes redeemed once, refresh tokens rotated with reuse detection). The
// pages that sign a person in and ask for consent are the web's; they
// call the engine, then CallbackURL or Refuse.
package oidcop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
)

// Lifetimes are how long what the provider issues lasts.
type Lifetimes struct {
	IDToken     time.Duration
	AccessToken time.Duration
	// RefreshToken ends a chain of refresh tokens however busy;
	// RefreshIdle ends one left unused.
	RefreshToken time.Duration
	RefreshIdle  time.Duration
}

// Options configure a Provider. Issuer, Store, Secret and Clock are
// required.
type Options struct {
	// Issuer is otpd's public URL, without a path: apps compare it with
	// the iss of every ID token. Plain http is allowed on loopback only.
	Issuer string
	Store  otpd.OIDCStore
	// Apps are those of the configuration file; the store keeps the
	// others.
	Apps []otpd.App
	// Secret is the server secret: signing keys are sealed, and access
	// tokens encrypted, under keys derived from it, so every node shares
	// them.
	Secret []byte
	Clock  otpd.Clock
	// SigningAlg is otpd.AlgES256 or otpd.AlgRS256.
	SigningAlg string
	// KeyRotation is how long a key signs before the next takes over;
	// KeyPrepublish how long the next is published before it signs.
	KeyRotation   time.Duration
	KeyPrepublish time.Duration
	Lifetimes     Lifetimes
	// ClientIP gives the address recorded in events about a token
	// request (a replayed code or refresh token); nil takes the
	// connection's.
	ClientIP func(*http.Request) string
	// AuthorizeError answers an authorization request that cannot go
	// back to its app (it does not parse, its app is unknown, its
	// redirect URI is not registered): err is an *otpd.Error naming the
	// field. Nil answers in plain text; the web shows its error page.
	AuthorizeError func(w http.ResponseWriter, r *http.Request, err error)
}

// Provider is otpd's OpenID Connect provider.
type Provider struct {
	op      *op.Provider
	storage *storage
	issuer  string
	opts    Options
}

// maxBody bounds a form posted to any endpoint: the largest honest one
// (a token request with a PKCE verifier) is well under a kilobyte.
const maxBody = 64 << 10

// New makes the provider, and the first signing key when the store has
// none that signs.
func New(ctx context.Context, o Options) (*Provider, error) {
	u, err := url.Parse(o.Issuer)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("oidcop: issuer %q must be an absolute URL without a path", o.Issuer)
	}
	insecure := u.Scheme == "http" && loopback(u.Hostname())
	if u.Scheme != "https" && !insecure {
		return nil, fmt.Errorf("oidcop: issuer %q must be https (http only on loopback)", o.Issuer)
	}
	issuer := u.Scheme + "://" + u.Host
	sealer, err := passcode.NewSealer(o.Secret, keyLabel)
	if err != nil {
		return nil, fmt.Errorf("oidcop: %w", err)
	}
	cryptoKey, err := passcode.Derive32(o.Secret, "otpd/v1/oidc-token-crypto")
	if err != nil {
		return nil, fmt.Errorf("oidcop: %w", err)
	}
	kr := &keyring{store: o.Store, sealer: sealer, clock: o.Clock, alg: o.SigningAlg,
		every: o.KeyRotation, prepublish: o.KeyPrepublish, keep: keepKey(o.Lifetimes)}
	if err := kr.ensure(ctx); err != nil {
		return nil, err
	}
	st := &storage{store: o.Store, apps: o.Apps, clock: o.Clock, keys: kr, life: o.Lifetimes,
		loginURL: func(id string) string { return issuer + "/oauth2/continue/" + url.PathEscape(id) }}
	cfg := &op.Config{
		CryptoKey: cryptoKey, CodeMethodS256: true, AuthMethodPost: true, GrantTypeRefreshToken: true,
		SupportedScopes: []string{otpd.ScopeOpenID, otpd.ScopeEmail, otpd.ScopeOfflineAccess},
	}
	opts := []op.Option{
		// One AES-GCM crypto for access tokens and codes, without the
		// legacy AES-CFB decrypter NewProvider adds by default.
		op.WithCrypto(op.NewAES256GCMCrypto(cryptoKey, "otpd-1")),
		op.WithCustomEndpoints(op.NewEndpoint("oauth2/authorize"), op.NewEndpoint("oauth2/token"),
			op.NewEndpoint("oauth2/userinfo"), op.NewEndpoint("oauth2/revoke"),
			op.NewEndpoint("oauth2/end-session"), op.NewEndpoint("oauth2/keys")),
		op.WithCustomIntrospectionEndpoint(op.NewEndpoint("oauth2/introspect")),
		// The library's own router answers actual requests with the same
		// headers as the preflights that Handler answers.
		op.WithCORSOptions(corsOptions()),
	}
	if insecure {
		opts = append(opts, op.WithAllowInsecure())
	}
	p, err := op.NewProvider(cfg, st, op.StaticIssuer(issuer), opts...)
	if err != nil {
		return nil, fmt.Errorf("oidcop: provider: %w", err)
	}
	return &Provider{op: p, storage: st, issuer: issuer, opts: o}, nil
}

// keepKey is how long a replaced key stays published after its
// successor signs: until every ID token it signed has expired, and an
// hour more for apps whose clocks run behind or that verify late.
func keepKey(l Lifetimes) time.Duration { return l.IDToken + time.Hour }

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Handler serves discovery and the endpoints apps call, and nothing else
// of the library's router (its health, readiness, device authorization
// and end session routes answer 404 here): mount it at
// /.well-known/openid-configuration and /oauth2/. The continue pages
// (/oauth2/continue/) and end session (/oauth2/end-session) are the
// web's.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	c := cors.New(*corsOptions())
	mux.Handle("GET /.well-known/openid-configuration", c.Handler(http.HandlerFunc(p.discovery)))
	for _, path := range CORSPaths {
		mux.Handle("OPTIONS "+path, c.Handler(http.HandlerFunc(options)))
	}
	mux.HandleFunc("GET /oauth2/authorize", p.authorize)
	mux.HandleFunc("POST /oauth2/authorize", p.authorize)
	for _, route := range []string{"GET /oauth2/authorize/callback", "POST /oauth2/token", "GET /oauth2/userinfo",
		"POST /oauth2/userinfo", "POST /oauth2/revoke", "POST /oauth2/introspect", "GET /oauth2/keys"} {
		mux.Handle(route, p.op)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		}
		mux.ServeHTTP(w, r.WithContext(p.withRequester(r)))
	})
}

// CORSPaths are the endpoints a single-page app on another origin calls
// from its own scripts: discovery, keys, token, userinfo and revoke. They
// take bearer tokens, codes with their PKCE verifiers, and client
// credentials, never cookies, so they answer any origin, without
// credentials (no Access-Control-Allow-Credentials: a browser sends no
// cookie). Authorize is a navigation, not a script's request, and
// introspect is for backends holding a secret; the pages and the JSON API
// answer no cross-origin script at all.
var CORSPaths = []string{"/.well-known/openid-configuration", "/oauth2/keys", "/oauth2/token", "/oauth2/userinfo", "/oauth2/revoke"}

// corsOptions allow any origin, without credentials, to send GET and
// POST with Authorization and Content-Type.
func corsOptions() *cors.Options {
	return &cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Authorization", "Content-Type"}, MaxAge: 600}
}

// options answers an OPTIONS request that is not a preflight.
func options(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Allow", "GET, POST, OPTIONS")
	w.WriteHeader(http.StatusNoContent)
}

// authorize refuses, before the library sees it, a request that cannot
// be answered at its redirect URI: the library would match a native
// app's loopback URI on any port, and answer an unknown app in plain
// text.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if err := p.precheck(r); err != nil {
		if p.opts.AuthorizeError != nil {
			p.opts.AuthorizeError(w, r, err)
			return
		}
		status := http.StatusBadRequest
		if otpd.ErrorCode(err) == otpd.EInternal {
			status = http.StatusInternalServerError
		}
		http.Error(w, err.Error(), status)
		return
	}
	p.op.ServeHTTP(w, r)
}

func (p *Provider) precheck(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return otpd.FieldError("", "the request does not parse")
	}
	// A parameter given twice is refused (RFC 6749 3.1): we and the
	// library must read the same one.
	for k, v := range r.Form {
		if len(v) > 1 {
			return otpd.FieldError(k, "%s is given more than once", k)
		}
	}
	a, err := p.storage.app(r.Context(), r.Form.Get("client_id"))
	var oe *oidc.Error
	if errors.As(err, &oe) && oe.ErrorType == oidc.InvalidClient {
		return otpd.FieldError("client_id", "no app has this client_id")
	}
	if err != nil {
		return fmt.Errorf("oidcop: authorize: %w", err)
	}
	if !a.RedirectAllowed(r.Form.Get("redirect_uri")) {
		return otpd.FieldError("redirect_uri", "redirect_uri is not registered for %s", a.Name)
	}
	return nil
}

// discovery is the library's document, corrected to what otpd offers:
// the code flow only, PKCE S256 only, our ACRs, no device flow.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	ctx := op.ContextWithIssuer(r.Context(), p.issuer)
	cfg := op.CreateDiscoveryConfig(ctx, p.op, p.op.Storage())
	cfg.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	cfg.ResponseModesSupported = []string{string(oidc.ResponseModeQuery)}
	cfg.GrantTypesSupported = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	cfg.CodeChallengeMethodsSupported = []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256}
	cfg.ACRValuesSupported = []string{otpd.ACRSession, otpd.ACRFreshCode}
	cfg.ClaimsSupported = []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
		"at_hash", "email", "email_verified"}
	cfg.DeviceAuthorizationEndpoint = ""
	op.Discover(w, cfg)
}

// CallbackURL is where the pages send the browser once the engine has
// completed request id: the library's callback, which gives the app its
// code.
func (p *Provider) CallbackURL(ctx context.Context, id string) string {
	return op.AuthCallbackURL(p.op)(op.ContextWithIssuer(ctx, p.issuer), id)
}

// Refuse sends the browser back to the app with an error (and the app's
// state): prompt=none that would need a page, or the person's Cancel.
func (p *Provider) Refuse(w http.ResponseWriter, r *http.Request, req otpd.AuthRequest, refusal otpd.AuthRefusal) {
	var e *oidc.Error
	switch refusal {
	case otpd.RefuseLoginRequired:
		e = oidc.ErrLoginRequired()
	case otpd.RefuseInteractionRequired:
		e = oidc.ErrInteractionRequired()
	case otpd.RefuseConsentRequired:
		// The library has no constructor for consent_required.
		e = oidc.ErrInteractionRequired()
		e.ErrorType = "consent_required"
		e.Description = "consent is required"
	default:
		e = oidc.ErrAccessDenied()
	}
	r = r.WithContext(op.ContextWithIssuer(r.Context(), p.issuer))
	op.AuthRequestError(w, r, &authRequest{AuthRequest: req}, e, p.op)
}

// EndSession parses and validates an app's request to sign out: the
// id_token_hint is verified (an expired one still names its person), the
// client_id must be its azp, and the post-logout URI must be one of the
// app's exactly. A refusal is an *otpd.Error naming the field.
func (p *Provider) EndSession(r *http.Request) (otpd.EndSession, error) {
	if r.Body != nil {
		r.Body = http.MaxBytesReader(nil, r.Body, maxBody)
	}
	req, err := op.ParseEndSessionRequest(r, p.op.Decoder())
	if err != nil {
		return otpd.EndSession{}, otpd.FieldError("", "the request does not parse")
	}
	es, err := op.ValidateEndSessionRequest(op.ContextWithIssuer(r.Context(), p.issuer), req, p.op)
	var oe *oidc.Error
	switch {
	case errors.As(err, &oe) && oe.ErrorType == oidc.ServerError:
		return otpd.EndSession{}, fmt.Errorf("oidcop: end session: %w", err)
	case err != nil:
		return otpd.EndSession{}, otpd.FieldError("", "%s", oidc.DefaultToServerError(err, "").Description)
	}
	out := otpd.EndSession{AccountID: es.UserID, ClientID: es.ClientID}
	if es.IDTokenHintClaims != nil {
		out.SignedInAt = es.IDTokenHintClaims.GetAuthTime()
	}
	if req.PostLogoutRedirectURI == "" {
		return out, nil
	}
	if es.ClientID == "" {
		return otpd.EndSession{}, otpd.FieldError("client_id", "post_logout_redirect_uri needs client_id or id_token_hint")
	}
	a, err := p.storage.app(r.Context(), es.ClientID)
	if err != nil || !a.PostLogoutAllowed(req.PostLogoutRedirectURI) {
		return otpd.EndSession{}, otpd.FieldError("post_logout_redirect_uri", "post_logout_redirect_uri is not registered for this app")
	}
	out.RedirectURI = es.RedirectURI
	return out, nil
}

// RotateKeys adds the next signing key when the current one is older
// than KeyRotation; the server runs it on an interval (an hour is
// plenty). It reports whether this node rotated.
func (p *Provider) RotateKeys(ctx context.Context) (bool, error) {
	return p.storage.keys.rotate(ctx)
}
