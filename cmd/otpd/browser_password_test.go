package main

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A person with a password signs in with a real browser, at phone width,
// using the keyboard for the "Remember this device" box: a new browser
// needs a code and says why; once remembered, the password alone signs
// in; changing the password goes through the step-up page and back.
func TestBrowserPasswordSignIn(t *testing.T) {
	s := startServer(t, roomyLimits)
	s.owner(t, "ada@example.com", "")
	ctx := chromium(t)
	n := s.messages(t, "ada@example.com")
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/"),
		chromedp.SendKeys("#pw-email", "ada@example.com"),
		chromedp.SendKeys("#password", goodPassword),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#code"),
	)
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, ctx, "main", "Your password was right", "recognise this device", "Remember this device")
	err = chromedp.Do(ctx,
		chromedp.Focus("#remember"),
		chromedp.KeyEvent(" "),
		chromedp.SendKeys("#code", s.code(t, "ada@example.com", n)),
		chromedp.Submit("#code"),
		chromedp.WaitVisible("#devices-h"),
	)
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, ctx, "main", "Sign-in methods", "this device", "Headless Chrome on Linux")

	n = s.messages(t, "ada@example.com")
	err = chromedp.Do(ctx,
		chromedp.Click(`form[action="/sign-out"] button`),
		chromedp.WaitVisible("#pw-email"),
		chromedp.SendKeys("#pw-email", "ada@example.com"),
		chromedp.SendKeys("#password", goodPassword),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#devices-h"),
	)
	if err != nil {
		t.Fatalf("the remembered browser's password: %v", err)
	}
	if got := s.messages(t, "ada@example.com"); got != n {
		t.Errorf("the remembered browser was sent %d messages", got-n)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(`a[href="/account/password"]`),
		chromedp.WaitVisible(`form[action="/step-up"] button`),
	)
	if err != nil {
		t.Fatal(err)
	}
	wantText(t, ctx, "main", "Confirm it's you", "a•••@example.com")
	err = chromedp.Do(ctx, chromedp.Click(`form[action="/step-up"] button`), chromedp.WaitVisible("#code"))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#code", s.code(t, "ada@example.com", n)),
		chromedp.Submit("#code"),
		chromedp.WaitVisible(`input[autocomplete="new-password"]`),
		chromedp.SendKeys("#password", "a different passphrase, as long"),
		chromedp.Submit("#password"),
		chromedp.WaitVisible("#devices-h"),
	)
	if err != nil {
		t.Fatalf("change the password behind a step-up: %v", err)
	}
	wantText(t, ctx, "main", "Your password is set")
}

func wantText(t *testing.T, ctx context.Context, sel string, parts ...string) {
	t.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s lacks %q:\n%s", sel, p, text)
		}
	}
}
