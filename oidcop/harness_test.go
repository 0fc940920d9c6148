package oidcop_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/fakeclock"
	"github.com/otpd/otpd/mail"
	"github.com/otpd/otpd/oidcop"
	"github.com/otpd/otpd/passcode"
	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/sqlite"
)

// The apps of the tests: notes is public (a single-page app), wiki
// confidential. Their redirect URIs are never contacted: the browser
// stops there.
const (
	notesRedirect = "http://127.0.0.1:9/notes/callback"
	wikiRedirect  = "https://wiki.example/callback"
	wikiSecret    = "wiki-secret-of-enough-length-to-pass-for-random"
)

var secret = bytes.Repeat([]byte{7}, 32)

// rig is the provider on an httptest server over a real SQLite file, with
// the real engine behind a stand-in for the continue page, and a clock
// the test moves (starting at the wall clock's now, since the library
// stamps tokens with it).
type rig struct {
	t        testing.TB
	store    *sqlite.Store
	clock    *fakeclock.Clock
	engine   *signin.Engine
	worker   *mail.Worker
	mailbox  *mail.DevMailbox
	provider *oidcop.Provider
	srv      *httptest.Server
	issuer   string
	// token is the session the continue page signs in with; "" is
	// nobody.
	token string
	ctx   context.Context
}

var notes = otpd.App{ID: "notes", Name: "Notes", Public: true, RedirectURIs: []string{notesRedirect},
	PostLogoutURIs: []string{"http://127.0.0.1:9/notes/bye"},
	Scopes:         []string{otpd.ScopeOpenID, otpd.ScopeEmail, otpd.ScopeOfflineAccess}, FromConfig: true}

