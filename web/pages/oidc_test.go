package pages_test

import (
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/web/webtest"
)

// An app's sign-in on the rig, page by page: the browser does not follow
// redirects, so that each step is checked.

// consented signs email in to the app in a new browser, consenting, and
// returns the browser and the app's ID token.
func consented(t *testing.T, r *webtest.Rig, email string) (*webtest.Browser, string) {
	t.Helper()
	b := r.Browser("203.0.113.7")
	tok := r.AppSignIn(t, b, email)
	idt, _ := tok.Extra("id_token").(string)
	if idt == "" {
		t.Fatal("no ID token")
	}
	return b, idt
}

// A request that cannot go back to its app (an unknown app, a redirect
// URI not registered) is shown on the error page, never redirected.
func TestAuthorizeRefusesWhatCannotGoBack(t *testing.T) {
	r := webtest.NewOIDC(t)
	b := r.Browser("")
	good := r.Authorize(nil)
	for name, edit := range map[string]func(url.Values){
		"unknown app":        func(q url.Values) { q.Set("client_id", "nobody") },
		"other redirect_uri": func(q url.Values) { q.Set("redirect_uri", "https://evil.example/callback") },
		"other port":         func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:10/notes/callback") },
		"no client_id":       func(q url.Values) { q.Del("client_id") },
	} {
		u, _ := url.Parse(good.URL)
		q := u.Query()
		edit(q)
		u.RawQuery = q.Encode()
		a := b.Get(t, u.String())
		if a.Status != http.StatusBadRequest || a.Header.Get("Location") != "" {
			t.Errorf("%s: %d to %q, want a 400 page", name, a.Status, a.Header.Get("Location"))
		}
		if ct := a.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(a.Body, "sign-in link does not work") {
			t.Errorf("%s: %s, not the error page:\n%s", name, ct, a.Body)
		}
	}
}

// prompt=none never shows a page: without a session the app hears
// login_required, without a grant consent_required.
func TestPromptNone(t *testing.T) {
	r := webtest.NewOIDC(t)
	b := r.Browser("203.0.113.7")
	none := url.Values{"prompt": {"none"}}
	q := webtest.AtApp(t, b.Get(t, b.ContinuePath(t, r.Authorize(none))))
	if q.Get("error") != "login_required" || q.Get("state") != "state-1" || q.Get("code") != "" {
		t.Fatalf("signed out: back at the app with %v, want login_required", q)
	}
	b.SignInTo(t, "ada@example.com", "/")
	q = webtest.AtApp(t, b.Get(t, b.ContinuePath(t, r.Authorize(none))))
	if q.Get("error") != "consent_required" || q.Get("state") != "state-1" {
		t.Fatalf("without a grant: back at the app with %v, want consent_required", q)
	}
	// With the grant, it goes straight back with a code.
	b, _ = consented(t, r, "bob@example.com")
	az := r.Authorize(none)
	r.Exchange(t, b.Finish(t, b.Get(t, b.ContinuePath(t, az))), az.Verifier)
}

// prompt=login, max_age=0 and acr_values asking for a fresh code each
// lead through the step-up page once, and then back to the app: a code
// read then satisfies the request, with no loop.
func TestReauthenticationStepsUpOnce(t *testing.T) {
	r := webtest.NewOIDC(t)
	b, _ := consented(t, r, "ada@example.com")
	for name, extra := range map[string]url.Values{
		"prompt=login": {"prompt": {"login"}},
		"max_age=0":    {"max_age": {"0"}},
		"fresh code":   {"acr_values": {otpd.ACRFreshCode}},
	} {
		r.Clock.Advance(time.Minute) // off the sign-in before
		az := r.Authorize(extra)
		cont := b.ContinuePath(t, az)
		a := b.Get(t, cont)
		if a.Status != http.StatusOK || !strings.Contains(a.Body, `action="/step-up"`) || !strings.Contains(a.Body, "Use another account") {
			t.Fatalf("%s: %d, want the step-up page:\n%s", name, a.Status, a.Body)
		}
		pageStepUp(t, r, b, "ada@example.com", cont)
		code := b.Finish(t, b.Get(t, cont))
		tok := r.Exchange(t, code, az.Verifier)
		if tok.AccessToken == "" {
			t.Fatalf("%s: no access token", name)
		}
	}
}

