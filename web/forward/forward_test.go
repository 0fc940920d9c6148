package forward_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/web"
	"github.com/otpd/otpd/web/edge"
	"github.com/otpd/otpd/web/forward"
	"github.com/otpd/otpd/web/webtest"
)

const signIn = "https://login.example.com"

// rig serves forward auth for three apps, trusting the test's own
// connections as the proxy's when trusted.
func rig(t *testing.T, trusted bool, hosts ...forward.Host) *webtest.Rig {
	t.Helper()
	var origins []string
	for _, h := range hosts {
		origins = append(origins, h.Origin)
	}
	rs, err := edge.NewReturns(origins)
	if err != nil {
		t.Fatal(err)
	}
	return webtest.NewWeb(t, func(o *web.Options) {
		// The rig trusts its loopback proxy; a rig that must not trust
		// the caller trusts nobody.
		o.TrustedProxies = nil
		if trusted {
			o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		}
		o.Returns = rs
		o.Forward = &forward.Options{Hosts: hosts, UserHeader: "Remote-User", EmailHeader: "Remote-Email", SignIn: signIn}
	})
}

var (
	wiki  = forward.Host{Origin: "https://wiki.example.com", Policy: otpd.AccessPolicy{Domains: []string{"example.com"}}}
	admin = forward.Host{Origin: "https://admin.example.com:8443", Policy: otpd.AccessPolicy{Domains: []string{"example.com"}, FreshCode: true}}
)

