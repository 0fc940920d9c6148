package pages_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd/web"
	"github.com/otpd/otpd/web/edge"
	"github.com/otpd/otpd/web/webtest"
)

const (
	app       = "https://app.example.com"
	appTarget = app + "/after?x=1"
)

// returnRig is a rig whose pages may send a browser back to app.
func returnRig(t *testing.T) *webtest.Rig {
	t.Helper()
	rs, err := edge.NewReturns([]string{app})
	if err != nil {
		t.Fatal(err)
	}
	return webtest.NewWeb(t, func(o *web.Options) { o.Returns = rs })
}

// carries checks that a page carries target on in its forms and lets
// them end at its origin, and only there.
func carries(t *testing.T, a webtest.Answer, target string) {
	t.Helper()
	input := `<input type="hidden" name="return" value="` + html.EscapeString(target) + `">`
	if !strings.Contains(a.Body, input) {
		t.Errorf("page lacks %s", input)
	}
	if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+app+";") {
		t.Errorf("CSP %q does not allow forms to end at %s", csp, app)
	}
}

// carriesNothing checks that a page carries no return target on and
// keeps its forms here.
func carriesNothing(t *testing.T, a webtest.Answer) {
	t.Helper()
	if strings.Contains(a.Body, `name="return"`) {
		t.Errorf("page carries a return target:\n%s", a.Body)
	}
	if csp := a.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self';") {
		t.Errorf("CSP %q lets forms end elsewhere", csp)
	}
}

func location(t *testing.T, a webtest.Answer, want string) {
	t.Helper()
	if got := a.Header.Get("Location"); got != want {
		t.Fatalf("to %q, want %q", got, want)
	}
}

func next(t *testing.T, a webtest.Answer, prefix string) string {
	t.Helper()
	loc := a.Header.Get("Location")
	if !strings.HasPrefix(loc, prefix) {
		t.Fatalf("to %q, want %s...", loc, prefix)
	}
	return loc
}

// A code sign-in that starts with ?return= ends at the app.
func TestSignInReturnsToTheApp(t *testing.T) {
	r := returnRig(t)
	q := "?" + url.Values{"return": {appTarget}}.Encode()
	carries(t, r.Page(t, "GET", "/"+q, nil, "", http.StatusOK), appTarget)

	a := r.Page(t, "POST", "/sign-in", url.Values{"email": {"ada@example.com"}, "return": {appTarget}}, "", http.StatusSeeOther)
	flow := next(t, a, "/flows/")
	if u, _ := url.Parse(flow); u.Query().Get("return") != appTarget {
		t.Fatalf("code page %q lost the return target", flow)
	}
	carries(t, r.Page(t, "GET", flow, nil, "", http.StatusOK), appTarget)
	path := strings.Split(flow, "?")[0]

	// A wrong code shows the page again, still carrying it.
	carries(t, r.Page(t, "POST", path+"/verify", url.Values{"code": {"12"}, "return": {appTarget}}, "", http.StatusBadRequest), appTarget)

	a = r.Page(t, "POST", path+"/verify", url.Values{"code": {r.Code(t, "ada@example.com")}, "return": {appTarget}}, "", http.StatusSeeOther)
	location(t, a, appTarget)

	// Signed in already, the start page sends the browser straight back.
	var session string
	for _, c := range a.Cookies {
		if c.Name == "otpd_session" {
			session = c.Value
		}
	}
	location(t, r.Page(t, "GET", "/"+q, nil, session, http.StatusSeeOther), appTarget)
	r.Page(t, "GET", "/?return=https%3A%2F%2Fevil.example%2F", nil, session, http.StatusOK)
}

// hostileReturns are the ways out of the allowed origin a crafted link
// might try; edge's table test has the rest.
var hostileReturns = []string{
	"//evil.example/", "https://evil.example/", "https://app.example.com.evil.example/",
	"https://app.example.com@evil.example/", "https://evil.example\\@app.example.com/",
	"https:\\\\evil.example", "https://app%2eexample.com/", "javascript:alert(1)",
	"https://app.example.com:8443/", "http://app.example.com/", "/\\evil.example",
}

