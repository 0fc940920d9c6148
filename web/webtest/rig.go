// Package webtest is the rig the web's handler tests run on: the whole
// web.Server over httptest, a real SQLite store in a temporary directory,
// the real engine, limiter, codes, passwords and outbox worker, the dev
// mailbox, and a clock the test moves. Nothing is mocked: a mocked store
// lets tests pass while the SQL is wrong. Only tests import it.
//
// The rig stands behind a proxy on loopback, whose X-Forwarded-For names
// the client (Client, Browser and Session take an IP), and places
// addresses with a small GeoIP database: 203.0.113.0/24 in London,
// 198.51.100.0/24 in Lagos; loopback and the rest are nowhere.
package webtest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/admin"
	"github.com/otpd/otpd/catalog"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/limit"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/msgcheck"
	"github.com/otpd/otpd/oidcop"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/password"
	"github.com/otpd/otpd/risk"
	"github.com/otpd/otpd/risk/geotest"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
	"github.com/otpd/otpd/web"
	"github.com/otpd/otpd/web/edge"
)

// Rig is a running web server and what it runs on.
type Rig struct {
	// URL is the server's root, without a trailing slash.
	URL   string
	Clock *fakeclock.Clock
	// Logs are everything the server logged, as text.
	Logs   *Logs
	store  *countingStore
	worker *mail.Worker
	box    *mail.DevMailbox
	// Provider is the OpenID Connect provider; nil unless the rig was
	// started by NewOIDC.
	Provider *oidcop.Provider
}

// Policy is the engine's policy on the rig: the defaults of otpd's
// configuration (config.Default), with room for the codes a test asks for.
var Policy = signin.Policy{
	Digits: 9, CodeLifetime: 10 * time.Minute, MaxAttempts: 5,
	Send:          otpd.SendLimits{PerHour: 50, PerDay: 50, ResendCooldown: 30 * time.Second},
	Guess:         otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour, Free: 3, Backoff: time.Minute},
	GuessFamiliar: otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
	Clients: signin.ClientLimits{
		PerIP:               otpd.Rate{Count: 30, Per: time.Hour},
		PerNetwork:          otpd.Rate{Count: 120, Per: time.Hour},
		Messages:            otpd.Rate{Count: 300, Per: time.Minute},
		PasswordsPerIP:      otpd.Rate{Count: 30, Per: time.Hour},
		PasswordsPerNetwork: otpd.Rate{Count: 120, Per: time.Hour},
	},
	FailedGuesses: otpd.Rate{Count: 5000, Per: time.Hour},
	BreakerPause:  time.Minute,
	Flood:         signin.FloodPolicy{Networks: 3, Window: 15 * time.Minute, For: 24 * time.Hour},
	SessionIdle:   72 * time.Hour, SessionAbsolute: 720 * time.Hour, StepUpFor: 10 * time.Minute,
	MaxTravelKMH: 1000, GuardFor: 24 * time.Hour,
	SignUp: true, MessageIDDomain: "otpd.test", Languages: catalog.MustLoad().Tags(),
}

// The rig's proxies, and the places its GeoIP database knows.
var (
	loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	places   = map[string]otpd.Place{"203.0.113.0/24": geotest.London, "198.51.100.0/24": geotest.Lagos}
)

// cheapHash keeps argon2 from dominating the tests.
var cheapHash = password.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// New starts a rig; edit, when given, changes the policy first.
func New(t *testing.T, edit ...func(*signin.Policy)) *Rig {
	t.Helper()
	return NewWeb(t, nil, edit...)
}

// NewWeb is New with the web server's options changed by opts, when it is
// not nil, before the server starts.
func NewWeb(t *testing.T, opts func(*web.Options), edit ...func(*signin.Policy)) *Rig {
	t.Helper()
	return start(t, false, opts, edit...)
}

// NewOIDC is New with the OpenID Connect provider on, its issuer the
// rig's URL, as cmd/otpd builds it, with one app from the configuration:
// App, public. Its clock starts at the wall clock's now, since the
// library stamps and checks tokens with it.
func NewOIDC(t *testing.T, edit ...func(*signin.Policy)) *Rig {
	t.Helper()
	return start(t, true, nil, edit...)
}

// App is the public app of NewOIDC's rig. Its redirect URIs are never
// contacted: the rig's browser does not follow redirects.
var App = otpd.App{ID: "notes", Name: "Notes", Public: true,
	RedirectURIs:   []string{"http://127.0.0.1:9/notes/callback"},
	PostLogoutURIs: []string{"http://127.0.0.1:9/notes/bye"},
	Scopes:         []string{otpd.ScopeOpenID, otpd.ScopeEmail, otpd.ScopeOfflineAccess}, FromConfig: true}

// AppOrigin is the origin of App's redirect URIs.
const AppOrigin = "http://127.0.0.1:9"

