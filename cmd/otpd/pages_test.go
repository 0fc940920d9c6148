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