// No crafted return target is carried or followed, on any page of the
// sign-in: the browser stays here.
func TestSignInIgnoresOtherReturns(t *testing.T) {
	r := returnRig(t)
	for _, ret := range hostileReturns {
		q := "?" + url.Values{"return": {ret}}.Encode()
		carriesNothing(t, r.Page(t, "GET", "/"+q, nil, "", http.StatusOK))
		carriesNothing(t, r.Page(t, "GET", "/password/forgot"+q, nil, "", http.StatusOK))
		a := r.Page(t, "POST", "/sign-in", url.Values{"email": {"ada@example.com"}, "return": {ret}}, "", http.StatusSeeOther)
		flow := next(t, a, "/flows/")
		if strings.Contains(flow, "return") {
			t.Errorf("return %q: carried on to %q", ret, flow)
		}
		carriesNothing(t, r.Page(t, "GET", flow+q, nil, "", http.StatusOK))
		a = r.Page(t, "POST", flow+"/verify", url.Values{"code": {r.Code(t, "ada@example.com")}, "return": {ret}}, "", http.StatusSeeOther)
		location(t, a, "/")
	}
}

// A password that needs a code, a reset and a step-up carry the return
// target through to the app too.
func TestPasswordResetAndStepUpReturnToTheApp(t *testing.T) {
	r := returnRig(t)
	const email, pw = "ada@example.com", "a long passphrase nobody guesses"
	token, _ := r.SignIn(t, email)
	r.StepUp(t, token, email)
	r.API(t, "PUT", "/api/v1/me/password", `{"password":"`+pw+`"}`, token, http.StatusNoContent, nil)
	r.Deliver(t) // the notice of the new password

	// The password from a device the account does not know needs a code.
	a := r.Page(t, "POST", "/sign-in/password", url.Values{"email": {email}, "password": {pw}, "return": {appTarget}}, "", http.StatusSeeOther)
	flow := next(t, a, "/flows/")
	carries(t, r.Page(t, "GET", flow, nil, "", http.StatusOK), appTarget)
	a = r.Page(t, "POST", strings.Split(flow, "?")[0]+"/verify", url.Values{"code": {r.Code(t, email)}, "return": {appTarget}}, "", http.StatusSeeOther)
	location(t, a, appTarget)

	// A wrong password shows the start page again, still carrying it.
	carries(t, r.Page(t, "POST", "/sign-in/password", url.Values{"email": {email}, "password": {"wrong wrong wrong wrong"},
		"return": {appTarget}}, "", http.StatusUnauthorized), appTarget)

	// Reset.
	q := "?" + url.Values{"return": {appTarget}}.Encode()
	carries(t, r.Page(t, "GET", "/password/forgot"+q, nil, "", http.StatusOK), appTarget)
	a = r.Page(t, "POST", "/password/forgot", url.Values{"email": {email}, "return": {appTarget}}, "", http.StatusSeeOther)
	reset := next(t, a, "/password/reset/")
	carries(t, r.Page(t, "GET", reset, nil, "", http.StatusOK), appTarget)
	a = r.Page(t, "POST", strings.Split(reset, "?")[0], url.Values{"code": {r.Code(t, email)}, "password": {pw + " anew"},
		"return": {appTarget}}, "", http.StatusSeeOther)
	location(t, a, appTarget)
	var session string
	for _, c := range a.Cookies {
		if c.Name == "otpd_session" {
			session = c.Value
		}
	}

	// Step-up.
	r.Deliver(t) // the notice of the reset
	carries(t, r.Page(t, "GET", "/step-up"+q, nil, session, http.StatusOK), appTarget)
	a = r.Page(t, "POST", "/step-up", url.Values{"return": {appTarget}}, session, http.StatusSeeOther)
	step := next(t, a, "/step-up/")
	carries(t, r.Page(t, "GET", step, nil, session, http.StatusOK), appTarget)
	a = r.Page(t, "POST", strings.Split(step, "?")[0]+"/verify", url.Values{"code": {r.Code(t, email)}, "return": {appTarget}}, session, http.StatusSeeOther)
	location(t, a, appTarget)

	// Local step-up returns still work, and crafted ones end at home.
	a = r.Page(t, "POST", "/step-up", url.Values{"return": {"/account/password"}}, session, http.StatusSeeOther)
	step = next(t, a, "/step-up/")
	for _, ret := range hostileReturns {
		carriesNothing(t, r.Page(t, "GET", "/step-up?"+url.Values{"return": {ret}}.Encode(), nil, session, http.StatusOK))
	}
	r.Deliver(t) // the code the resend replaces
	r.Clock.Advance(30 * time.Second)
	a = r.Page(t, "POST", strings.Split(step, "?")[0]+"/resend", url.Values{"return": {"/account/password"}}, session, http.StatusSeeOther)
	step = next(t, a, "/step-up/")
	if !strings.Contains(step, "return=%2Faccount%2Fpassword") {
		t.Errorf("resend lost the return target: %q", step)
	}
	a = r.Page(t, "POST", strings.Split(step, "?")[0]+"/verify", url.Values{"code": {r.Code(t, email)}, "return": {"/account/password"}}, session, http.StatusSeeOther)
	location(t, a, "/account/password")
}
