// Package web serves otpd over HTTP: the JSON API, the server-rendered
// pages, the dev mailbox, and the middleware every answer passes through.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
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

// Server holds what the handlers depend on. Build it with New.
type Server struct {
	engine  *signin.Engine
	mailbox Mailbox
	clock   otpd.Clock
	log     *slog.Logger
	pages   *template.Template
	proxies []netip.Prefix
	// passwordMin is the policy's shortest password, for the hint on
	// the forms that set one.
	passwordMin int
	credit      Credit
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
}

// Credit is a link naming the source of some data shown.
type Credit struct {
	Text, URL string
}

// New returns a Server. It parses the page templates once.
func New(o Options) *Server {
	return &Server{
		engine:  o.Engine,
		mailbox: o.Mailbox,
		clock:   o.Clock,
		log:     o.Log,
		pages:   parsePages(),
		proxies: o.TrustedProxies,

		passwordMin: o.PasswordMinLength,
		credit:      o.PlacesCredit,
	}
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
	return s.recoverPanics(securityHeaders(crossOrigin(mux)))
}