// Cancel on the consent page tells the app that the person said no.
func TestConsentCancel(t *testing.T) {
	r := webtest.NewOIDC(t)
	b := r.Browser("203.0.113.7")
	cont := b.ContinuePath(t, r.Authorize(nil))
	b.SignInTo(t, "ada@example.com", cont)
	q := webtest.AtApp(t, b.Post(t, cont, url.Values{"decision": {"deny"}}))
	if q.Get("error") != "access_denied" || q.Get("state") != "state-1" || q.Get("code") != "" {
		t.Fatalf("back at the app with %v, want access_denied", q)
	}
	// The request is over: Allow afterwards gives nothing.
	if a := b.Post(t, cont, url.Values{"decision": {"allow"}}); strings.Contains(a.Header.Get("Location"), "callback") {
		t.Fatalf("Allow after Cancel: %d to %q", a.Status, a.Header.Get("Location"))
	}
}

// The pages on the way of an app's sign-in carry its continue page on,
// and their policy lets forms end at the app's origin (where the last
// redirect goes); other pages keep forms here.
func TestContinueReturnsAndFormAction(t *testing.T) {
	r := webtest.NewOIDC(t)
	b := r.Browser("203.0.113.7")
	cont := b.ContinuePath(t, r.Authorize(nil))
	appOnly := "form-action 'self' " + webtest.AppOrigin + ";"
	a := b.Get(t, cont)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, `name="return" value="`+cont+`"`) || !strings.Contains(a.Body, "Notes") {
		t.Fatalf("continue, signed out: %d, want the sign-in page for Notes carrying %s:\n%s", a.Status, cont, a.Body)
	}
	if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, appOnly) {
		t.Errorf("sign-in page of the app: CSP %q, want %s", csp, appOnly)
	}
	// The continue path is a return target like the pages': the start
	// page takes it from a link.
	a = b.Get(t, "/?return="+url.QueryEscape(cont))
	if !strings.Contains(a.Body, `name="return" value="`+cont+`"`) {
		t.Errorf("the start page drops the continue path:\n%s", a.Body)
	}
	if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, appOnly) {
		t.Errorf("start page with the continue path: CSP %q, want %s", csp, appOnly)
	}
	// Other paths under /oauth2/ are not.
	for _, bad := range []string{"/oauth2/authorize", "/oauth2/continue/", cont + "/x", "/oauth2/continue/ABC", "/oauth2/end-session",
		"/oauth2/continue/" + strings.Repeat("a", 65), "//evil.example" + cont, r.URL + cont} {
		a := b.Get(t, "/?return="+url.QueryEscape(bad))
		if strings.Contains(a.Body, `name="return"`) {
			t.Errorf("return %q is carried on", bad)
		}
		if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
			t.Errorf("return %q: CSP %q lets forms end elsewhere", bad, csp)
		}
	}
	b.SignInTo(t, "ada@example.com", cont)
	a = b.Get(t, cont)
	if !strings.Contains(a.Body, `value="allow"`) {
		t.Fatalf("no consent page:\n%s", a.Body)
	}
	if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, appOnly) {
		t.Errorf("consent page: CSP %q, want %s", csp, appOnly)
	}
	// An ordinary page, signed in, names no other origin.
	for _, path := range []string{"/", "/account/apps", "/account/sessions"} {
		a := b.Get(t, path)
		if csp := a.Header.Get("Content-Security-Policy"); a.Status != http.StatusOK || !strings.Contains(csp, "form-action 'self';") {
			t.Errorf("%s: %d, CSP %q", path, a.Status, csp)
		}
	}
}

