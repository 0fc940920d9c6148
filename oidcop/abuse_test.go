package oidcop_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// wantOAuthError checks that err is the token endpoint's answer code
// with status.
func wantOAuthError(t *testing.T, err error, status int, code string) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != status || re.ErrorCode != code {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
}

// A public app must use PKCE, and S256: plain or none is refused at its
// redirect URI, with its state, before anyone signs in.
func TestPKCEIsS256AndRequired(t *testing.T) {
	r := newRig(t)
	r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	verifier := oauth2.GenerateVerifier()
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"plain":            {oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")},
		"plain by default": {oauth2.SetAuthURLParam("code_challenge", verifier)},
		"missing":          nil,
		"form_post":        {oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("response_mode", "form_post")},
	} {
		loc := r.authorize(app.AuthCodeURL("s", opts...))
		if q := loc.Query(); q.Get("error") != "invalid_request" || q.Get("state") != "s" || q.Get("code") != "" {
			t.Errorf("%s: back at the app with %s", name, loc)
		}
	}
	// A code issued with S256 needs its verifier.
	code, _ := r.code(app, "n")
	_, err := app.Exchange(r.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
}

// A redirect URI must be registered exactly; otherwise, and for an
// unknown app, nobody is redirected anywhere.
func TestRedirectURIMustMatchExactly(t *testing.T) {
	r := newRig(t)
	r.signIn("ada@example.com")
	for _, c := range []struct{ client, uri string }{
		{"notes", notesRedirect + "/"},
		{"notes", "http://127.0.0.1:10/notes/callback"},
		{"notes", "http://127.0.0.1:9/Notes/callback"},
		{"notes", notesRedirect + "?x=1"},
		{"notes", "https://evil.example/callback"},
		{"notes", ""},
		{"nobody", notesRedirect},
	} {
		app := r.rp(c.client, "", c.uri)
		resp, err := r.browser().Get(app.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
			t.Errorf("%s at %q: %d, Location %q", c.client, c.uri, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

// A code redeems once, however many race for it; a replay is refused
// and revokes what the code issued (RFC 6749 4.1.2), recorded for the
// account's owner.
func TestCodeRedeemsOnce(t *testing.T) {
	r := newRig(t)
	in := r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	code, verifier := r.code(app, "n")
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins []*oauth2.Token
	)
	for range 5 {
		wg.Go(func() {
			tok, err := app.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
			if err == nil {
				mu.Lock()
				wins = append(wins, tok)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(wins) != 1 {
		t.Fatalf("%d exchanges won", len(wins))
	}
	_, err := app.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	if s := r.userinfo(wins[0].AccessToken); s != http.StatusUnauthorized && s != http.StatusForbidden {
		t.Errorf("userinfo with the replayed code's token: %d", s)
	}
	if _, err := app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: wins[0].RefreshToken}).Token(); err == nil {
		t.Error("the replayed code's refresh token still works")
	}
	evs := r.events(in.Account.ID, otpd.EventTokenReused)
	if len(evs) != 1 || evs[0].Reason != otpd.ReasonCodeReplayed || evs[0].Concerns != "Notes" {
		t.Errorf("token_reused events %+v", evs)
	}
}

// A code works only for its app, and only within its minute.
func TestCodeForAnotherAppOrExpired(t *testing.T) {
	r := newRig(t)
	r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	wiki := r.rp("wiki", wikiSecret, notesRedirect)
	code, verifier := r.code(app, "n")
	_, err := wiki.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")

	code, verifier = r.code(app, "n")
	r.clock.Advance(61 * time.Second)
	_, err = app.Exchange(r.ctx, code, oauth2.VerifierOption(verifier))
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
}

// A confidential app with the wrong secret is refused with 401.
func TestWrongClientSecret(t *testing.T) {
	r := newRig(t)
	r.signIn("ada@example.com")
	wiki := r.rp("wiki", "not-the-secret", wikiRedirect, "openid")
	loc := r.authorize(wiki.AuthCodeURL("s"))
	_, err := wiki.Exchange(r.ctx, loc.Query().Get("code"))
	wantOAuthError(t, err, http.StatusUnauthorized, "invalid_client")
}

// A refresh token rotates; presented again it is reuse, which revokes
// the whole family, the newest token too, and is recorded.
func TestRefreshReuseRevokesTheFamily(t *testing.T) {
	r := newRig(t)
	in := r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	tok := r.login(app, "n")
	next, err := app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	_, err = app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	_, err = app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: next.RefreshToken}).Token()
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	if s := r.userinfo(next.AccessToken); s < 400 || s >= 500 {
		t.Errorf("userinfo after reuse: %d", s)
	}
	evs := r.events(in.Account.ID, otpd.EventTokenReused)
	if len(evs) != 1 || evs[0].Reason != otpd.ReasonRefreshReused {
		t.Errorf("token_reused events %+v", evs)
	}
}

// /revoke ends a refresh token's family, or one access token; a token
// unknown, or another app's, is answered 200 and left alone.
func TestRevoke(t *testing.T) {
	r := newRig(t)
	r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	tok := r.login(app, "n")
	revoke := func(clientID, token string) {
		t.Helper()
		resp, err := http.PostForm(r.issuer+"/oauth2/revoke", url.Values{"client_id": {clientID}, "token": {token}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("revoke: %d", resp.StatusCode)
		}
	}
	revoke("notes", "no-such-token")
	revoke("notes", tok.AccessToken)
	if s := r.userinfo(tok.AccessToken); s < 400 || s >= 500 {
		t.Errorf("userinfo with a revoked access token: %d", s)
	}
	if _, err := app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); err != nil {
		t.Fatalf("revoking the access token took the refresh token: %v", err)
	}
	other := r.login(app, "n")
	revoke("notes", other.RefreshToken)
	_, err := app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: other.RefreshToken}).Token()
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
	if s := r.userinfo(other.AccessToken); s < 400 || s >= 500 {
		t.Errorf("userinfo after its family was revoked: %d", s)
	}
}

// Removing an app's access (the account page) ends its tokens at once.
func TestRemoveAppEndsItsTokens(t *testing.T) {
	r := newRig(t)
	in := r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	tok := r.login(app, "n")
	if s := r.userinfo(tok.AccessToken); s != http.StatusOK {
		t.Fatalf("userinfo: %d", s)
	}
	c, _ := r.engine.Authenticate(r.ctx, in.Token)
	if err := r.engine.RemoveApp(r.ctx, c, "notes", signin.Requester{IP: "203.0.113.7"}); err != nil {
		t.Fatal(err)
	}
	if s := r.userinfo(tok.AccessToken); s != http.StatusUnauthorized && s != http.StatusForbidden {
		t.Errorf("userinfo after Remove access: %d", s)
	}
	_, err := app.TokenSource(r.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	wantOAuthError(t, err, http.StatusBadRequest, "invalid_grant")
}

// Userinfo takes only our own access tokens: a JWT without a signature,
// or signed by another key under our key's ID, is refused.
func TestForgedTokensAtUserinfo(t *testing.T) {
	r := newRig(t)
	in := r.signIn("ada@example.com")
	claims := `{"iss":"` + r.issuer + `","sub":"` + in.Account.ID + `","aud":["notes"],"jti":"x","exp":` +
		strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10) + `,"iat":` + strconv.FormatInt(time.Now().Unix(), 10) + `}`
	b64 := base64.RawURLEncoding.EncodeToString
	none := b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64([]byte(claims)) + "."
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: other, KeyID: r.keyIDs()[0]}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign([]byte(claims))
	if err != nil {
		t.Fatal(err)
	}
	forged, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{"alg none": none, "another key": forged, "junk": "a.b.c"} {
		if s := r.userinfo(token); s != http.StatusUnauthorized && s != http.StatusForbidden {
			t.Errorf("%s: userinfo %d", name, s)
		}
	}
}