// ask sends the proxy's question about original; header adds to it.
func ask(t *testing.T, r *webtest.Rig, header http.Header) webtest.Answer {
	t.Helper()
	req, err := http.NewRequest("GET", r.URL+"/auth/forward", nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	return r.Do(t, req)
}

func nginx(original string, more ...string) http.Header {
	h := http.Header{"X-Original-Url": {original}}
	for i := 0; i+1 < len(more); i += 2 {
		h.Add(more[i], more[i+1])
	}
	return h
}

func caddy(proto, host, uri string, more ...string) http.Header {
	h := http.Header{"X-Forwarded-Proto": {proto}, "X-Forwarded-Host": {host}, "X-Forwarded-Uri": {uri}}
	for i := 0; i+1 < len(more); i += 2 {
		h.Add(more[i], more[i+1])
	}
	return h
}

func want(t *testing.T, a webtest.Answer, status int, code string) {
	t.Helper()
	if a.Status != status {
		t.Fatalf("answer %d, want %d: %s", a.Status, status, a.Body)
	}
	if code == "" {
		return
	}
	var body edge.ErrorBody
	if err := json.Unmarshal([]byte(a.Body), &body); err != nil || body.Error.Code != code {
		t.Fatalf("body %q, want error %s", a.Body, code)
	}
}

func accountID(t *testing.T, r *webtest.Rig, token string) string {
	t.Helper()
	var me struct {
		ID string `json:"id"`
	}
	r.API(t, "GET", "/api/v1/me", "", token, http.StatusOK, &me)
	return me.ID
}

// A session the host admits passes, named in the two headers, through
// either way a proxy names the request, by cookie or by bearer token.
func TestForwardAuthAdmitsASession(t *testing.T) {
	r := rig(t, true, wiki)
	token, _ := r.SignIn(t, "ada@example.com")
	id := accountID(t, r, token)
	cookie := "otpd_session=" + token
	for name, h := range map[string]http.Header{
		"nginx":  nginx("https://wiki.example.com/page?x=1", "Cookie", cookie),
		"caddy":  caddy("https", "wiki.example.com", "/page?x=1", "Cookie", cookie),
		"bearer": caddy("https", "wiki.example.com", "/api", "Authorization", "Bearer "+token),
		"port":   nginx("https://wiki.example.com:443/", "Cookie", cookie),
	} {
		a := ask(t, r, h)
		if a.Status != http.StatusOK || a.Header.Get("Remote-User") != id || a.Header.Get("Remote-Email") != "ada@example.com" {
			t.Errorf("%s: %d, Remote-User %q, Remote-Email %q; want 200, %s, ada@example.com",
				name, a.Status, a.Header.Get("Remote-User"), a.Header.Get("Remote-Email"), id)
		}
	}
	if n := r.Lookups(func() { ask(t, r, nginx("https://wiki.example.com/", "Cookie", cookie)) }); n != 1 {
		t.Errorf("one question looked the session up %d times", n)
	}
}

// Without a session a program is told 401, and a browser is sent to sign
// in with the original URL to come back to: a 302 for Caddy and Traefik,
// a 401 with Location for nginx, which redirects itself.
func TestForwardAuthSendsABrowserToSignIn(t *testing.T) {
	r := rig(t, true, wiki)
	back := signIn + "/?" + url.Values{"return": {"https://wiki.example.com/page?x=1"}}.Encode()

	a := ask(t, r, caddy("https", "wiki.example.com", "/page?x=1", "Accept", "text/html,application/xhtml+xml"))
	want(t, a, http.StatusFound, "")
	if a.Header.Get("Location") != back {
		t.Errorf("browser through Caddy: to %q, want %q", a.Header.Get("Location"), back)
	}
	a = ask(t, r, nginx("https://wiki.example.com/page?x=1", "Accept", "text/html"))
	want(t, a, http.StatusUnauthorized, otpd.EUnauthorized)
	if a.Header.Get("Location") != back {
		t.Errorf("browser through nginx: Location %q, want %q", a.Header.Get("Location"), back)
	}
	for _, h := range []http.Header{
		nginx("https://wiki.example.com/", "Accept", "application/json"),
		caddy("https", "wiki.example.com", "/", "Cookie", "otpd_session=expired"),
		caddy("https", "wiki.example.com", "/", "Authorization", "Bearer junk"),
		caddy("https", "wiki.example.com", "/", "Authorization", "Basic YTpi"),
	} {
		a := ask(t, r, h)
		want(t, a, http.StatusUnauthorized, otpd.EUnauthorized)
		if a.Header.Get("Location") != "" || a.Header.Get("Remote-User") != "" {
			t.Errorf("program %v: Location %q, Remote-User %q", h, a.Header.Get("Location"), a.Header.Get("Remote-User"))
		}
	}
}

// An account the host does not admit is refused, whatever it sends.
func TestForwardAuthRefusesOtherAccounts(t *testing.T) {
	ids := forward.Host{Origin: "https://ids.example.com", Policy: otpd.AccessPolicy{Accounts: []string{"someone-else"}}}
	r := rig(t, true, wiki, ids)
	token, _ := r.SignIn(t, "eve@example.org")
	for _, h := range []http.Header{
		nginx("https://wiki.example.com/", "Cookie", "otpd_session="+token, "Accept", "text/html"),
		caddy("https", "wiki.example.com", "/", "Authorization", "Bearer "+token),
		nginx("https://ids.example.com/", "Cookie", "otpd_session="+token),
	} {
		a := ask(t, r, h)
		want(t, a, http.StatusForbidden, edge.EForbidden)
		if a.Header.Get("Remote-User") != "" || a.Header.Get("Location") != "" {
			t.Errorf("refused: Remote-User %q, Location %q", a.Header.Get("Remote-User"), a.Header.Get("Location"))
		}
	}
	ada, _ := r.SignIn(t, "ada@example.com")
	want(t, ask(t, r, nginx("https://ids.example.com/", "Cookie", "otpd_session="+ada)), http.StatusForbidden, edge.EForbidden)
}

// A host that asks for a fresh code lets a session through for the
// step-up window after its code, then sends the browser to a step-up
// that returns to it.
func TestForwardAuthFreshCode(t *testing.T) {
	r := rig(t, true, admin)
	token, _ := r.SignIn(t, "ada@example.com")
	cookie := "otpd_session=" + token
	original := "https://admin.example.com:8443/danger"
	want(t, ask(t, r, nginx(original, "Cookie", cookie)), http.StatusOK, "")

	r.Clock.Advance(10 * time.Minute)
	a := ask(t, r, caddy("https", "admin.example.com:8443", "/danger", "Cookie", cookie, "Accept", "text/html"))
	want(t, a, http.StatusFound, "")
	step := signIn + "/step-up?" + url.Values{"return": {original}}.Encode()
	if loc := a.Header.Get("Location"); loc != step {
		t.Errorf("to %q, want %q", loc, step)
	}
	want(t, ask(t, r, nginx(original, "Cookie", cookie)), http.StatusForbidden, otpd.EStepUpRequired)

	r.StepUp(t, token, "ada@example.com")
	want(t, ask(t, r, nginx(original, "Cookie", cookie)), http.StatusOK, "")
}

// Forward auth answers only about the hosts it protects, and only to a
// trusted proxy: a crafted URL is refused, never redirected to.
func TestForwardAuthRefusesWhatItDoesNotProtect(t *testing.T) {
	r := rig(t, true, wiki)
	token, _ := r.SignIn(t, "ada@example.com")
	for _, h := range []http.Header{
		nginx("https://evil.example/"),
		nginx("//evil.example/"),
		nginx("https://wiki.example.com@evil.example/"),
		nginx("https://wiki.example.com.evil.example/"),
		nginx("https://evil.example\\@wiki.example.com/"),
		nginx("http://wiki.example.com/"),
		nginx("https://wiki.example.com:8443/"),
		nginx("javascript:alert(1)"),
		caddy("https", "evil.example", "/"),
		caddy("https", "wiki.example.com@evil.example", "/"),
		caddy("https", "wiki.example.com", "@evil.example/"),
		caddy("javascript", "wiki.example.com", "/"),
	} {
		h.Set("Accept", "text/html")
		h.Set("Cookie", "otpd_session="+token)
		a := ask(t, r, h)
		if a.Status < 400 || a.Status >= 500 || a.Header.Get("Location") != "" || a.Header.Get("Remote-User") != "" {
			t.Errorf("%v: %d, Location %q, Remote-User %q", h, a.Status, a.Header.Get("Location"), a.Header.Get("Remote-User"))
		}
	}
	want(t, ask(t, r, http.Header{"Cookie": {"otpd_session=" + token}}), http.StatusBadRequest, otpd.EInvalid)
	want(t, ask(t, r, caddy("https", "wiki.example.com", "page")), http.StatusBadRequest, otpd.EInvalid)
	two := nginx("https://wiki.example.com/")
	two.Add("X-Original-Url", "https://evil.example/")
	want(t, ask(t, r, two), http.StatusBadRequest, otpd.EInvalid)

	// A client that is not the proxy cannot name a URL at all.
	direct := rig(t, false, wiki)
	token, _ = direct.SignIn(t, "ada@example.com")
	want(t, ask(t, direct, nginx("https://wiki.example.com/", "Cookie", "otpd_session="+token)), http.StatusForbidden, edge.EForbidden)

	// The proxy asks with GET; anything else is refused.
	req, _ := http.NewRequest("POST", r.URL+"/auth/forward", strings.NewReader(""))
	want(t, r.Do(t, req), http.StatusMethodNotAllowed, edge.EMethod)
}

// Off, the route answers 404.
func TestForwardAuthOff(t *testing.T) {
	r := webtest.New(t)
	want(t, ask(t, r, nginx("https://wiki.example.com/")), http.StatusNotFound, otpd.ENotFound)
}
