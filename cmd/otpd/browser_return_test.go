package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A first-party app sends a browser to sign in with ?return=: Chromium
// follows the code form's redirect to the app's origin, which the page's
// form-action allows (a form whose redirect leaves 'self' is blocked
// otherwise), and a return target not configured keeps it here.
func TestBrowserReturnsToTheApp(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>app</title><h1 id="app">Welcome back to the app at %s</h1>`, r.URL.Path)
	}))
	t.Cleanup(app.Close)
	cfg := filepath.Join(t.TempDir(), "otpd.toml")
	if err := os.WriteFile(cfg, []byte(`return_to = ["`+app.URL+`"]`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startServer(t, nil, "--config", cfg)
	ctx := chromium(t)

	target := app.URL + "/landing?x=1"
	err := chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/?"+url.Values{"return": {target}}.Encode()),
		chromedp.SendKeys("#email", "ada@example.com"),
		chromedp.Submit("#email"),
		chromedp.WaitVisible("#code"),
	)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys("#code", s.code(t, "ada@example.com", 0)),
		chromedp.Submit("#code"),
		chromedp.WaitVisible("#app"),
	)
	if err != nil {
		t.Fatalf("the code form did not lead back to the app: %v", err)
	}
	heading, err := chromedp.Run(ctx, chromedp.Text("#app"))
	if err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if loc != target || !strings.Contains(heading, "/landing") {
		t.Fatalf("at %q (%q), want %q", loc, heading, target)
	}

	// Signed in already, the start page sends the browser straight back;
	// a return target not configured is ignored.
	err = chromedp.Do(ctx,
		chromedp.Navigate(s.url+"/?"+url.Values{"return": {app.URL + "/again"}}.Encode()),
		chromedp.WaitVisible("#app"),
		chromedp.Navigate(s.url+"/?"+url.Values{"return": {"https://evil.example/"}}.Encode()),
		chromedp.WaitVisible("#account-h"),
	)
	if err != nil {
		t.Fatal(err)
	}
	if loc, err = chromedp.Run(ctx, chromedp.Location()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(loc, s.url+"/") {
		t.Fatalf("a crafted return target led to %q", loc)
	}
}