func newRig(t testing.TB, edit ...func(*oidcop.Options)) *rig {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlite.Open(t.Context(), filepath.Join(dir, "otpd.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	book, err := passcode.New(secret, 9)
	if err != nil {
		t.Fatal(err)
	}
	clock := fakeclock.New(time.Now())
	box := &mail.DevMailbox{Store: store, Seal: book.Seal, Open: book.Open}
	r := &rig{t: t, store: store, clock: clock, mailbox: box, ctx: t.Context()}
	r.worker = &mail.Worker{Store: store, Mailer: box, Open: book.Open, Clock: clock,
		Composer: &mail.Composer{From: "otpd <no-reply@otpd.test>", PublicURL: "https://otpd.test", Product: "otpd"}}
	r.engine = signin.New(signin.Deps{Store: store, Codes: book, Clock: clock, Apps: []otpd.App{notes}}, signin.Policy{
		Digits: 9, CodeLifetime: 10 * time.Minute, MaxAttempts: 5,
		Send:  otpd.SendLimits{PerHour: 50, PerDay: 100},
		Guess: otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour}, GuessFamiliar: otpd.GuessLimits{MaxWrong: 10, Window: 12 * time.Hour},
		SessionIdle: 90 * 24 * time.Hour, SessionAbsolute: 90 * 24 * time.Hour, StepUpFor: 10 * time.Minute,
		SignUp: true, MessageIDDomain: "otpd.test",
	})
	wiki := otpd.App{ID: "wiki", Name: "Wiki", SecretHash: otpd.HashSecret(wikiSecret), RedirectURIs: []string{wikiRedirect},
		Scopes: []string{otpd.ScopeOpenID, otpd.ScopeEmail}, CreatedAt: clock.Now()}
	if err := store.SaveApp(t.Context(), wiki); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	r.issuer = r.srv.URL
	opts := oidcop.Options{
		Issuer: r.issuer, Store: store, Apps: []otpd.App{notes}, Secret: secret, Clock: clock,
		SigningAlg: otpd.AlgES256, KeyRotation: 30 * 24 * time.Hour, KeyPrepublish: 24 * time.Hour,
		Lifetimes: oidcop.Lifetimes{IDToken: 5 * time.Minute, AccessToken: 10 * time.Minute,
			RefreshToken: 30 * 24 * time.Hour, RefreshIdle: 14 * 24 * time.Hour},
	}
	for _, e := range edit {
		e(&opts)
	}
	if r.provider, err = oidcop.New(t.Context(), opts); err != nil {
		t.Fatal(err)
	}
	h := r.provider.Handler()
	mux.Handle("/.well-known/openid-configuration", h)
	mux.Handle("/oauth2/", h)
	mux.HandleFunc("GET /oauth2/continue/{id}", r.continuePage)
	return r
}

// continuePage stands in for the web's: it completes the request for
// the rig's session, consenting, or refuses as the step says.
func (r *rig) continuePage(w http.ResponseWriter, req *http.Request) {
	c, _ := r.engine.Authenticate(req.Context(), r.token)
	areq, step, err := r.engine.Authorization(req.Context(), c, req.PathValue("id"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if step.Next == otpd.AuthRefuse {
		r.provider.Refuse(w, req, areq, step.Refusal)
		return
	}
	if _, err := r.engine.Authorize(req.Context(), c, areq.ID, true, signin.Requester{IP: "203.0.113.7"}); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	http.Redirect(w, req, r.provider.CallbackURL(req.Context(), areq.ID), http.StatusSeeOther)
}

var codePattern = regexp.MustCompile(`(?m)^\s*(\d{3} \d{3} \d{3})\s*$`)

// signIn signs email in through the engine, as the sign-in pages would,
// and makes it the session the continue page uses.
func (r *rig) signIn(email string) signin.SignedIn {
	r.t.Helper()
	f, err := r.engine.SignIn(r.ctx, email, signin.Requester{IP: "203.0.113.7"})
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.worker.RunOnce(r.ctx); err != nil {
		r.t.Fatal(err)
	}
	msgs, err := r.mailbox.Messages(r.ctx, email, 0)
	if err != nil || len(msgs) == 0 {
		r.t.Fatalf("no message to %s: %v", email, err)
	}
	m := codePattern.FindStringSubmatch(msgs[0].Text)
	if m == nil {
		r.t.Fatalf("no code in %q", msgs[0].Text)
	}
	in, err := r.engine.Verify(r.ctx, f.ID, strings.ReplaceAll(m[1], " ", ""), signin.Requester{IP: "203.0.113.7"})
	if err != nil {
		r.t.Fatal(err)
	}
	r.token = in.Token
	return in
}

// browser follows redirects until the app's redirect URI, which it
// returns instead of fetching.
func (r *rig) browser() *http.Client {
	return &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if !strings.HasPrefix(req.URL.String(), r.issuer) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// authorize opens an authorization URL and returns where the browser was
// sent back to the app, or fails when it was not.
func (r *rig) authorize(authURL string) *url.URL {
	r.t.Helper()
	resp, err := r.browser().Get(authURL)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		r.t.Fatalf("GET %s: %d without a redirect to the app", authURL, resp.StatusCode)
	}
	return loc
}

// rp is a relying party: x/oauth2 and go-oidc, as an app would use them.
type rp struct {
	oauth2.Config
	provider *gooidc.Provider
}

func (r *rig) rp(clientID, clientSecret, redirect string, scopes ...string) rp {
	r.t.Helper()
	p, err := gooidc.NewProvider(r.ctx, r.issuer)
	if err != nil {
		r.t.Fatal(err)
	}
	if len(scopes) == 0 {
		scopes = []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}
	}
	return rp{Config: oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Endpoint: p.Endpoint(),
		RedirectURL: redirect, Scopes: scopes}, provider: p}
}

// login runs the code flow with PKCE S256 and returns the tokens.
func (r *rig) login(app rp, nonce string, opts ...oauth2.AuthCodeOption) *oauth2.Token {
	r.t.Helper()
	code, verifier := r.code(app, nonce, opts...)
	tok, err := app.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		r.t.Fatalf("exchange: %v", err)
	}
	return tok
}

// code runs the flow up to the code the app receives, and returns it
// with its PKCE verifier.
func (r *rig) code(app rp, nonce string, opts ...oauth2.AuthCodeOption) (string, string) {
	r.t.Helper()
	verifier := oauth2.GenerateVerifier()
	opts = append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce)}, opts...)
	loc := r.authorize(app.AuthCodeURL("state-1", opts...))
	q := loc.Query()
	if q.Get("error") != "" || q.Get("state") != "state-1" || q.Get("code") == "" {
		r.t.Fatalf("back at the app with %s", loc)
	}
	return q.Get("code"), verifier
}

// idToken verifies the ID token of tok for app.
func (r *rig) idToken(app rp, tok *oauth2.Token) *gooidc.IDToken {
	r.t.Helper()
	raw, _ := tok.Extra("id_token").(string)
	idt, err := app.provider.Verifier(&gooidc.Config{ClientID: app.ClientID}).Verify(r.ctx, raw)
	if err != nil {
		r.t.Fatalf("verify ID token: %v", err)
	}
	return idt
}

// userinfo calls the userinfo endpoint with an access token and returns
// the status.
func (r *rig) userinfo(access string) int {
	r.t.Helper()
	req, _ := http.NewRequest("GET", r.issuer+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (r *rig) events(accountID string, typ otpd.EventType) []otpd.Event {
	r.t.Helper()
	all, err := r.store.Events(r.ctx, accountID, 100)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []otpd.Event
	for _, ev := range all {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

// TestMain quiets the library, which logs every refusal to slog's
// default logger.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}
