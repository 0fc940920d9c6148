package main

import (
	"context"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// An app on another port signs a person in with stock OpenID Connect
// libraries (x/oauth2 and go-oidc: the code flow, PKCE S256 and a
// nonce): Chromium goes from the app to otpd's sign-in page, which names
// the app, takes the code from the mailbox, asks for consent, and comes
// back to the app with an ID token the app verifies. The second sign-in
// asks nothing; the account page lists the app; Remove access ends the
// app's refresh token.
func TestBrowserSignsInToAnApp(t *testing.T) {
	app := newTestApp(t)
	port := freePort(t)
	issuer := "http://127.0.0.1:" + port
	cfg := filepath.Join(t.TempDir(), "otpd.toml")
	err := os.WriteFile(cfg, []byte(`public_url = "`+issuer+`"
[[clients]]
id = "notes"
name = "Notes"
type = "public"
redirect_uris = ["`+app.url+`/callback"]
scopes = ["openid", "email", "offline_access"]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, nil, "--config", cfg, "--listen", "127.0.0.1:"+port)
	app.discover(t, issuer)
	ctx := chromium(t)

	err = chromedp.Do(ctx,
		chromedp.Navigate(app.url+"/login"),
		chromedp.WaitVisible("#email"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "to continue to Notes") {
		t.Fatalf("the sign-in page does not name the app:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#email", "ada@example.com"),
		chromedp.Submit("#email"),
		chromedp.WaitVisible("#code"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "to continue to Notes") {
		t.Fatalf("the code page does not name the app:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#code", s.code(t, "ada@example.com", 0)),
		chromedp.Submit("#code"),
		chromedp.WaitVisible(`button[value="allow"]`),
	)
	if err != nil {
		t.Fatalf("no consent page after the code: %v", err)
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "Allow Notes") || !strings.Contains(page, "your email address") {
		t.Fatalf("the consent page does not say who asks for what:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`button[value="allow"]`),
		chromedp.WaitVisible("#signed-in"),
	)
	if err != nil {
		t.Fatalf("Allow did not lead back to the app: %v", err)
	}
	first := app.last(t)
	if first.Email != "ada@example.com" || first.Subject == "" || first.RefreshToken == "" {
		t.Fatalf("the app got %+v", first)
	}

	// The grant stands: the next sign-in goes straight back.
	err = chromedp.Do(ctx,
		chromedp.Navigate(app.url+"/login"),
		chromedp.WaitVisible("#signed-in"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if second := app.last(t); second.Subject != first.Subject || app.logins() != 2 {
		t.Fatalf("second sign-in: %+v after %d logins", second, app.logins())
	}
	if _, err := app.refresh(first.RefreshToken); err != nil {
		t.Fatalf("refresh before Remove access: %v", err)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/account/apps"),
		chromedp.WaitVisible(`a[href="/account/apps/notes/remove"]`),
		chromedp.Click(`a[href="/account/apps/notes/remove"]`),
		chromedp.WaitVisible(`form[action="/account/apps/notes/remove"] button`),
		chromedp.Click(`form[action="/account/apps/notes/remove"] button`),
		chromedp.WaitVisible(".notice"),
	)
	if err != nil {
		t.Fatalf("Remove access: %v", err)
	}
	if page := text(t, ctx, "main"); !strings.Contains(page, "No app has access") {
		t.Fatalf("after Remove access:\n%s", page)
	}
	for _, tok := range app.refreshTokens() {
		if _, err := app.refresh(tok); err == nil {
			t.Fatal("a refresh token outlived Remove access")
		}
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// freePort is a loopback port free a moment ago: otpd's issuer must be
// known before it starts, as a deployed public_url is.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// testApp is a relying party as an app would write one, on loopback.
type testApp struct {
	url      string
	ctx      context.Context
	mu       sync.Mutex
	config   oauth2.Config
	verifier *gooidc.IDTokenVerifier
	// pending holds each login's PKCE verifier and nonce by state.
	pending map[string][2]string
	signins []appSignIn
}

type appSignIn struct {
	Subject, Email, RefreshToken string
}

func newTestApp(t *testing.T) *testApp {
	a := &testApp{ctx: t.Context(), pending: map[string][2]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login", a.login)
	mux.HandleFunc("GET /callback", a.callback)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

func (a *testApp) discover(t *testing.T, issuer string) {
	t.Helper()
	p, err := gooidc.NewProvider(a.ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	a.config = oauth2.Config{ClientID: "notes", Endpoint: p.Endpoint(), RedirectURL: a.url + "/callback",
		Scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}
	a.verifier = p.Verifier(&gooidc.Config{ClientID: "notes"})
}

func (a *testApp) login(w http.ResponseWriter, r *http.Request) {
	state, verifier, nonce := oauth2.GenerateVerifier(), oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	a.mu.Lock()
	a.pending[state] = [2]string{verifier, nonce}
	a.mu.Unlock()
	http.Redirect(w, r, a.config.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), gooidc.Nonce(nonce)), http.StatusFound)
}

func (a *testApp) callback(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	p, ok := a.pending[r.FormValue("state")]
	delete(a.pending, r.FormValue("state"))
	a.mu.Unlock()
	if !ok {
		http.Error(w, "unknown state "+r.FormValue("error"), http.StatusBadRequest)
		return
	}
	tok, err := a.config.Exchange(r.Context(), r.FormValue("code"), oauth2.VerifierOption(p[0]))
	if err != nil {
		http.Error(w, "exchange: "+err.Error(), http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.verifier.Verify(r.Context(), raw)
	if err != nil || idt.Nonce != p[1] {
		http.Error(w, fmt.Sprintf("ID token: %v (nonce %q)", err, idt.Nonce), http.StatusBadGateway)
		return
	}
	var claims struct {
		Email string `json:"email"`
	}
	if err := idt.Claims(&claims); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	a.mu.Lock()
	a.signins = append(a.signins, appSignIn{Subject: idt.Subject, Email: claims.Email, RefreshToken: tok.RefreshToken})
	a.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, `<!doctype html><title>Notes</title><h1 id="signed-in">Signed in as %s</h1>`, html.EscapeString(claims.Email))
}

func (a *testApp) last(t *testing.T) appSignIn {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.signins) == 0 {
		t.Fatal("the app saw no sign-in")
	}
	return a.signins[len(a.signins)-1]
}

func (a *testApp) logins() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.signins)
}

func (a *testApp) refreshTokens() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, s := range a.signins {
		out = append(out, s.RefreshToken)
	}
	return out
}

// refresh asks for new tokens with a refresh token, as an app does when
// its access token has run out.
func (a *testApp) refresh(token string) (*oauth2.Token, error) {
	return a.config.TokenSource(a.ctx, &oauth2.Token{RefreshToken: token}).Token()
}
