package oidcop_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/otpd/otpd"
)

// claims are the ID token's claims the tests read.
type claims struct {
	Email         string   `json:"email"`
	EmailVerified bool     `json:"email_verified"`
	AMR           []string `json:"amr"`
	ACR           string   `json:"acr"`
	AuthTime      int64    `json:"auth_time"`
	Nonce         string   `json:"nonce"`
}

// An app signs a person in with the code flow and PKCE S256: the ID
// token names the account, its verified address, how and when it signed
// in; userinfo agrees; the refresh token rotates.
func TestCodeFlowWithPKCE(t *testing.T) {
	r := newRig(t)
	in := r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	tok := r.login(app, "nonce-1")
	idt := r.idToken(app, tok)
	var c claims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if idt.Issuer != r.issuer || !slices.Equal(idt.Audience, []string{"notes"}) || idt.Subject != in.Account.ID ||
		c.Nonce != "nonce-1" || c.Email != "ada@example.com" || !c.EmailVerified || !slices.Equal(c.AMR, []string{"otp"}) ||
		c.ACR != otpd.ACRSession || c.AuthTime != in.Session.CreatedAt.Unix() {
		t.Errorf("ID token %+v, claims %+v", idt, c)
	}
	info, err := app.provider.UserInfo(r.ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != in.Account.ID || info.Email != "ada@example.com" || !info.EmailVerified {
		t.Errorf("userinfo %+v, %v", info, err)
	}
	if s := r.userinfo(tok.AccessToken); s != http.StatusOK {
		t.Errorf("userinfo with a bearer header: %d", s)
	}
	if evs := r.events(in.Account.ID, otpd.EventAppAuthorized); len(evs) != 1 || evs[0].Concerns != "Notes" {
		t.Errorf("app_authorized events %+v", evs)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token with offline_access")
	}
	next, err := app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil || next.RefreshToken == "" || next.RefreshToken == tok.RefreshToken {
		t.Fatalf("refresh: %+v, %v", next, err)
	}
	if sub := r.idToken(app, next).Subject; sub != in.Account.ID {
		t.Errorf("refreshed ID token for %q", sub)
	}
}

// Discovery offers what otpd does and nothing else.
func TestDiscovery(t *testing.T) {
	r := newRig(t)
	resp, err := http.Get(r.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var d struct {
		Issuer        string   `json:"issuer"`
		Methods       []string `json:"code_challenge_methods_supported"`
		ACRs          []string `json:"acr_values_supported"`
		ResponseTypes []string `json:"response_types_supported"`
		GrantTypes    []string `json:"grant_types_supported"`
		Device        string   `json:"device_authorization_endpoint"`
		Authorize     string   `json:"authorization_endpoint"`
		EndSession    string   `json:"end_session_endpoint"`
		Algs          []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if d.Issuer != r.issuer || !slices.Equal(d.Methods, []string{"S256"}) ||
		!slices.Equal(d.ACRs, []string{otpd.ACRSession, otpd.ACRFreshCode}) || !slices.Equal(d.ResponseTypes, []string{"code"}) ||
		!slices.Equal(d.GrantTypes, []string{"authorization_code", "refresh_token"}) || d.Device != "" ||
		d.Authorize != r.issuer+"/oauth2/authorize" || d.EndSession != r.issuer+"/oauth2/end-session" ||
		!slices.Equal(d.Algs, []string{"ES256"}) {
		t.Errorf("discovery %+v", d)
	}
}

// prompt=none answers at once at the redirect URI: nobody signed in is
// login_required; a person who never consented is consent_required.
func TestPromptNone(t *testing.T) {
	r := newRig(t)
	app := r.rp("notes", "", notesRedirect)
	none := oauth2.SetAuthURLParam("prompt", "none")
	loc := r.authorize(app.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), none))
	if loc.Query().Get("error") != "login_required" || loc.Query().Get("state") != "s" {
		t.Errorf("not signed in: %s", loc)
	}
	r.signIn("ada@example.com")
	loc = r.authorize(app.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), none))
	if loc.Query().Get("error") != "consent_required" {
		t.Errorf("no consent: %s", loc)
	}
	r.login(app, "n")
	code, _ := r.code(app, "n", none)
	if code == "" {
		t.Error("prompt=none with a grant gave no code")
	}
}

// The ID token's acr says a fresh code when the app asked for one and
// the session's code came during the request.
func TestACRFreshCode(t *testing.T) {
	r := newRig(t)
	app := r.rp("notes", "", notesRedirect)
	r.signIn("ada@example.com")
	var c claims
	if err := r.idToken(app, r.login(app, "n", oauth2.SetAuthURLParam("acr_values", otpd.ACRFreshCode))).Claims(&c); err != nil {
		t.Fatal(err)
	}
	if c.ACR != otpd.ACRFreshCode {
		t.Errorf("acr %q", c.ACR)
	}
}

// A confidential app needs no PKCE, but its secret.
func TestConfidentialApp(t *testing.T) {
	r := newRig(t)
	r.signIn("ada@example.com")
	wiki := r.rp("wiki", wikiSecret, wikiRedirect, gooidc.ScopeOpenID, "email")
	loc := r.authorize(wiki.AuthCodeURL("s", gooidc.Nonce("n")))
	tok, err := wiki.Exchange(r.ctx, loc.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken != "" {
		t.Error("a refresh token for an app without offline_access")
	}
	r.idToken(wiki, tok)
}
