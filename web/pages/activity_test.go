package pages_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// Someone in Lagos talks the owner's code out of them and signs in with
// it. The owner finds the request in their activity, in plain words and
// under its filter, and reports it: the session from Lagos ends, theirs
// does not.
func TestPagesActivityReportSignsOutTheAttacker(t *testing.T) {
	r := webtest.New(t)
	const email = "ada@example.com"
	b := r.Browser("203.0.113.5")
	pageSignIn(t, r, b, email, true)
	n := r.Messages(t, email)
	attacker, flow := askFrom(t, r, email, "198.51.100.9")
	in, err := attacker.Verify(ctx, flow.FlowID, r.CodeAfter(t, email, n))
	if err != nil {
		t.Fatal(err)
	}
	attacker.Token = in.SessionToken

	_, page := get(t, b, "/account/activity")
	mustContain(t, page, "A sign-in code was requested</span> from Lagos, Nigeria on Go-http-client at ",
		"It was used to sign in at ", "Your current sign-in", `href="/account/activity/`+flow.FlowID+`/report"`)
	if n := reportLinks(page); n != 1 {
		t.Errorf("%d requests offered for reporting, want the attacker's only: the owner's is this session's", n)
	}
	_, page = get(t, b, "/account/activity?kind=codes")
	mustContain(t, page, `aria-current="page">Code requests`, "from Lagos, Nigeria")
	if strings.Contains(page, "Signed in with a code") {
		t.Error("the code requests show sign-ins")
	}
	_, page = get(t, b, "/account/activity?kind=sign-ins")
	mustContain(t, page, "Signed in with a code</span> from Lagos, Nigeria")
	if strings.Contains(page, "was requested") {
		t.Error("the sign-ins show code requests")
	}
	resp, page := get(t, b, "/account/activity?kind=logins")
	if resp.Status != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d, want 400", resp.Status)
	}
	mustContain(t, page, "Kind must be one of sign-ins, codes, changes, devices, reports")

	resp, page = get(t, b, "/account/activity/"+flow.FlowID+"/report")
	if resp.Status != http.StatusOK {
		t.Fatalf("report page: %d", resp.Status)
	}
	mustContain(t, page, "Report this code request?", "Lagos, Nigeria", "198.51.100.9",
		"Every session started from 198.51.100.9 since the request is signed out", `action="/account/activity/`+flow.FlowID+`/report"`)
	if _, err := attacker.Me(ctx); err != nil {
		t.Fatalf("opening the report page changed something: %v", err)
	}
	resp, page = postForm(t, b, "/account/activity/"+flow.FlowID+"/report", nil)
	if resp.Status != http.StatusOK {
		t.Fatalf("report: %d\n%s", resp.Status, page)
	}
	mustContain(t, page, "your report is recorded", "already been used to sign in", "Three things to do now",
		`href="/account/code-sign-in"`, `href="/account/password"`, `href="/account/sessions"`)
	_, err = attacker.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")

	resp, page = get(t, b, "/account/activity?kind=reports")
	if resp.Status != http.StatusOK {
		t.Fatalf("after the report, the owner's activity: %d; want their session kept", resp.Status)
	}
	mustContain(t, page, "You reported a code request as not yours</span> from London, United Kingdom",
		"It was a sign-in code requested from Lagos, Nigeria")
	_, page = get(t, b, "/account/activity")
	mustContain(t, page, "You reported it as not yours at ", "Signed out the sessions started from 198.51.100.9")
	if n := reportLinks(page); n != 0 {
		t.Errorf("%d requests still offered for reporting", n)
	}
}

func TestPagesReportRefusesOthersRequests(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("203.0.113.5")
	pageSignIn(t, r, b, "ada@example.com", false)
	_, bobs := askFrom(t, r, "bob@example.com", "198.51.100.9")
	for _, flow := range []string{bobs.FlowID, "nosuchflow"} {
		resp, page := get(t, b, "/account/activity/"+flow+"/report")
		if resp.Status != http.StatusNotFound {
			t.Errorf("report page of %s: %d, want 404", flow, resp.Status)
		}
		mustContain(t, page, "not in your account")
		resp, page = postForm(t, b, "/account/activity/"+flow+"/report", nil)
		if resp.Status != http.StatusNotFound {
			t.Errorf("report of %s: %d, want 404", flow, resp.Status)
		}
		mustContain(t, page, "not in your account")
	}
}

