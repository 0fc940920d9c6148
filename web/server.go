// Package web serves otpd over HTTP. It holds the Server: the one route
// table (routes.go), which wires the JSON API (web/api) and the pages
// (web/pages) over the request edge they share (web/edge), and the
// middleware every answer passes through; the OpenAPI document is served
// here too. The metrics are not: cmd/otpd serves them on a listener of
// their own, fed through RequestObserver and the engine's observer.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/api"
	"github.com/otpd/otpd/web/edge"
	"github.com/otpd/otpd/web/forward"
	"github.com/otpd/otpd/web/pages"
)

// Mailbox is the dev mailbox as the web needs it: the messages kept for an
// address (all of them when to is empty), newest first and at most limit
// (0: every one kept), and the raw form
// of one, as it would have been sent (an error wrapping otpd.ErrNotFound
// when there is none). It may read them from the database, which can fail.
type Mailbox interface {
	Messages(ctx context.Context, to string, limit int) ([]otpd.Email, error)
	Raw(ctx context.Context, messageID string) ([]byte, error)
}

// Server holds what the routes depend on. Build it with New.
type Server struct {
	edge  *edge.Edge
	api   *api.Handlers
	pages *pages.Pages
	// forward answers /auth/forward; nil when forward auth is off.
	forward *forward.Handler
	// devMailbox mounts the dev mailbox's routes.
	devMailbox bool
	// oidc serves the provider's endpoints; nil when OpenID Connect is off.
	oidc http.Handler
	// checks are what /readyz asks, each within checkTimeout.
	checks       []Check
	checkTimeout time.Duration
	// requestLog is the level of the line logged per request; nil logs
	// none.
	requestLog slog.Leveler
	// requests hears every answer; nil hears none.
	requests RequestObserver
}

// Options configure a Server.
type Options struct {
	Engine *signin.Engine
	// Mailbox, when set, mounts the dev mailbox page and API.
	Mailbox Mailbox
	Clock   otpd.Clock
	Log     *slog.Logger
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// PasswordMinLength is the password policy's minimum, shown as a hint
	// where a password is set; 0 leaves the number out of the hint.
	PasswordMinLength int
	// PlacesCredit is the attribution the GeoIP database's licence asks
	// of pages that show places; the zero Credit shows none.
	PlacesCredit Credit
	// Returns are the origins the pages may send a signed-in browser
	// back to (return_to, and forward auth's hosts).
	Returns edge.Returns
	// CookieDomain is the session cookie's Domain; "" keeps it on this
	// host.
	CookieDomain string
	// Forward, when set, answers /auth/forward; without it that route
	// answers 404.
	Forward *forward.Options
	// Checks are what GET /readyz asks; with none it answers 200 as
	// GET /healthz does.
	Checks []Check
	// CheckTimeout bounds each check; 0 is DefaultCheckTimeout.
	CheckTimeout time.Duration
	// RequestLog, when set, logs one line per request to Log at its
	// level (logRequests, requestlog.go); nil logs none.
	RequestLog slog.Leveler
	// Requests, when set, hears every answer (logRequests,
	// requestlog.go), for metrics.
	Requests RequestObserver
	// Admin, when set, serves the admin API (/api/v1/admin/), to admin
	// tokens only.
	Admin *admin.Service
	// Checker, when set, answers "Check a message" (/check and
	// /api/v1/check/...); without it they answer 404.
	Checker edge.MessageChecker
	// OIDC, when set, is the OpenID Connect provider (oidcop.Provider),
	// mounted at /.well-known/openid-configuration and /oauth2/, whose
	// sign-in requests the pages complete; without it those answer 404.
	OIDC OIDC
	// Catalog holds the words of the pages and of the API's error
	// messages; nil is the embedded catalogue with English as default.
	Catalog *catalog.Catalog
}

// RequestObserver hears of every answered request: the route pattern the
// mux matched ("" when none did), never the path, which may hold a flow
// ID, a token or an address; the status; and how long the answer took.
// It is called on the request's goroutine, so an implementation must be
// safe for concurrent use and quick.
type RequestObserver interface {
	Request(route string, status int, took time.Duration)
}

// OIDC is the OpenID Connect provider as the web mounts it: an interface,
// so that the web does not import the library the provider is built on.
type OIDC interface {
	// Handler serves discovery and the endpoints apps call.
	Handler() http.Handler
	pages.Provider
}

// Credit is a link naming the source of some data shown.
type Credit struct {
	Text, URL string
}

// New returns a Server. It parses the page templates once.
func New(o Options) *Server {
	if o.Catalog == nil {
		o.Catalog = catalog.MustLoad()
	}
	e := &edge.Edge{Engine: o.Engine, Clock: o.Clock, Log: o.Log, Proxies: o.TrustedProxies,
		Returns: o.Returns, CookieDomain: o.CookieDomain, Admin: o.Admin, Checker: o.Checker, Catalog: o.Catalog}
	s := &Server{edge: e, devMailbox: o.Mailbox != nil, checks: o.Checks, checkTimeout: o.CheckTimeout,
		requestLog: o.RequestLog, requests: o.Requests}
	if s.checkTimeout <= 0 {
		s.checkTimeout = DefaultCheckTimeout
	}
	// A nil Mailbox must reach the handlers as a nil interface, which
	// they test, not as a typed nil.
	var apiMailbox api.Mailbox
	var pageMailbox pages.Mailbox
	if o.Mailbox != nil {
		apiMailbox, pageMailbox = o.Mailbox, o.Mailbox
	}
	s.api = api.New(e, apiMailbox)
	if o.Forward != nil {
		s.forward = forward.New(e, *o.Forward)
	}
	popts := pages.Options{Mailbox: pageMailbox, PasswordMin: o.PasswordMinLength, Credit: pages.Credit(o.PlacesCredit),
		Catalog: o.Catalog}
	if o.OIDC != nil {
		s.oidc, popts.Provider = o.OIDC.Handler(), o.OIDC
	}
	s.pages = pages.New(e, popts)
	return s
}

// Handler returns the root handler: every route behind the middleware.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	paths := map[string]bool{}
	for _, rt := range s.routes() {
		mux.Handle(rt.pattern, s.checkedWildcards(rt.pattern, rt.handler))
		if _, path, ok := strings.Cut(rt.pattern, " "); ok && rt.api {
			paths[path] = true
		}
	}
	// The API answers a wrong method in JSON too, not with the mux's text.
	for path := range paths {
		mux.HandleFunc(path, s.methodNotAllowed)
	}
	return s.logRequests(s.recoverPanics(securityHeaders(crossOrigin(mux))))
}
