package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/web/webtest"
)

// A request authenticates once: the handler passes the engine's Caller to
// every engine method it calls, and none of them looks the token up again.
// The home page calls four; the report page reports, then asks whether
// the report signed its own session out.
func TestOneSessionLookupPerRequest(t *testing.T) {
	r := webtest.New(t)
	token, _ := r.SignIn(t, "ada@example.com")
	r.Clock.Advance(time.Minute)
	other := r.Flow(t, "ada@example.com")
	r.Clock.Advance(time.Minute)
	for _, c := range []struct {
		name string
		send func()
	}{
		{"GET /", func() { r.Page(t, "GET", "/", nil, token, http.StatusOK) }},
		{"GET /api/v1/me/sessions", func() { r.API(t, "GET", "/api/v1/me/sessions", "", token, http.StatusOK, nil) }},
		{"POST /api/v1/me/activity/{flow_id}/report", func() {
			r.API(t, "POST", "/api/v1/me/activity/"+other+"/report", "", token, http.StatusOK, nil)
		}},
		{"POST /account/activity/{flow_id}/report", func() {
			// A request made after this session began: it stays.
			a := r.Page(t, "POST", "/account/activity/"+other+"/report", url.Values{}, token, http.StatusOK)
			if strings.Contains(a.Body, "signed out too") {
				t.Error("the report page says a session it kept was signed out")
			}
		}},
		{"POST /sign-out", func() { r.Page(t, "POST", "/sign-out", url.Values{}, token, http.StatusSeeOther) }},
	} {
		if n := r.Lookups(c.send); n != 1 {
			t.Errorf("%s looked the session up %d times, want 1", c.name, n)
		} else {
			t.Logf("%s: %d session look-up", c.name, n)
		}
	}
	// Signed out, the token no longer works: the count was of real
	// look-ups, not of a cache.
	r.API(t, "GET", "/api/v1/me/sessions", "", token, http.StatusUnauthorized, nil)
}

// The report page still tells when the report signed its own session out,
// now by asking the engine about the Caller rather than authenticating
// the cookie a third time: reporting the sign-in that started the session
// ends it.
func TestReportPageSaysItSignedThisSessionOut(t *testing.T) {
	r := webtest.New(t)
	token, flow := r.SignIn(t, "ada@example.com")
	var a webtest.Answer
	n := r.Lookups(func() {
		a = r.Page(t, "POST", "/account/activity/"+flow+"/report", url.Values{}, token, http.StatusOK)
	})
	if n != 1 {
		t.Errorf("the report page looked the session up %d times, want 1", n)
	}
	if !strings.Contains(a.Body, "This browser was signed out too") {
		t.Errorf("the page does not say this browser was signed out:\n%s", a.Body)
	}
	cleared := false
	for _, c := range a.Cookies {
		cleared = cleared || c.Name == "otpd_session" && c.MaxAge < 0
	}
	if !cleared {
		t.Errorf("the session cookie was not cleared: %v", a.Cookies)
	}
	r.API(t, "GET", "/api/v1/me/sessions", "", token, http.StatusUnauthorized, nil)
}
