package main

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromium returns a browser context, or skips when no Chromium is
// installed (and fails when OTPD_REQUIRE_BROWSER=1, as in CI).
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("OTPD_REQUIRE_BROWSER") == "1" {
			t.Fatal("OTPD_REQUIRE_BROWSER=1 but chromium is not installed")
		}
		t.Skip("chromium is not installed (apt-get install chromium); skipping the browser test")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(390, 844))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// A person signs in with a real browser: the Secure session cookie must
// work on a loopback http:// address, the forms must pass the CSP and
// CSRF checks, and no JavaScript is involved.
func TestBrowserSignIn(t *testing.T) {
	s := startServer(t, nil)
	ctx := chromium(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/"),
		chromedp.SendKeys("#email", "ada@example.com"),
		chromedp.Submit("#email"),
		chromedp.WaitVisible("#code"),
	)
	if err != nil {
		t.Fatal(err)
	}
	code := s.code(t, "ada@example.com", 0)
	wrong := "000 000 000"
	if code == "000000000" {
		wrong = "000 000 001"
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#code", wrong),
		chromedp.Submit("#code"),
		chromedp.WaitVisible(`[role="alert"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	alert, err := chromedp.Run(ctx, chromedp.Text(`[role="alert"]`))
	if err != nil || !strings.Contains(alert, "4 tries left") {
		t.Fatalf("wrong code alert %q, %v", alert, err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#code", code),
		chromedp.Submit("#code"),
		chromedp.WaitVisible("#account-h"),
	)
	if err != nil {
		t.Fatal(err)
	}
	main, err := chromedp.Run(ctx, chromedp.Text("main"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ada@example.com", "A code to create your account was requested", "A wrong code was entered once.",
		"It was used to create your account", "Signed in with a code", "Headless Chrome/Linux"} {
		if !strings.Contains(main, want) {
			t.Errorf("home page lacks %q:\n%s", want, main)
		}
	}
	err = chromedp.Do(ctx, chromedp.Click(`form[action="/sign-out"] button`), chromedp.WaitVisible("#email"))
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
}