// The home page tells of codes asked for since the last sign-in that
// the owner did not use, and stops once they are old news.
func TestPagesUnusedCodesBanner(t *testing.T) {
	r := webtest.New(t)
	const email = "ada@example.com"
	b := r.Browser("203.0.113.5")
	pageSignIn(t, r, b, email, false)
	_, page := get(t, b, "/")
	if strings.Contains(page, `id="unused-h"`) {
		t.Error("a banner on a new account")
	}
	askFrom(t, r, email, "198.51.100.9")
	askFrom(t, r, email, "198.51.100.10")
	pageSignIn(t, r, b, email, false)
	_, page = get(t, b, "/")
	mustContain(t, page, `id="unused-h"`, "2 codes were asked for that you did not use", "from Lagos, Nigeria, and never used",
		`href="/account/activity?kind=codes"`)
	pageSignIn(t, r, b, email, false)
	_, page = get(t, b, "/")
	if strings.Contains(page, `id="unused-h"`) {
		t.Error("the banner outlived the next sign-in")
	}
}

func TestPagesSessions(t *testing.T) {
	r := webtest.New(t)
	b := r.Browser("203.0.113.5")
	pageSignIn(t, r, b, "ada@example.com", false)
	laptop := r.Session(t, "ada@example.com", "198.51.100.9")
	id := webtest.CurrentSession(t, laptop)
	_, page := get(t, b, "/account/sessions")
	mustContain(t, page, "This device", "London, United Kingdom", "Lagos, Nigeria", "Go-http-client",
		`action="/account/sessions/`+id+`/sign-out"`, `action="/account/sign-out-everywhere"`)

	bob := r.Browser("203.0.113.7")
	pageSignIn(t, r, bob, "bob@example.com", false)
	resp, page := postForm(t, bob, "/account/sessions/"+id+"/sign-out", nil)
	if resp.Status != http.StatusNotFound {
		t.Errorf("another account's session: %d, want 404", resp.Status)
	}
	mustContain(t, page, "This session does not exist or has ended")

	resp, _ = postForm(t, b, "/account/sessions/"+id+"/sign-out", nil)
	loc := wantRedirect(t, resp, "/account/sessions?done=session-ended")
	_, page = get(t, b, loc)
	mustContain(t, page, "The session is signed out")
	if strings.Contains(page, "Lagos, Nigeria") {
		t.Error("the ended session is still listed")
	}
	_, err := laptop.Me(ctx)
	apiError(t, err, http.StatusUnauthorized, "unauthorized")

	// Ending this session from the list is signing out.
	_, page = get(t, b, "/account/sessions")
	i := strings.Index(page, `action="/account/sessions/`)
	if i < 0 {
		t.Fatalf("no way to sign this device out:\n%s", page)
	}
	action, _, _ := strings.Cut(page[i+len(`action="`):], `"`)
	resp, _ = postForm(t, b, action, url.Values{})
	wantRedirect(t, resp, "/")
	if !hasClearedCookie(resp, "otpd_session") {
		t.Errorf("signing this session out left its cookie: %v", resp.Cookies)
	}
	resp, _ = get(t, b, "/account/sessions")
	wantRedirect(t, resp, "/")
}

// A flood of requests from scattered networks is one entry of the
// activity, with its count and places, not a line per request.
func TestPagesActivityFoldsACampaign(t *testing.T) {
	r := webtest.New(t)
	const email = "ada@example.com"
	b := r.Browser("203.0.113.5")
	pageSignIn(t, r, b, email, true)
	// The third network starts the campaign; the codes asked for after
	// it, from devices the account does not know, are held back.
	for _, ip := range []string{"198.51.100.9", "192.0.2.9", "198.51.100.10", "198.51.100.11", "198.51.100.12", "198.51.100.13"} {
		if _, err := r.Client(ip).SignIn(ctx, email); err != nil {
			t.Fatal(err)
		}
	}
	_, page := get(t, b, "/account/activity?kind=codes")
	mustContain(t, page, "Codes for your account were asked for 7 times</span> from ", "London, United Kingdom", "Lagos, Nigeria",
		"Your account is under attack: until ", "codes for devices it does not know are held back")
	if n := strings.Count(page, "was requested</span> from Lagos"); n != 1 {
		t.Errorf("%d requests from Lagos listed one by one, want only the one before the campaign", n)
	}
	_, page = get(t, b, "/")
	mustContain(t, page, "codes for your account are being asked for from many places")
}