// "Use another account" on the step-up page of an app's request signs
// out and comes back to the request's sign-in page; the other account
// signs in to the app.
func TestUseAnotherAccount(t *testing.T) {
	r := webtest.NewOIDC(t)
	b, _ := consented(t, r, "ada@example.com")
	r.Clock.Advance(time.Minute)
	az := r.Authorize(url.Values{"prompt": {"login"}})
	cont := b.ContinuePath(t, az)
	if a := b.Get(t, cont); !strings.Contains(a.Body, "Use another account") {
		t.Fatalf("no step-up page:\n%s", a.Body)
	}
	ada := b.Cookie("otpd_session")
	a := b.Post(t, "/sign-out", url.Values{"return": {cont}})
	if loc := a.Header.Get("Location"); a.Status != http.StatusSeeOther || loc != "/?return="+url.QueryEscape(cont) {
		t.Fatalf("sign-out: %d to %q", a.Status, loc)
	}
	if _, err := signedInAs(r, ada).Me(ctx); err == nil {
		t.Fatal("the session outlived Use another account")
	}
	if a := b.Get(t, "/?return="+url.QueryEscape(cont)); !strings.Contains(a.Body, `name="return" value="`+cont+`"`) {
		t.Fatalf("the start page lost the request:\n%s", a.Body)
	}
	b.SignInTo(t, "bob@example.com", cont)
	if a := b.Get(t, cont); !strings.Contains(a.Body, `value="allow"`) {
		t.Fatalf("bob: no consent page:\n%s", a.Body)
	}
	r.Exchange(t, b.Finish(t, b.Post(t, cont, url.Values{"decision": {"allow"}})), az.Verifier)
}

// An app signs its person out: an id_token_hint issued in the browser's
// session signs out at once; one of another account or an earlier session
// of the same, or none, the person is asked, and the form signs
// out; a post-logout URI not registered is refused on a page.
func TestEndSession(t *testing.T) {
	r := webtest.NewOIDC(t)
	bye := webtest.App.PostLogoutURIs[0]
	signedOut := func(t *testing.T, b *webtest.Browser, token string, a webtest.Answer) {
		t.Helper()
		if loc := a.Header.Get("Location"); a.Status != http.StatusFound || !strings.HasPrefix(loc, bye) {
			t.Fatalf("%d to %q, want 302 to %s:\n%s", a.Status, loc, bye, a.Body)
		}
		if _, err := signedInAs(r, token).Me(ctx); err == nil {
			t.Fatal("still signed in")
		}
	}

	t.Run("hint", func(t *testing.T) {
		b, idt := consented(t, r, "ada@example.com")
		token := b.Cookie("otpd_session")
		q := url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {bye}, "state": {"s"}}
		a := b.Get(t, "/oauth2/end-session?"+q.Encode())
		signedOut(t, b, token, a)
		if !strings.Contains(a.Header.Get("Location"), "state=s") {
			t.Errorf("to %q without the state", a.Header.Get("Location"))
		}
	})
	t.Run("hint of another", func(t *testing.T) {
		_, idt := consented(t, r, "bob@example.com")
		b, _ := consented(t, r, "cy@example.com")
		q := url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {bye}}
		a := b.Get(t, "/oauth2/end-session?"+q.Encode())
		if a.Status != http.StatusOK || !strings.Contains(a.Body, `action="/oauth2/end-session"`) {
			t.Fatalf("%d, want the question:\n%s", a.Status, a.Body)
		}
		if _, err := signedInAs(r, b.Cookie("otpd_session")).Me(ctx); err != nil {
			t.Fatalf("a hint of another account signed out: %v", err)
		}
	})
	t.Run("hint of an earlier session", func(t *testing.T) {
		old, idt := consented(t, r, "fay@example.com")
		r.Deliver(t) // the app's access notice, before the next code
		r.Clock.Advance(time.Minute)
		token, _ := r.SignIn(t, "fay@example.com")
		b := r.Browser("203.0.113.7")
		b.SetCookie("otpd_session", token)
		q := url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {bye}}
		a := b.Get(t, "/oauth2/end-session?"+q.Encode())
		if a.Status != http.StatusOK || !strings.Contains(a.Body, `action="/oauth2/end-session"`) {
			t.Fatalf("%d, want the question:\n%s", a.Status, a.Body)
		}
		if _, err := signedInAs(r, token).Me(ctx); err != nil {
			t.Fatalf("an old hint of the same account signed this session out: %v", err)
		}
		signedOut(t, old, old.Cookie("otpd_session"), old.Get(t, "/oauth2/end-session?"+q.Encode()))
	})
	t.Run("no hint", func(t *testing.T) {
		b, _ := consented(t, r, "dee@example.com")
		token := b.Cookie("otpd_session")
		q := url.Values{"client_id": {webtest.App.ID}, "post_logout_redirect_uri": {bye}}
		a := b.Get(t, "/oauth2/end-session?"+q.Encode())
		if a.Status != http.StatusOK || !strings.Contains(a.Body, `action="/oauth2/end-session"`) || !strings.Contains(a.Body, "Notes") {
			t.Fatalf("%d, want the question naming Notes:\n%s", a.Status, a.Body)
		}
		if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+webtest.AppOrigin+";") {
			t.Errorf("CSP %q", csp)
		}
		if _, err := signedInAs(r, token).Me(ctx); err != nil {
			t.Fatalf("the question signed out: %v", err)
		}
		signedOut(t, b, token, b.Post(t, "/oauth2/end-session", q))
	})
	t.Run("bad post-logout URI", func(t *testing.T) {
		b, idt := consented(t, r, "eve@example.com")
		for _, q := range []url.Values{
			{"client_id": {webtest.App.ID}, "post_logout_redirect_uri": {"https://evil.example/"}},
			{"id_token_hint": {idt}, "post_logout_redirect_uri": {webtest.App.RedirectURIs[0]}},
		} {
			a := b.Get(t, "/oauth2/end-session?"+q.Encode())
			if a.Status != http.StatusBadRequest || a.Header.Get("Location") != "" {
				t.Errorf("%v: %d to %q, want a 400 page", q, a.Status, a.Header.Get("Location"))
			}
		}
		if _, err := signedInAs(r, b.Cookie("otpd_session")).Me(ctx); err != nil {
			t.Fatalf("a refused request signed out: %v", err)
		}
	})
}

