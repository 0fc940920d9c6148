package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// browser is an HTTP client that keeps cookies and does not follow
// redirects, so each step of the page flow can be checked.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func mustContain(t *testing.T, page string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(page, p) {
			t.Errorf("page lacks %q:\n%s", p, page)
		}
	}
}

func TestPagesSignInFlow(t *testing.T) {
	s := startServer(t, nil)
	b := browser(t)

	resp, page := get(t, b, s.url+"/")
	mustContain(t, page, `action="/sign-in"`, `type="email"`, `autocomplete="email"`)
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") || resp.Header.Get("Referrer-Policy") == "" {
		t.Errorf("security headers: CSP %q Referrer-Policy %q", csp, resp.Header.Get("Referrer-Policy"))
	}

	resp, page = postForm(t, b, s.url+"/sign-in", url.Values{"email": {"not an address"}})
	if resp.StatusCode != 400 {
		t.Errorf("bad address: status %d", resp.StatusCode)
	}
	mustContain(t, page, `role="alert"`, `value="not an address"`)

	resp, _ = postForm(t, b, s.url+"/sign-in", url.Values{"email": {"ada@example.com"}})
	flowURL := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(flowURL, "/flows/") {
		t.Fatalf("sign-in: %d to %q", resp.StatusCode, flowURL)
	}
	_, page = get(t, b, s.url+flowURL)
	mustContain(t, page, `autocomplete="one-time-code"`, `inputmode="numeric"`, "ada@example.com", "new code in 30 seconds")

	resp, page = postForm(t, b, s.url+flowURL+"/verify", url.Values{"code": {"12"}})
	if resp.StatusCode != 400 {
		t.Errorf("malformed code: status %d", resp.StatusCode)
	}
	mustContain(t, page, "9-digit code")

	resp, page = postForm(t, b, s.url+flowURL+"/resend", nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("early resend: status %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	mustContain(t, page, "wait a little", "seconds")

	code := s.code(t, "ada@example.com", 0)
	resp, _ = postForm(t, b, s.url+flowURL+"/verify", url.Values{"code": {code[:3] + " " + code[3:]}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("verify: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The cookie is Secure; the jar sends it over http only to loopback
	// hosts as browsers do, so hand it over explicitly.
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "otpd_session" {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie")
	}
	req, _ := http.NewRequest("GET", s.url+"/", nil)
	req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	mustContain(t, string(body), "You are signed in", "ada@example.com", "Recent activity", "A code to create your account was requested",
		"Signed in with a code", "IP 127.0.0.1")

	req, _ = http.NewRequest("POST", s.url+"/sign-out", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
	resp, err = b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	_, err = s.client().Me(ctx)
	if err == nil {
		t.Error("signed out, yet the API answers")
	}
}

func TestFormsRefuseCrossSitePosts(t *testing.T) {
	s := startServer(t, nil)
	req, _ := http.NewRequest("POST", s.url+"/sign-in", strings.NewReader("email=ada@example.com"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site form post: %d, want 403", resp.StatusCode)
	}
	if n := s.messages(t, "ada@example.com"); n != 0 {
		t.Errorf("a cross-site post queued %d messages", n)
	}
}

func TestDevMailboxPage(t *testing.T) {
	s := startServer(t, nil)
	if _, err := s.client().SignIn(ctx, "ada@example.com"); err != nil {
		t.Fatal(err)
	}
	code := s.code(t, "ada@example.com", 0)
	_, page := get(t, http.DefaultClient, s.url+"/dev/mailbox?to=ada@example.com")
	mustContain(t, page, "Dev mailbox", "Your code to create your account", code[:3]+" "+code[3:6])
	if !strings.Contains(s.logs.String(), "MAIL IS NOT SENT") {
		t.Error("the server did not say loudly that mail is not sent")
	}
}
