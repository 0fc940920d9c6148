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

// rig serves forward auth for hosts to a proxy that names the request
// with headers, trusting the test's own connections as the proxy's when
// trusted.
func rig(t *testing.T, trusted bool, headers forward.Headers, hosts ...forward.Host) *webtest.Rig {
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
		o.Forward = &forward.Options{Hosts: hosts, Headers: headers, UserHeader: "Remote-User", EmailHeader: "Remote-Email", SignIn: signIn}
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

// modes are the two ways a proxy names the request.
var modes = []forward.Headers{forward.OriginalURL, forward.Forwarded}

// named is the question about original as a proxy of mode asks it.
func named(t *testing.T, mode forward.Headers, original string, more ...string) http.Header {
	t.Helper()
	if mode == forward.OriginalURL {
		return nginx(original, more...)
	}
	u, err := url.Parse(original)
	if err != nil {
		t.Fatal(err)
	}
	return caddy(u.Scheme, u.Host, u.RequestURI(), more...)
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
	for _, mode := range modes {
		r := rig(t, true, mode, wiki)
		token, _ := r.SignIn(t, "ada@example.com")
		id := accountID(t, r, token)
		cookie := "otpd_session=" + token
		for name, h := range map[string]http.Header{
			"cookie": named(t, mode, "https://wiki.example.com/page?x=1", "Cookie", cookie),
			"bearer": named(t, mode, "https://wiki.example.com/api", "Authorization", "Bearer "+token),
			"port":   named(t, mode, "https://wiki.example.com:443/", "Cookie", cookie),
		} {
			a := ask(t, r, h)
			if a.Status != http.StatusOK || a.Header.Get("Remote-User") != id || a.Header.Get("Remote-Email") != "ada@example.com" {
				t.Errorf("%s %s: %d, Remote-User %q, Remote-Email %q; want 200, %s, ada@example.com",
					mode, name, a.Status, a.Header.Get("Remote-User"), a.Header.Get("Remote-Email"), id)
			}
		}
		if n := r.Lookups(func() { ask(t, r, named(t, mode, "https://wiki.example.com/", "Cookie", cookie)) }); n != 1 {
			t.Errorf("%s: one question looked the session up %d times", mode, n)
		}
	}
}

// Without a session a program is told 401, and a browser is sent to sign
// in with the original URL to come back to: a 302 for Caddy and Traefik,
// a 401 with Location for nginx, which redirects itself.
func TestForwardAuthSendsABrowserToSignIn(t *testing.T) {
	back := signIn + "/?" + url.Values{"return": {"https://wiki.example.com/page?x=1"}}.Encode()

	r := rig(t, true, forward.Forwarded, wiki)
	a := ask(t, r, caddy("https", "wiki.example.com", "/page?x=1", "Accept", "text/html,application/xhtml+xml"))
	want(t, a, http.StatusFound, "")
	if a.Header.Get("Location") != back {
		t.Errorf("browser through Caddy: to %q, want %q", a.Header.Get("Location"), back)
	}
	n := rig(t, true, forward.OriginalURL, wiki)
	a = ask(t, n, nginx("https://wiki.example.com/page?x=1", "Accept", "text/html"))
	want(t, a, http.StatusUnauthorized, otpd.EUnauthorized)
	if a.Header.Get("Location") != back {
		t.Errorf("browser through nginx: Location %q, want %q", a.Header.Get("Location"), back)
	}
	for _, c := range []struct {
		r *webtest.Rig
		h http.Header
	}{
		{n, nginx("https://wiki.example.com/", "Accept", "application/json")},
		{r, caddy("https", "wiki.example.com", "/", "Cookie", "otpd_session=expired")},
		{r, caddy("https", "wiki.example.com", "/", "Authorization", "Bearer junk")},
		{r, caddy("https", "wiki.example.com", "/", "Authorization", "Basic YTpi")},
	} {
		a := ask(t, c.r, c.h)
		want(t, a, http.StatusUnauthorized, otpd.EUnauthorized)
		if a.Header.Get("Location") != "" || a.Header.Get("Remote-User") != "" {
			t.Errorf("program %v: Location %q, Remote-User %q", c.h, a.Header.Get("Location"), a.Header.Get("Remote-User"))
		}
	}
}

// An account the host does not admit is refused, whatever it sends.
func TestForwardAuthRefusesOtherAccounts(t *testing.T) {
	ids := forward.Host{Origin: "https://ids.example.com", Policy: otpd.AccessPolicy{Accounts: []string{"someone-else"}}}
	for _, mode := range modes {
		r := rig(t, true, mode, wiki, ids)
		token, _ := r.SignIn(t, "eve@example.org")
		for _, h := range []http.Header{
			named(t, mode, "https://wiki.example.com/", "Cookie", "otpd_session="+token, "Accept", "text/html"),
			named(t, mode, "https://wiki.example.com/", "Authorization", "Bearer "+token),
			named(t, mode, "https://ids.example.com/", "Cookie", "otpd_session="+token),
		} {
			a := ask(t, r, h)
			want(t, a, http.StatusForbidden, edge.EForbidden)
			if a.Header.Get("Remote-User") != "" || a.Header.Get("Location") != "" {
				t.Errorf("%s refused: Remote-User %q, Location %q", mode, a.Header.Get("Remote-User"), a.Header.Get("Location"))
			}
		}
		ada, _ := r.SignIn(t, "ada@example.com")
		want(t, ask(t, r, named(t, mode, "https://ids.example.com/", "Cookie", "otpd_session="+ada)), http.StatusForbidden, edge.EForbidden)
	}
}

// A host that asks for a fresh code lets a session through for the
// step-up window after its code, then sends the browser to a step-up
// that returns to it.
func TestForwardAuthFreshCode(t *testing.T) {
	original := "https://admin.example.com:8443/danger"
	step := signIn + "/step-up?" + url.Values{"return": {original}}.Encode()
	for _, mode := range modes {
		r := rig(t, true, mode, admin)
		token, _ := r.SignIn(t, "ada@example.com")
		cookie := "otpd_session=" + token
		want(t, ask(t, r, named(t, mode, original, "Cookie", cookie)), http.StatusOK, "")

		r.Clock.Advance(10 * time.Minute)
		a := ask(t, r, named(t, mode, original, "Cookie", cookie, "Accept", "text/html"))
		if mode == forward.Forwarded {
			want(t, a, http.StatusFound, "")
		} else {
			want(t, a, http.StatusForbidden, otpd.EStepUpRequired)
		}
		if loc := a.Header.Get("Location"); loc != step {
			t.Errorf("%s: to %q, want %q", mode, loc, step)
		}
		want(t, ask(t, r, named(t, mode, original, "Cookie", cookie)), http.StatusForbidden, otpd.EStepUpRequired)

		r.StepUp(t, token, "ada@example.com")
		want(t, ask(t, r, named(t, mode, original, "Cookie", cookie)), http.StatusOK, "")
	}
}

// A client behind Caddy or Traefik, which copy its headers to the
// question, cannot name another app than the one it asks for: a session
// wiki admits, asking for admin with X-Original-URL naming wiki, is
// refused, and so is the step-up admin asks for. Behind nginx, a
// question with both sets is refused too: otpd never picks one.
func TestForwardAuthReadsOnlyItsOwnHeaders(t *testing.T) {
	strict := forward.Host{Origin: "https://admin.example.com", Policy: otpd.AccessPolicy{Accounts: []string{"someone-else"}, FreshCode: true}}
	for _, mode := range modes {
		r := rig(t, true, mode, wiki, strict)
		token, _ := r.SignIn(t, "ada@example.com")
		cookie := "otpd_session=" + token
		// The session passes for wiki, as asked in this mode's headers.
		want(t, ask(t, r, named(t, mode, "https://wiki.example.com/", "Cookie", cookie)), http.StatusOK, "")
		for name, h := range map[string]http.Header{
			"caddy, spoofed X-Original-URL": caddy("https", "admin.example.com", "/secret",
				"Cookie", cookie, "X-Original-Url", "https://wiki.example.com/"),
			"nginx, spoofed X-Forwarded-*": nginx("https://admin.example.com/secret", "Cookie", cookie,
				"X-Forwarded-Proto", "https", "X-Forwarded-Host", "wiki.example.com", "X-Forwarded-Uri", "/"),
			"both naming wiki": caddy("https", "wiki.example.com", "/",
				"Cookie", cookie, "X-Original-Url", "https://wiki.example.com/"),
			"nginx, a lone X-Forwarded-Host": nginx("https://wiki.example.com/", "Cookie", cookie, "X-Forwarded-Host", "wiki.example.com"),
			"caddy, an empty X-Original-URL": caddy("https", "wiki.example.com", "/", "Cookie", cookie, "X-Original-Url", ""),
		} {
			a := ask(t, r, h)
			want(t, a, http.StatusBadRequest, otpd.EInvalid)
			if a.Header.Get("Remote-User") != "" || a.Header.Get("Location") != "" {
				t.Errorf("%s, %s: Remote-User %q, Location %q", mode, name, a.Header.Get("Remote-User"), a.Header.Get("Location"))
			}
		}
	}
	// Each mode reads its own set alone: the other, by itself, names
	// nothing.
	for _, c := range []struct {
		mode forward.Headers
		h    http.Header
	}{
		{forward.OriginalURL, caddy("https", "wiki.example.com", "/")},
		{forward.Forwarded, nginx("https://wiki.example.com/")},
	} {
		r := rig(t, true, c.mode, wiki)
		token, _ := r.SignIn(t, "ada@example.com")
		c.h.Set("Cookie", "otpd_session="+token)
		want(t, ask(t, r, c.h), http.StatusBadRequest, otpd.EInvalid)
	}
}

// Forward auth answers only about the hosts it protects, and only to a
// trusted proxy: a crafted URL is refused, never redirected to.
func TestForwardAuthRefusesWhatItDoesNotProtect(t *testing.T) {
	r := rig(t, true, forward.OriginalURL, wiki)
	token, _ := r.SignIn(t, "ada@example.com")
	c := rig(t, true, forward.Forwarded, wiki)
	ctoken, _ := c.SignIn(t, "ada@example.com")
	for _, h := range []http.Header{
		nginx("https://evil.example/"),
		nginx("//evil.example/"),
		nginx("https://wiki.example.com@evil.example/"),
		nginx("https://wiki.example.com.evil.example/"),
		nginx("https://evil.example\\@wiki.example.com/"),
		nginx("http://wiki.example.com/"),
		nginx("https://wiki.example.com:8443/"),
		nginx("javascript:alert(1)"),
	} {
		h.Set("Accept", "text/html")
		h.Set("Cookie", "otpd_session="+token)
		a := ask(t, r, h)
		if a.Status < 400 || a.Status >= 500 || a.Header.Get("Location") != "" || a.Header.Get("Remote-User") != "" {
			t.Errorf("%v: %d, Location %q, Remote-User %q", h, a.Status, a.Header.Get("Location"), a.Header.Get("Remote-User"))
		}
	}
	for _, h := range []http.Header{
		caddy("https", "evil.example", "/"),
		caddy("https", "wiki.example.com@evil.example", "/"),
		caddy("https", "wiki.example.com", "@evil.example/"),
		caddy("https", "wiki.example.com", "//evil.example/"),
		caddy("javascript", "wiki.example.com", "/"),
	} {
		h.Set("Accept", "text/html")
		h.Set("Cookie", "otpd_session="+ctoken)
		a := ask(t, c, h)
		if a.Status < 400 || a.Status >= 500 || a.Header.Get("Location") != "" || a.Header.Get("Remote-User") != "" {
			t.Errorf("%v: %d, Location %q, Remote-User %q", h, a.Status, a.Header.Get("Location"), a.Header.Get("Remote-User"))
		}
	}
	want(t, ask(t, r, http.Header{"Cookie": {"otpd_session=" + token}}), http.StatusBadRequest, otpd.EInvalid)
	want(t, ask(t, c, http.Header{"Cookie": {"otpd_session=" + ctoken}}), http.StatusBadRequest, otpd.EInvalid)
	want(t, ask(t, c, caddy("https", "wiki.example.com", "page")), http.StatusBadRequest, otpd.EInvalid)
	two := nginx("https://wiki.example.com/")
	two.Add("X-Original-Url", "https://evil.example/")
	want(t, ask(t, r, two), http.StatusBadRequest, otpd.EInvalid)

	// A client that is not the proxy cannot name a URL at all.
	direct := rig(t, false, forward.OriginalURL, wiki)
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
