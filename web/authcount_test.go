package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// lookups is how many session look-ups by token f makes.
func (a *authRig) lookups(f func()) int64 {
	before := a.store.lookups.Load()
	f()
	return a.store.lookups.Load() - before
}

// A request authenticates once: the handler passes the engine's Caller to
// every engine method it calls, and none of them looks the token up again.
// The home page calls four; the report page reports, then asks whether
// the report signed its own session out.
func TestOneSessionLookupPerRequest(t *testing.T) {
	a := newAuthRig(t)
	a.clock.Advance(time.Minute)
	other := a.signIn(t, "ada@example.com")
	a.clock.Advance(time.Minute)
	for _, c := range []struct {
		name string
		send func()
	}{
		{"GET /", func() { a.page(t, "GET", "/", nil, http.StatusOK) }},
		{"GET /api/v1/me/sessions", func() { a.api(t, "GET", "/api/v1/me/sessions", "", http.StatusOK, nil) }},
		{"POST /api/v1/me/activity/{flow_id}/report", func() {
			a.api(t, "POST", "/api/v1/me/activity/"+other+"/report", "", http.StatusOK, nil)
		}},
		{"POST /account/activity/{flow_id}/report", func() {
			// A request made after this session began: it stays.
			body, _ := a.page(t, "POST", "/account/activity/"+other+"/report", url.Values{}, http.StatusOK)
			if strings.Contains(body, "signed out too") {
				t.Error("the report page says a session it kept was signed out")
			}
		}},
		{"POST /sign-out", func() { a.page(t, "POST", "/sign-out", url.Values{}, http.StatusSeeOther) }},
	} {
		if n := a.lookups(c.send); n != 1 {
			t.Errorf("%s looked the session up %d times, want 1", c.name, n)
		} else {
			t.Logf("%s: %d session look-up", c.name, n)
		}
	}
	// Signed out, the token no longer works: the count was of real
	// look-ups, not of a cache.
	a.api(t, "GET", "/api/v1/me/sessions", "", http.StatusUnauthorized, nil)
}

// The report page still tells when the report signed its own session out,
// now by asking the engine about the Caller rather than authenticating
// the cookie a third time: reporting the sign-in that started the session
// ends it.
func TestReportPageSaysItSignedThisSessionOut(t *testing.T) {
	a := newAuthRig(t)
	var body string
	var cookies []*http.Cookie
	n := a.lookups(func() {
		body, cookies = a.page(t, "POST", "/account/activity/"+a.flow+"/report", url.Values{}, http.StatusOK)
	})
	if n != 1 {
		t.Errorf("the report page looked the session up %d times, want 1", n)
	}
	if !strings.Contains(body, "This browser was signed out too") {
		t.Errorf("the page does not say this browser was signed out:\n%s", body)
	}
	cleared := false
	for _, c := range cookies {
		cleared = cleared || c.Name == "otpd_session" && c.MaxAge < 0
	}
	if !cleared {
		t.Errorf("the session cookie was not cleared: %v", cookies)
	}
	a.api(t, "GET", "/api/v1/me/sessions", "", http.StatusUnauthorized, nil)
}
