package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

func mustContain(t *testing.T, page string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(page, p) {
			t.Errorf("page lacks %q:\n%s", p, page)
		}
	}
}

func TestPagesSignInFlow(t *testing.T) {
	r := webtest.New(t)

	a := r.Page(t, "GET", "/", nil, "", http.StatusOK)
	mustContain(t, a.Body, `action="/sign-in"`, `type="email"`, `autocomplete="email"`)
	csp := a.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || a.Header.Get("Referrer-Policy") == "" {
		t.Errorf("security headers: CSP %q Referrer-Policy %q", csp, a.Header.Get("Referrer-Policy"))
	}

	a = r.Page(t, "POST", "/sign-in", url.Values{"email": {"not an address"}}, "", http.StatusBadRequest)
	mustContain(t, a.Body, `role="alert"`, `value="not an address"`)

	a = r.Page(t, "POST", "/sign-in", url.Values{"email": {"ada@example.com"}}, "", http.StatusSeeOther)
	flowURL := a.Header.Get("Location")
	if !strings.HasPrefix(flowURL, "/flows/") {
		t.Fatalf("sign-in: to %q", flowURL)
	}
	a = r.Page(t, "GET", flowURL, nil, "", http.StatusOK)
	mustContain(t, a.Body, `autocomplete="one-time-code"`, `inputmode="numeric"`, "ada@example.com", "new code in 30 seconds")

	a = r.Page(t, "POST", flowURL+"/verify", url.Values{"code": {"12"}}, "", http.StatusBadRequest)
	mustContain(t, a.Body, "9-digit code")

	a = r.Page(t, "POST", flowURL+"/resend", url.Values{}, "", http.StatusTooManyRequests)
	if a.Header.Get("Retry-After") == "" {
		t.Error("early resend: no Retry-After")
	}
	mustContain(t, a.Body, "wait a little", "seconds")

	code := r.Code(t, "ada@example.com")
	a = r.Page(t, "POST", flowURL+"/verify", url.Values{"code": {code[:3] + " " + code[3:]}}, "", http.StatusSeeOther)
	if a.Header.Get("Location") != "/" {
		t.Fatalf("verify: to %q", a.Header.Get("Location"))
	}
	var session string
	for _, c := range a.Cookies {
		if c.Name == "otpd_session" {
			session = c.Value
		}
	}
	if session == "" {
		t.Fatal("no session cookie")
	}
	a = r.Page(t, "GET", "/", nil, session, http.StatusOK)
	mustContain(t, a.Body, "You are signed in", "ada@example.com", "Recent activity", "A code to create your account was requested",
		"Signed in with a code", "IP 127.0.0.1")

	r.Page(t, "POST", "/sign-out", url.Values{}, session, http.StatusSeeOther)
	r.API(t, "GET", "/api/v1/me", "", session, http.StatusUnauthorized, nil)
}
