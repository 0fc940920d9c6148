package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
)

// A person adds an authenticator app in a real browser, without script:
// the QR code shows, and the app's first code adds it.
func TestBrowserAuthenticatorApp(t *testing.T) {
	s := startServer(t, roomyLimits)
	s.owner(t, "ada@example.com", "")
	ctx := chromium(t)
	methodsPage(t, ctx, s, "/account/methods/authenticator", "code.secret")
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('main img').naturalWidth === 256`))
	if err != nil || !loaded {
		t.Errorf("the QR code did not load (%v)", err)
	}
	screenshots(t).take(t, ctx, "authenticator")
	key, err := chromedp.Run(ctx, chromedp.Text("code.secret"))
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCode(strings.ReplaceAll(key, " ", ""), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	do(t, ctx,
		chromedp.SendKeys("#code", code),
		chromedp.Submit("#code"),
		chromedp.WaitVisible("#recovery-codes-h"),
	)
	wantText(t, ctx, "main", "Your authenticator app is added", "never used yet")
}

// A person makes recovery codes, which are shown once; then, having lost
// their mailbox, they sign in with their password and a recovery code in
// a browser the account does not know.
func TestBrowserRecoveryCodes(t *testing.T) {
	s := startServer(t, roomyLimits)
	s.owner(t, "ada@example.com", "")
	ctx := chromium(t)
	methodsPage(t, ctx, s, "/account/methods/recovery-codes", `form[action="/account/methods/recovery-codes"] button`)
	do(t, ctx,
		chromedp.Click(`form[action="/account/methods/recovery-codes"] button`),
		chromedp.WaitVisible("ol.recovery-codes"),
	)
	screenshots(t).take(t, ctx, "recovery-codes")
	list, err := chromedp.Run(ctx, chromedp.Text("ol.recovery-codes"))
	if err != nil {
		t.Fatal(err)
	}
	codes := regexp.MustCompile(`[A-Z0-9]{5}-[A-Z0-9]{5}`).FindAllString(list, -1)
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10:\n%s", len(codes), list)
	}

	// Another browser, with a deadline of its own.
	ctx = chromium(t)
	passwordSignIn(t, ctx, s.url)
	do(t, ctx,
		chromedp.Click(`a[href$="/factor"]`),
		chromedp.WaitVisible("#factor-code"),
		chromedp.Click("#method-recovery"),
		chromedp.SendKeys("#factor-code", codes[0]),
		chromedp.Submit("#factor-code"),
		chromedp.WaitVisible("#devices-h"),
	)
	wantText(t, ctx, "main", "Signed in with a password and a recovery code")
}

// methodsPage signs ada in with her password and the emailed code, opens
// Sign-in methods, follows the link to path through the step-up, and
// waits for sel on the page it leads to.
func methodsPage(t *testing.T, ctx context.Context, s *server, path, sel string) {
	t.Helper()
	n := s.messages(t, "ada@example.com")
	passwordSignIn(t, ctx, s.url)
	do(t, ctx,
		chromedp.SendKeys("#code", s.code(t, "ada@example.com", n)),
		chromedp.Submit("#code"),
		chromedp.WaitVisible("#devices-h"),
		chromedp.Click(`a[href="/account/methods"]`),
		chromedp.WaitVisible("#totp-h"),
	)
	wantText(t, ctx, "main", "Sign-in methods", "Codes by email", "Authenticator app", "Recovery codes")
	n = s.messages(t, "ada@example.com")
	do(t, ctx,
		chromedp.Click(`a[href="`+path+`"]`),
		chromedp.WaitVisible(`form[action="/step-up"] button`),
		chromedp.Click(`form[action="/step-up"] button`),
		chromedp.WaitVisible("#code"),
	)
	do(t, ctx,
		chromedp.SendKeys("#code", s.code(t, "ada@example.com", n)),
		chromedp.Submit("#code"),
		chromedp.WaitVisible(sel),
	)
}

// passwordSignIn types ada's password on the start page of a browser
// that does not know her, which leads to the code page.
func passwordSignIn(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx,
		chromedp.Navigate(url+"/"),
		chromedp.SendKeys("#pw-email", "ada@example.com"),
		chromedp.SendKeys("#password", goodPassword),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#code"),
	)
}
