package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// pageSignIn signs in through the pages in browser b, ticking "Remember
// this device" when remember is set.
func pageSignIn(t *testing.T, s *server, b *http.Client, email string, remember bool) {
	t.Helper()
	n := s.messages(t, email)
	resp, _ := postForm(t, b, s.url+"/sign-in", url.Values{"email": {email}})
	flowURL := resp.Header.Get("Location")
	form := url.Values{"code": {s.code(t, email, n)}}
	if remember {
		form.Set("remember", "1")
	}
	resp, page := postForm(t, b, s.url+flowURL+"/verify", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("verify: %d\n%s", resp.StatusCode, page)
	}
}

func wantRedirect(t *testing.T, resp *http.Response, prefix string) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%d to %q, want 303 to %s", resp.StatusCode, loc, prefix)
	}
	return loc
}

func TestPagesPasswordSignIn(t *testing.T) {
	s := startServer(t, roomyLimits)
	s.owner(t, "ada@example.com", "")
	b := browser(t)

	_, page := get(t, b, s.url+"/")
	mustContain(t, page, `action="/sign-in/password"`, `autocomplete="current-password"`, `href="/password/forgot"`, "Forgot your password?")
	if strings.Index(page, `action="/sign-in"`) > strings.Index(page, `action="/sign-in/password"`) {
		t.Error(`the "continue with email" form is not first`)
	}

	resp, page := postForm(t, b, s.url+"/sign-in/password", url.Values{"email": {"ada@example.com"}, "password": {"the wrong one, typed with care"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong password: %d", resp.StatusCode)
	}
	mustContain(t, page, `class="field-error"`, "do not match", `value="ada@example.com"`, `aria-invalid="true"`)
	if strings.Contains(page, "the wrong one") {
		t.Error("the page echoes the password")
	}

	n := s.messages(t, "ada@example.com")
	resp, _ = postForm(t, b, s.url+"/sign-in/password", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
	flowURL := wantRedirect(t, resp, "/flows/")
	_, page = get(t, b, s.url+flowURL)
	mustContain(t, page, "Your password was right", "recognise this device", `type="checkbox"`, `name="remember"`, "Remember this device", "failed sign-ins elsewhere do not lock you out")
	if strings.Contains(page, "checked") {
		t.Error(`"Remember this device" is ticked by default`)
	}
	path, _, _ := strings.Cut(flowURL, "?")
	resp, _ = postForm(t, b, s.url+path+"/verify", url.Values{"code": {s.code(t, "ada@example.com", n)}, "remember": {"1"}})
	wantRedirect(t, resp, "/")
	if !hasCookie(resp, "otpd_device") || !hasCookie(resp, "otpd_session") {
		t.Fatalf("cookies %v, want the session and the device", resp.Cookies())
	}
	_, page = get(t, b, s.url+"/")
	mustContain(t, page, "Sign-in methods", "Change password", "Devices", "this device")

	// Signed out, the remembered browser signs in with the password alone.
	postForm(t, b, s.url+"/sign-out", nil)
	n = s.messages(t, "ada@example.com")
	resp, _ = postForm(t, b, s.url+"/sign-in/password", url.Values{"email": {"ada@example.com"}, "password": {goodPassword}})
	wantRedirect(t, resp, "/")
	if resp.Header.Get("Location") != "/" || s.messages(t, "ada@example.com") != n {
		t.Errorf("the remembered browser was asked for a code: %q", resp.Header.Get("Location"))
	}
}

func hasCookie(resp *http.Response, name string) bool {
	for _, c := range resp.Cookies() {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

// Setting, changing and removing a password through the pages, each
// behind a step-up that leads back to the change.
func TestPagesStepUpAndPassword(t *testing.T) {
	s := startServer(t, roomyLimits)
	b := browser(t)
	pageSignIn(t, s, b, "ada@example.com", false)
	_, page := get(t, b, s.url+"/")
	mustContain(t, page, "Not set.", `href="/account/password"`, "Set a password")

	_, page = get(t, b, s.url+"/account/password")
	mustContain(t, page, "Confirm it", "a•••@example.com", `name="return" value="/account/password"`)
	n := s.messages(t, "ada@example.com")
	resp, _ := postForm(t, b, s.url+"/step-up", url.Values{"return": {"/account/password"}})
	codeURL := wantRedirect(t, resp, "/step-up/")
	_, page = get(t, b, s.url+codeURL)
	mustContain(t, page, `autocomplete="one-time-code"`, "a•••@example.com", `value="/account/password"`)
	path, _, _ := strings.Cut(codeURL, "?")
	resp, page = postForm(t, b, s.url+path+"/verify", url.Values{"code": {"12"}, "return": {"/account/password"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed step-up code: %d", resp.StatusCode)
	}
	mustContain(t, page, `id="code-error"`, "9-digit code")
	resp, _ = postForm(t, b, s.url+path+"/verify", url.Values{"code": {s.code(t, "ada@example.com", n)}, "return": {"/account/password"}})
	if loc := wantRedirect(t, resp, "/"); loc != "/account/password" {
		t.Fatalf("after the step-up: to %q, want back to /account/password", loc)
	}

	_, page = get(t, b, s.url+"/account/password")
	mustContain(t, page, "Set a password", `autocomplete="new-password"`, "Common passwords")
	resp, page = postForm(t, b, s.url+"/account/password", url.Values{"password": {"short"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("short password: %d", resp.StatusCode)
	}
	mustContain(t, page, `id="password-error"`, "too short", `aria-invalid="true"`)
	resp, _ = postForm(t, b, s.url+"/account/password", url.Values{"password": {goodPassword}})
	loc := wantRedirect(t, resp, "/?done=password-set")
	_, page = get(t, b, s.url+loc)
	mustContain(t, page, "Your password is set", "Change password", `href="/account/password/remove"`)

	_, page = get(t, b, s.url+"/account/password/remove")
	mustContain(t, page, "Remove your password?", `action="/account/password/remove"`)
	resp, _ = postForm(t, b, s.url+"/account/password/remove", nil)
	loc = wantRedirect(t, resp, "/?done=password-removed")
	_, page = get(t, b, s.url+loc)
	mustContain(t, page, "Your password is removed", "Not set.")
}

// A session without a recent step-up that posts a change is shown the
// step-up page, with a 403, and nothing changes.
func TestPagesChangeWithoutStepUp(t *testing.T) {
	s := startServer(t, roomyLimits)
	b := browser(t)
	pageSignIn(t, s, b, "ada@example.com", false)
	resp, page := postForm(t, b, s.url+"/account/password", url.Values{"password": {goodPassword}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a change without a step-up: %d", resp.StatusCode)
	}
	mustContain(t, page, "Confirm it", "confirm it is you first", `action="/step-up"`)
	if hasPassword(t, s, b) {
		t.Error("the password was set without a step-up")
	}
	// Only known local paths are followed after a step-up.
	for _, evil := range []string{"https://evil.example/", "//evil.example", "/account/password/../../x"} {
		_, page = get(t, b, s.url+"/step-up?return="+url.QueryEscape(evil))
		if strings.Contains(page, `name="return"`) || strings.Contains(page, "evil") {
			t.Errorf("the step-up page carries the return target %q:\n%s", evil, page)
		}
	}
	// Signed out, the account pages go to the start.
	resp, _ = get(t, http.DefaultClient, s.url+"/account/password")
	if resp.Request.URL.Path != "/" {
		t.Errorf("signed out, /account/password ends at %s", resp.Request.URL.Path)
	}
}

// hasPassword tells, through the API, whether the account of browser
// b's session has a password.
func hasPassword(t *testing.T, s *server, b *http.Client) bool {
	t.Helper()
	u, _ := url.Parse(s.url)
	for _, c := range b.Jar.Cookies(u) {
		if c.Name == "otpd_session" {
			api := s.client()
			api.Token = c.Value
			me, err := api.Me(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return me.HasPassword
		}
	}
	t.Fatal("the browser holds no session")
	return false
}

func TestPagesForgotAndReset(t *testing.T) {
	s := startServer(t, roomyLimits)
	owner := s.owner(t, "ada@example.com", "")
	b := browser(t)
	_, page := get(t, b, s.url+"/password/forgot")
	mustContain(t, page, `action="/password/forgot"`, `autocomplete="email"`)
	n := s.messages(t, "ada@example.com")
	resp, _ := postForm(t, b, s.url+"/password/forgot", url.Values{"email": {"ada@example.com"}})
	resetURL := wantRedirect(t, resp, "/password/reset/")
	_, page = get(t, b, s.url+resetURL)
	mustContain(t, page, `autocomplete="one-time-code"`, `autocomplete="new-password"`, "Common passwords", "Remember this device", "Every other session")

	code := s.code(t, "ada@example.com", n)
	resp, page = postForm(t, b, s.url+resetURL, url.Values{"code": {code}, "password": {"password"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a common password: %d", resp.StatusCode)
	}
	mustContain(t, page, `id="password-error"`)
	resp, _ = postForm(t, b, s.url+resetURL, url.Values{"code": {code}, "password": {"a brand new passphrase for ada"}})
	loc := wantRedirect(t, resp, "/?done=reset")
	_, page = get(t, b, s.url+loc)
	mustContain(t, page, "You are signed in", "every other session was signed out")
	_, err := owner.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")
}

func TestPagesForgetDevice(t *testing.T) {
	s := startServer(t, roomyLimits)
	b := browser(t)
	pageSignIn(t, s, b, "ada@example.com", true)
	_, page := get(t, b, s.url+"/")
	mustContain(t, page, "this device", `action="/devices/`, "Forget")
	i := strings.Index(page, `action="/devices/`)
	action, _, _ := strings.Cut(page[i+len(`action="`):], `"`)
	resp, _ := postForm(t, b, s.url+action, nil)
	loc := wantRedirect(t, resp, "/?done=device-forgotten")
	_, page = get(t, b, s.url+loc)
	mustContain(t, page, "The device is forgotten", "No remembered devices")

	resp, page = postForm(t, b, s.url+"/devices/nosuch/forget", nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("forgetting an unknown device: %d", resp.StatusCode)
	}
	mustContain(t, page, "not among the remembered ones")
}

// A locked-out browser is told when it may try again.
func TestPagesLockoutSaysWhen(t *testing.T) {
	s := startServer(t, withEnv(roomyLimits, "OTPD_LIMITS_LOCKOUT_AFTER", "3", "OTPD_LIMITS_LOCKOUT_BACKOFF", "1m"))
	s.owner(t, "ada@example.com", "")
	b := browser(t)
	form := url.Values{"email": {"ada@example.com"}, "password": {"a guess that is wrong, again"}}
	for range 4 {
		postForm(t, b, s.url+"/sign-in/password", form)
	}
	resp, page := postForm(t, b, s.url+"/sign-in/password", form)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("locked out: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	mustContain(t, page, "try again later (in ", `id="pw-error"`)
}
