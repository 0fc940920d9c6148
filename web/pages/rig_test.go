package pages_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/client"
	"github.com/otpd/otpd/web/webtest"
)

var ctx = context.Background()

var apiError = webtest.APIError

// goodPassword is one the password policy takes.
const goodPassword = webtest.Password

// get opens path in browser b and returns the answer and its page.
func get(t *testing.T, b *webtest.Browser, path string) (webtest.Answer, string) {
	t.Helper()
	a := b.Get(t, path)
	return a, a.Body
}

// postForm submits form to path in browser b and returns the answer and
// its page.
func postForm(t *testing.T, b *webtest.Browser, path string, form url.Values) (webtest.Answer, string) {
	t.Helper()
	a := b.Post(t, path, form)
	return a, a.Body
}

// pageSignIn signs in through the pages in browser b, ticking "Remember
// this device" when remember is set.
func pageSignIn(t *testing.T, r *webtest.Rig, b *webtest.Browser, email string, remember bool) {
	t.Helper()
	n := r.Messages(t, email)
	resp, _ := postForm(t, b, "/sign-in", url.Values{"email": {email}})
	flowURL := resp.Header.Get("Location")
	form := url.Values{"code": {r.CodeAfter(t, email, n)}}
	if remember {
		form.Set("remember", "1")
	}
	resp, page := postForm(t, b, flowURL+"/verify", form)
	if resp.Status != http.StatusSeeOther {
		t.Fatalf("verify: %d\n%s", resp.Status, page)
	}
}

// pageStepUp confirms browser b's session with a code sent to email, on
// the way back to ret, and checks it goes back there.
func pageStepUp(t *testing.T, r *webtest.Rig, b *webtest.Browser, email, ret string) {
	t.Helper()
	n := r.Messages(t, email)
	resp, _ := postForm(t, b, "/step-up", url.Values{"return": {ret}})
	path, _, _ := strings.Cut(wantRedirect(t, resp, "/step-up/"), "?")
	resp, _ = postForm(t, b, path+"/verify", url.Values{"code": {r.CodeAfter(t, email, n)}, "return": {ret}})
	if loc := wantRedirect(t, resp, "/"); loc != ret {
		t.Fatalf("after the step-up: to %q, want %q", loc, ret)
	}
}

func wantRedirect(t *testing.T, resp webtest.Answer, prefix string) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.Status != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("%d to %q, want 303 to %s", resp.Status, loc, prefix)
	}
	return loc
}

func hasCookie(resp webtest.Answer, name string) bool {
	for _, c := range resp.Cookies {
		if c.Name == name && c.Value != "" {
			return true
		}
	}
	return false
}

func hasClearedCookie(resp webtest.Answer, name string) bool {
	for _, c := range resp.Cookies {
		if c.Name == name && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

// hasPassword tells, through the API, whether the account of browser
// b's session has a password.
func hasPassword(t *testing.T, r *webtest.Rig, b *webtest.Browser) bool {
	t.Helper()
	token := b.Cookie("otpd_session")
	if token == "" {
		t.Fatal("the browser holds no session")
	}
	api := r.Client("")
	api.Token = token
	me, err := api.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return me.HasPassword
}

// askFrom asks for a code for email as a client at ip, takes the email
// from the outbox, and returns the client and the flow.
//
// It moves the clock a millisecond on before, off the sign-in before it,
// and after, as waiting for the email would: the store keeps times to the
// millisecond, and a code asked for in a sign-in's own millisecond counts
// as unused news too.
func askFrom(t *testing.T, r *webtest.Rig, email, ip string) (*client.Client, client.Flow) {
	t.Helper()
	r.Clock.Advance(time.Millisecond)
	n := r.Messages(t, email)
	c := r.Client(ip)
	f, err := c.SignIn(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	r.Mail(t, email, n)
	r.Clock.Advance(time.Millisecond)
	return c, f
}

// reportLinks counts the "This wasn't me" links of a page.
func reportLinks(page string) int {
	return strings.Count(page, `href="/account/activity/`)
}

var denyLink = regexp.MustCompile(`https?://\S+/deny/[A-Za-z0-9._~%-]+`)

// undoLink is the one link of the notice to the old address after a
// change of address.
func undoLink(t *testing.T, m otpd.Email) string {
	t.Helper()
	links := denyLink.FindAllString(m.Text, -1)
	if len(links) != 1 {
		t.Fatalf("links %q in %q, want the undo link alone", links, m.Subject)
	}
	return links[0]
}
