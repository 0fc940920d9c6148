package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/otpd/otpd/web/webtest"
)

// The owner of an address, in London, finds in a real browser the code
// someone in Lagos asked for: the banner on the home page, the request in
// plain words in the activity, "This wasn't me" with its checklist, and
// the sessions page, where they sign out a session they do not want. The
// pages are saved as screenshots, at phone width and on a desktop, for a
// person to look at.
func TestBrowserSecurityPages(t *testing.T) {
	ctx := chromium(t)
	s := geoServer(t)
	shots := screenshots(t)
	// The browser's requests come from loopback, a trusted proxy, which
	// says they come from London.
	do(t, ctx, chromedp.EmulateViewport(phoneWidth, 800), setHeaders(network.Headers{"X-Forwarded-For": "203.0.113.5"}))
	const email = "ada@example.com"
	browserSignIn(t, ctx, s, email)

	laptop := s.signInAs(t, email, "203.0.113.20")
	_, flow := s.askFrom(t, email, "198.51.100.9")

	do(t, ctx, chromedp.Click(`form[action="/sign-out"] button`), chromedp.WaitVisible("#email"))
	browserSignIn(t, ctx, s, email)
	wantText(t, ctx, "#unused-h", "A code was asked for that you did not use")
	wantText(t, ctx, ".banner", "from Lagos, Nigeria")
	shots.take(t, ctx, "home-banner")

	do(t, ctx, chromedp.Click(`.banner a`), chromedp.WaitVisible(".entries"))
	wantText(t, ctx, "main", "A sign-in code was requested from Lagos, Nigeria on Go-http-client at ",
		"It has not been used", "IP 198.51.100.9", "Your current sign-in")
	do(t, ctx, chromedp.Navigate(s.url+"/account/activity"), chromedp.WaitVisible(".entries"))
	shots.take(t, ctx, "activity")

	report := `a[href="/account/activity/` + flow.FlowID + `/report"]`
	do(t, ctx, chromedp.Click(report), chromedp.WaitVisible(`form.actions button`))
	wantText(t, ctx, "main", "Report this code request?", "Lagos, Nigeria", "198.51.100.9", "Every session started from 198.51.100.9")
	shots.take(t, ctx, "report-confirm")
	// By keyboard, as some people report it.
	do(t, ctx, chromedp.Focus(`form.actions button`), chromedp.KeyEvent("\r"), chromedp.WaitVisible("#checklist-h"))
	wantText(t, ctx, "main", "your report is recorded", "The code is cancelled", "Turn code-only sign-in off", "Set a password",
		"Sign out the sessions you don't know")
	shots.take(t, ctx, "checklist")
	do(t, ctx, chromedp.Navigate(s.url+"/account/activity?kind=reports"), chromedp.WaitVisible(".entries"))
	wantText(t, ctx, "main", "You reported a code request as not yours from London, United Kingdom",
		"It was a sign-in code requested from Lagos, Nigeria")

	do(t, ctx, chromedp.Click(`a[href="/account/sessions"]`), chromedp.WaitVisible(".sessions"))
	wantText(t, ctx, "main", "This device", "London, United Kingdom", "IP 203.0.113.20", "Go-http-client")
	shots.take(t, ctx, "sessions")
	ends := `form[action="/account/sessions/` + webtest.CurrentSession(t, laptop) + `/sign-out"] button`
	do(t, ctx, chromedp.Click(ends), chromedp.WaitVisible(`[role="status"]`))
	if _, err := laptop.Me(context.Background()); err == nil {
		t.Error("the laptop's session still works after signing it out")
	}

	do(t, ctx, chromedp.Navigate(s.url+"/"), chromedp.WaitVisible("#devices-h"))
	shots.element(t, ctx, "devices", "#devices-h")
	shots.take(t, ctx, "account")
}

// Headers and cookies as the browser sees them: the policy that keeps
// scripts, inline styles and frames out, and cookies that scripts cannot
// read and other sites cannot send.
func TestBrowserSecurityHeadersAndCookies(t *testing.T) {
	ctx := chromium(t)
	s := startServer(t, roomyLimits)
	browserSignIn(t, ctx, s, "ada@example.com")
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(s.url+"/account/activity"))
	if err != nil {
		t.Fatal(err)
	}
	headers := map[string]string{}
	for k, v := range resp.Headers {
		s, _ := v.(string)
		headers[strings.ToLower(k)] = s
	}
	csp := headers["content-security-policy"]
	for _, want := range []string{"default-src 'none'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q lets scripts or inline styles in", csp)
	}
	for name, want := range map[string]string{"x-content-type-options": "nosniff", "x-frame-options": "DENY",
		"referrer-policy": "no-referrer", "cache-control": "no-store"} {
		if headers[name] != want {
			t.Errorf("%s = %q, want %q", name, headers[name], want)
		}
	}
	cookies, err := chromedp.Run(ctx, getCookies(s.url))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cookies {
		seen[c.Name] = true
		if !c.HTTPOnly || !c.Secure || c.SameSite != network.CookieSameSiteLax {
			t.Errorf("cookie %s: HttpOnly %v, Secure %v, SameSite %q; want HttpOnly, Secure, Lax", c.Name, c.HTTPOnly, c.Secure, c.SameSite)
		}
	}
	if !seen["otpd_session"] || !seen["otpd_device"] {
		t.Errorf("the browser holds cookies %v, want otpd_session and otpd_device", seen)
	}
}

// phoneWidth is the narrowest phone the pages are made for.
const phoneWidth = 360

// browserSignIn signs in with the code from the dev mailbox, ticking
// "Remember this device", and waits for the account page.
func browserSignIn(t *testing.T, ctx context.Context, s *server, email string) {
	t.Helper()
	n := s.messages(t, email)
	do(t, ctx, chromedp.Navigate(s.url+"/"), chromedp.SendKeys("#email", email), chromedp.Submit("#email"), chromedp.WaitVisible("#code"))
	do(t, ctx, chromedp.Click("#remember"), chromedp.SendKeys("#code", s.code(t, email, n)), chromedp.Submit("#code"),
		chromedp.WaitVisible("#account-h"))
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func setHeaders(h network.Headers) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h})
		return err
	})
}

func getCookies(url string) chromedp.Action[[]*network.Cookie] {
	return func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
		return res.Cookies, err
	}
}

// screenshotDir is where the screenshots go: OTPD_SCREENSHOTS, outside
// the repository, or a temporary directory.
type screenshotDir string

func screenshots(t *testing.T) screenshotDir {
	dir := os.Getenv("OTPD_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return screenshotDir(dir)
}

// take saves the whole page as name-phone.png and name-desktop.png.
func (d screenshotDir) take(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, size := range []struct {
		suffix        string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", phoneWidth, 800}} {
		do(t, ctx, chromedp.EmulateViewport(size.width, size.height))
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		d.save(t, name+"-"+size.suffix, png)
	}
}

// element saves the section whose heading is sel, at phone width.
func (d screenshotDir) element(t *testing.T, ctx context.Context, name, sel string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.Screenshot(`section:has(> `+sel+`)`))
	if err != nil {
		t.Fatal(err)
	}
	d.save(t, name+"-phone", png)
}

func (d screenshotDir) save(t *testing.T, name string, png []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(string(d), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
