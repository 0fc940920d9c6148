package webtest

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

// An app signs a person in on NewOIDC's rig as x/oauth2 would: the code
// flow with PKCE S256, App as the client.

// OAuth2 is App's configuration as the app holds it.
func (r *Rig) OAuth2() *oauth2.Config {
	return &oauth2.Config{ClientID: App.ID, RedirectURL: App.RedirectURIs[0],
		Scopes: []string{"openid", "email", "offline_access"},
		Endpoint: oauth2.Endpoint{AuthURL: r.URL + "/oauth2/authorize", TokenURL: r.URL + "/oauth2/token",
			AuthStyle: oauth2.AuthStyleInParams}}
}

// Authorization is an app's authorization request: the URL the browser
// opens, and the PKCE verifier the app keeps.
type Authorization struct {
	URL, Verifier string
}

// Authorize makes App's authorization request, with state "state-1",
// a nonce, and the parameters of extra.
func (r *Rig) Authorize(extra url.Values) Authorization {
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("nonce", "nonce-1")}
	for k := range extra {
		opts = append(opts, oauth2.SetAuthURLParam(k, extra.Get(k)))
	}
	return Authorization{URL: r.OAuth2().AuthCodeURL("state-1", opts...), Verifier: verifier}
}

// AtApp checks that a sends the browser to App's redirect URI, and
// returns the query it carries there.
func AtApp(t *testing.T, a Answer) url.Values {
	t.Helper()
	loc := a.Header.Get("Location")
	if a.Status/100 != 3 || !strings.HasPrefix(loc, App.RedirectURIs[0]+"?") {
		t.Fatalf("%d to %q, want a redirect to %s:\n%s", a.Status, loc, App.RedirectURIs[0], a.Body)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// ContinuePath opens az in b and returns the continue page the provider
// sends it to.
func (b *Browser) ContinuePath(t *testing.T, az Authorization) string {
	t.Helper()
	a := b.Get(t, az.URL)
	loc := strings.TrimPrefix(a.Header.Get("Location"), b.r.URL)
	if a.Status != http.StatusFound || !strings.HasPrefix(loc, "/oauth2/continue/") {
		t.Fatalf("authorize: %d to %q, want the continue page:\n%s", a.Status, loc, a.Body)
	}
	return loc
}

// SignInTo signs email in with a code through the pages in b, on the way
// back to ret, and checks it goes back there.
func (b *Browser) SignInTo(t *testing.T, email, ret string) {
	t.Helper()
	n := b.r.Messages(t, email)
	a := b.Post(t, "/sign-in", url.Values{"email": {email}, "return": {ret}})
	flow, _, _ := strings.Cut(a.Header.Get("Location"), "?")
	if a.Status != http.StatusSeeOther || !strings.HasPrefix(flow, "/flows/") {
		t.Fatalf("sign-in: %d to %q:\n%s", a.Status, flow, a.Body)
	}
	a = b.Post(t, flow+"/verify", url.Values{"code": {b.r.CodeAfter(t, email, n)}, "return": {ret}})
	if loc := a.Header.Get("Location"); a.Status != http.StatusSeeOther || loc != ret {
		t.Fatalf("verify: %d to %q, want %q:\n%s", a.Status, loc, ret, a.Body)
	}
}

// Finish follows a, the continue page's redirect to the provider's
// callback, to the app, and returns the code the app receives.
func (b *Browser) Finish(t *testing.T, a Answer) string {
	t.Helper()
	loc := a.Header.Get("Location")
	if a.Status != http.StatusSeeOther || !strings.Contains(loc, "/oauth2/authorize/callback") {
		t.Fatalf("%d to %q, want the provider's callback:\n%s", a.Status, loc, a.Body)
	}
	q := AtApp(t, b.Get(t, loc))
	if q.Get("state") != "state-1" || q.Get("code") == "" {
		t.Fatalf("back at the app with %v", q)
	}
	return q.Get("code")
}

// AppSignIn runs App's whole sign-in in b for email, signing in with a
// code and consenting, and returns the app's tokens.
func (r *Rig) AppSignIn(t *testing.T, b *Browser, email string) *oauth2.Token {
	t.Helper()
	az := r.Authorize(nil)
	cont := b.ContinuePath(t, az)
	b.SignInTo(t, email, cont)
	if a := b.Get(t, cont); a.Status != http.StatusOK || !strings.Contains(a.Body, `value="allow"`) {
		t.Fatalf("continue: %d, want the consent page:\n%s", a.Status, a.Body)
	}
	code := b.Finish(t, b.Post(t, cont, url.Values{"decision": {"allow"}}))
	return r.Exchange(t, code, az.Verifier)
}

// Exchange redeems code with its PKCE verifier, as the app does.
func (r *Rig) Exchange(t *testing.T, code, verifier string) *oauth2.Token {
	t.Helper()
	tok, err := r.OAuth2().Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// Refresh asks for new tokens with a refresh token, as the app does.
func (r *Rig) Refresh(refresh string) (*oauth2.Token, error) {
	return r.OAuth2().TokenSource(context.Background(), &oauth2.Token{RefreshToken: refresh}).Token()
}