func start(t *testing.T, withOIDC bool, opts func(*web.Options), edit ...func(*signin.Policy)) *Rig {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	book, err := passcode.New(bytes.Repeat([]byte{1}, 32), Policy.Digits)
	if err != nil {
		t.Fatal(err)
	}
	logs := &Logs{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	r := &Rig{Clock: fakeclock.New(time.Date(2026, 11, 23, 14, 2, 0, 0, time.UTC)), Logs: logs,
		store: &countingStore{Store: db}}
	r.box = &mail.DevMailbox{Store: db, Seal: book.Seal, Open: book.Open}
	composer := &mail.Composer{From: "otpd <no-reply@otpd.test>", Product: "otpd"}
	r.worker = &mail.Worker{Store: db, Mailer: r.box, Open: book.Open, Clock: r.Clock, Log: log, Composer: composer}
	geo, err := risk.OpenGeoIP(geotest.Write(t, t.TempDir(), places))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { geo.Close() })
	policy := Policy
	for _, e := range edit {
		e(&policy)
	}
	pw := password.NewChecker(password.Hasher{Params: cheapHash}, password.DefaultPolicy, 4, 64)
	var apps []otpd.App
	if withOIDC {
		apps = []otpd.App{App}
		r.Clock = fakeclock.New(time.Now().Truncate(time.Millisecond))
		r.worker.Clock = r.Clock
	}
	secrets, err := passcode.NewSealer(bytes.Repeat([]byte{1}, 32), "otpd/v1/method-secrets")
	if err != nil {
		t.Fatal(err)
	}
	engine := signin.New(signin.Deps{Store: r.store, Codes: book, Clock: r.Clock, Limiter: limit.NewMemory(),
		Locator: geo, Passwords: pw, Log: log, Apps: apps, Secrets: secrets}, policy)
	// The rig's mail is not signed: a raw message checked here is never
	// genuine, and a reference is looked up as on a real server.
	checker := &msgcheck.Checker{Ref: book.MessageRef, MAC: book.MAC, Records: db}
	o := web.Options{Engine: engine, Mailbox: r.box, Clock: r.Clock, Log: log,
		TrustedProxies: loopback, PasswordMinLength: password.DefaultPolicy.MinLength,
		PlacesCredit: web.Credit(geo.Credit()), Admin: admin.New(admin.Options{Store: r.store, Clock: r.Clock, Log: log}),
		Checker: checker}
	if opts != nil {
		opts(&o)
	}
	// The issuer is the server's URL, known once it listens; the handler
	// is set just after.
	var handler http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { handler.ServeHTTP(w, req) }))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	var ws *web.Server
	if withOIDC {
		// As cmd/otpd: the provider shows a request it cannot send back
		// on the web's error page.
		p, err := oidcop.New(t.Context(), oidcop.Options{
			Issuer: srv.URL, Store: r.store, Apps: apps, Secret: bytes.Repeat([]byte{2}, 32), Clock: r.Clock,
			SigningAlg: otpd.AlgES256, KeyRotation: 30 * 24 * time.Hour, KeyPrepublish: 24 * time.Hour,
			Lifetimes: oidcop.Lifetimes{IDToken: 5 * time.Minute, AccessToken: 10 * time.Minute,
				RefreshToken: 30 * 24 * time.Hour, RefreshIdle: 14 * 24 * time.Hour},
			ClientIP:       (&edge.Edge{Proxies: loopback}).ClientIP,
			AuthorizeError: func(w http.ResponseWriter, req *http.Request, err error) { ws.AuthorizeError(w, req, err) },
		})
		if err != nil {
			t.Fatal(err)
		}
		r.Provider, o.OIDC = p, p
	}
	ws = web.New(o)
	handler = ws.Handler()
	// Links in mail lead back to the rig.
	composer.PublicURL = srv.URL
	return r
}

// Lookups is how many session look-ups by token f makes.
func (r *Rig) Lookups(f func()) int64 {
	before := r.store.lookups.Load()
	f()
	return r.store.lookups.Load() - before
}

// countingStore is the real SQLite store, counting the session look-ups
// by token that authenticating a request makes.
// AdminToken makes an admin token of scope, as otpd admin-tokens create
// does, and returns it.
func (r *Rig) AdminToken(t *testing.T, scope otpd.AdminScope) string {
	t.Helper()
	svc := admin.New(admin.Options{Store: r.store, Clock: r.Clock, Console: true})
	op, err := svc.Console()
	if err != nil {
		t.Fatal(err)
	}
	token, _, err := svc.CreateToken(t.Context(), op, "webtest", scope)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

type countingStore struct {
	otpd.Store
	lookups atomic.Int64
}

func (s *countingStore) SessionByTokenHash(ctx context.Context, hash []byte) (otpd.Session, error) {
	s.lookups.Add(1)
	return s.Store.SessionByTokenHash(ctx, hash)
}

// Logs is a log the server writes while a test reads it.
type Logs struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
