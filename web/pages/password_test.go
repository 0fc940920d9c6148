package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/signin"
	"github.com/otpd/otpd/web/webtest"
)

func TestPagesPasswordSignIn(t *testing.T) {
	r := webtest.New(t)
	r.Owner(t, "ada@example.com", "")
	b := r.Browser("")

	_, page := get(t, b, "/")
	mustContain(t, page, `action="/sign-in/password"`, `autocomplete="current-password"`, `href="/password/forgot"`, "Forgot your password?")
	if strings.Index(page, `action="/sign-in"`) > strings.Index(page, `action="/sign-in/password"`) {
		t.Error(`the "continue with email" form is not first`)
	}

	resp, page := postForm(t, b, "/sign-in/password", url.Values{"email": {"ada@example.com"}, "password": {"the wrong one, typed with care"}})
	if resp.Status != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", resp.Status)
	}
	mustContain(t, page, `class="field-error"`, "do not match", `value="ada@example.com"`, `aria-invalid="true"`)
	if strings.Contains(page, "the wrong one") {
		t.Error("the page echoes the password")
	}

	n := r.Messages(t, "ada@example.com")
	resp, _ = postForm(t, b, "/sign-in/password", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
	flowURL := wantRedirect(t, resp, "/flows/")
	_, page = get(t, b, flowURL)
	mustContain(t, page, "Your password was right", "recognise this device", `type="checkbox"`, `name="remember"`, "Remember this device", "failed sign-ins elsewhere do not lock you out")
	if strings.Contains(page, "checked") {
		t.Error(`"Remember this device" is ticked by default`)
	}
	path, _, _ := strings.Cut(flowURL, "?")
	resp, _ = postForm(t, b, path+"/verify", url.Values{"code": {r.CodeAfter(t, "ada@example.com", n)}, "remember": {"1"}})
	wantRedirect(t, resp, "/")
	if !hasCookie(resp, "otpd_device") || !hasCookie(resp, "otpd_session") {
		t.Fatalf("cookies %v, want the session and the device", resp.Cookies)
	}
	_, page = get(t, b, "/")
	mustContain(t, page, "Sign-in methods", "Change password", "Devices", "this device")

	// Signed out, the remembered browser signs in with the password alone.
	postForm(t, b, "/sign-out", nil)
	n = r.Messages(t, "ada@example.com")
	resp, _ = postForm(t, b, "/sign-in/password", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
	wantRedirect(t, resp, "/")
	if resp.Header.Get("Location") != "/" || r.Messages(t, "ada@example.com") != n {
		t.Errorf("the remembered browser was asked for a code: %q", resp.Header.Get("Location"))
	}
}

// Setting, changing and removing a password through the pages, each
// behind a step-up that leads back to the change.
func TestPagesStepUpAndPassword(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	_, page := get(t, b, "/")
	mustContain(t, page, "Not set.", `href="/account/password"`, "Set a password")

	_, page = get(t, b, "/account/password")
	mustContain(t, page, "Confirm it", "a•••@example.com", `name="return" value="/account/password"`)
	n := r.Messages(t, "ada@example.com")
	resp, _ := postForm(t, b, "/step-up", url.Values{"return": {"/account/password"}})
	codeURL := wantRedirect(t, resp, "/step-up/")
	_, page = get(t, b, codeURL)
	mustContain(t, page, `autocomplete="one-time-code"`, "a•••@example.com", `value="/account/password"`)
	path, _, _ := strings.Cut(codeURL, "?")
	resp, page = postForm(t, b, path+"/verify", url.Values{"code": {"12"}, "return": {"/account/password"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("malformed step-up code: %d", resp.Status)
	}
	mustContain(t, page, `id="code-error"`, "9-digit code")
	resp, _ = postForm(t, b, path+"/verify", url.Values{"code": {r.CodeAfter(t, "ada@example.com", n)}, "return": {"/account/password"}})
	if loc := wantRedirect(t, resp, "/"); loc != "/account/password" {
		t.Fatalf("after the step-up: to %q, want back to /account/password", loc)
	}

	_, page = get(t, b, "/account/password")
	mustContain(t, page, "Set a password", `autocomplete="new-password"`, "Common passwords")
	resp, page = postForm(t, b, "/account/password", url.Values{"password": {"short"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("short password: %d", resp.Status)
	}
	mustContain(t, page, `id="password-error"`, "too short", `aria-invalid="true"`)
	resp, _ = postForm(t, b, "/account/password", url.Values{"password": {goodPassword}})
	loc := wantRedirect(t, resp, "/?done=password-set")
	_, page = get(t, b, loc)
	mustContain(t, page, "Your password is set", "Change password", `href="/account/password/remove"`)

	_, page = get(t, b, "/account/password/remove")
	mustContain(t, page, "Remove your password?", `action="/account/password/remove"`)
	resp, _ = postForm(t, b, "/account/password/remove", nil)
	loc = wantRedirect(t, resp, "/?done=password-removed")
	_, page = get(t, b, loc)
	mustContain(t, page, "Your password is removed", "Not set.")
}

// A session without a recent step-up that posts a change is shown the
// step-up page, with a 403, and nothing changes.
func TestPagesChangeWithoutStepUp(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", false)
	resp, page := postForm(t, b, "/account/password", url.Values{"password": {goodPassword}})
	if resp.Status != http.StatusForbidden {
		t.Errorf("a change without a step-up: %d", resp.Status)
	}
	mustContain(t, page, "Confirm it", "Confirm it is you first", `action="/step-up"`)
	if hasPassword(t, r, b) {
		t.Error("the password was set without a step-up")
	}
	// Only known local paths are followed after a step-up.
	for _, evil := range []string{"https://evil.example/", "//evil.example", "/account/password/../../x"} {
		_, page = get(t, b, "/step-up?return="+url.QueryEscape(evil))
		if strings.Contains(page, `name="return"`) || strings.Contains(page, "evil") {
			t.Errorf("the step-up page carries the return target %q:\n%s", evil, page)
		}
	}
	// Signed out, the account pages go to the start.
	res, err := http.Get(r.URL + "/account/password")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != "/" {
		t.Errorf("signed out, /account/password ends at %s", res.Request.URL.Path)
	}
}

func TestPagesForgotAndReset(t *testing.T) {
	r := webtest.New(t)
	owner := r.Owner(t, "ada@example.com", "")
	b := r.Browser("")
	_, page := get(t, b, "/password/forgot")
	mustContain(t, page, `action="/password/forgot"`, `autocomplete="email"`)
	n := r.Messages(t, "ada@example.com")
	resp, _ := postForm(t, b, "/password/forgot", url.Values{"email": {"ada@example.com"}})
	resetURL := wantRedirect(t, resp, "/password/reset/")
	_, page = get(t, b, resetURL)
	mustContain(t, page, `autocomplete="one-time-code"`, `autocomplete="new-password"`, "Common passwords", "Remember this device", "Every other session")

	code := r.CodeAfter(t, "ada@example.com", n)
	resp, page = postForm(t, b, resetURL, url.Values{"code": {code}, "password": {"password"}})
	if resp.Status != http.StatusBadRequest {
		t.Errorf("a common password: %d", resp.Status)
	}
	mustContain(t, page, `id="password-error"`)
	resp, _ = postForm(t, b, resetURL, url.Values{"code": {code}, "password": {"a brand new passphrase for ada"}})
	loc := wantRedirect(t, resp, "/?done=reset")
	_, page = get(t, b, loc)
	mustContain(t, page, "You are signed in", "every other session was signed out")
	_, err := owner.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
}

func TestPagesForgetDevice(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("")
	pageSignIn(t, r, b, "ada@example.com", true)
	_, page := get(t, b, "/")
	mustContain(t, page, "this device", `action="/devices/`, "Forget")
	i := strings.Index(page, `action="/devices/`)
	action, _, _ := strings.Cut(page[i+len(`action="`):], `"`)
	resp, _ := postForm(t, b, action, nil)
	loc := wantRedirect(t, resp, "/?done=device-forgotten")
	_, page = get(t, b, loc)
	mustContain(t, page, "The device is forgotten", "No remembered devices")

	resp, page = postForm(t, b, "/devices/nosuch/forget", nil)
	if resp.Status != http.StatusNotFound {
		t.Errorf("forgetting an unknown device: %d", resp.Status)
	}
	mustContain(t, page, "not among the remembered ones")
}

// A locked-out browser is told when it may try again.
func TestPagesLockoutSaysWhen(t *testing.T) {
	r := webtest.New(t, func(p *signin.Policy) { p.Guess.Free, p.Guess.Backoff = 3, time.Minute })
	r.Owner(t, "ada@example.com", "")
	b := r.Browser("")
	form := url.Values{"email": {"ada@example.com"}, "password": {"a guess that is wrong, again"}}
	for range 4 {
		postForm(t, b, "/sign-in/password", form)
	}
	resp, page := postForm(t, b, "/sign-in/password", form)
	if resp.Status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("locked out: %d, Retry-After %q", resp.Status, resp.Header.Get("Retry-After"))
	}
	mustContain(t, page, "try again later (in ", `id="pw-error"`)
}