// signedInAs is an API client holding session token.
func signedInAs(r *webtest.Rig, token string) *client.Client {
	c := r.Client("")
	c.Token = token
	return c
}

// TestMain quiets the OpenID Connect library, which logs every refusal
// to slog's default logger.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.DiscardHandler))
	os.Exit(m.Run())
}

// The callback that gives the app its code answers only the browser whose
// session completed the request: someone who started the request (with
// their own PKCE verifier) and sent its continue link to a victim gets no
// code by asking for the callback, with no cookie or with another
// account's session, and their asking does not spend the victim's code.
func TestCallbackOnlyForTheBrowserThatCompleted(t *testing.T) {
	r := webtest.NewOIDC(t)
	victim, _ := consented(t, r, "ada@example.com")
	other, _ := consented(t, r, "bob@example.com")
	attacker := r.Browser("198.51.100.9")
	refused := func(name, loc string) {
		t.Helper()
		for who, b := range map[string]*webtest.Browser{"no cookie": attacker, "another account": other} {
			a := b.Get(t, loc)
			if a.Status != http.StatusForbidden || a.Header.Get("Location") != "" || !strings.Contains(a.Body, "another browser") {
				t.Fatalf("%s, %s: the callback answered %d to %q, want the 403 error page and no code:\n%s",
					name, who, a.Status, a.Header.Get("Location"), a.Body)
			}
		}
	}

	// The victim already gave the app a grant: the continue link
	// completes the request on a GET.
	az := r.Authorize(nil)
	cont := attacker.ContinuePath(t, az)
	done := victim.Get(t, cont)
	loc := done.Header.Get("Location")
	if done.Status != http.StatusSeeOther || !strings.Contains(loc, "/oauth2/authorize/callback") {
		t.Fatalf("continue: %d to %q, want the provider's callback", done.Status, loc)
	}
	refused("continue link", loc)
	r.Exchange(t, victim.Finish(t, done), az.Verifier)

	// The same by consent: the victim allows the app on the page.
	carol := r.Browser("203.0.113.8")
	az = r.Authorize(nil)
	cont = attacker.ContinuePath(t, az)
	carol.SignInTo(t, "carol@example.com", cont)
	done = carol.Post(t, cont, url.Values{"decision": {"allow"}})
	refused("consent", done.Header.Get("Location"))
	r.Exchange(t, carol.Finish(t, done), az.Verifier)
}
