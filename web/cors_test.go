package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// A single-page app on another origin may call discovery, keys, token,
// userinfo and revoke from its scripts: any origin, no credentials (no
// cookie goes along). The pages and the JSON API answer no preflight,
// and give no cross-origin headers.
func TestCORSForBrowserApps(t *testing.T) {
	r := webtest.NewOIDC(t)
	b := r.Browser("203.0.113.7")
	tok := r.AppSignIn(t, b, "ada@example.com")
	const origin = "https://spa.example"
	send := func(method, path, ask string, header ...string) webtest.Answer {
		t.Helper()
		req, err := http.NewRequest(method, r.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Origin", origin)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if ask != "" {
			req.Header.Set("Access-Control-Request-Method", ask)
			req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return r.Do(t, req)
	}
	open := func(what string, a webtest.Answer) {
		t.Helper()
		if got := a.Header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("%s: %d, Access-Control-Allow-Origin %q, want *", what, a.Status, got)
		}
		if got := a.Header.Get("Access-Control-Allow-Credentials"); got != "" {
			t.Errorf("%s: Access-Control-Allow-Credentials %q", what, got)
		}
	}
	closed := func(what string, a webtest.Answer) {
		t.Helper()
		for k := range a.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s: %d with %s: %q", what, a.Status, k, a.Header.Get(k))
			}
		}
	}

	for _, path := range []string{"/.well-known/openid-configuration", "/oauth2/keys", "/oauth2/token", "/oauth2/userinfo", "/oauth2/revoke"} {
		for _, method := range []string{"GET", "POST"} {
			a := send("OPTIONS", path, method)
			open("preflight "+method+" "+path, a)
			if a.Status != http.StatusNoContent && a.Status != http.StatusOK {
				t.Errorf("preflight %s %s: %d", method, path, a.Status)
			}
			methods := a.Header.Get("Access-Control-Allow-Methods")
			if methods != method {
				t.Errorf("preflight %s %s: Access-Control-Allow-Methods %q", method, path, methods)
			}
			if h := strings.ToLower(a.Header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "authorization") || !strings.Contains(h, "content-type") {
				t.Errorf("preflight %s %s: Access-Control-Allow-Headers %q", method, path, h)
			}
		}
		if a := send("OPTIONS", path, "DELETE"); a.Header.Get("Access-Control-Allow-Methods") != "" {
			t.Errorf("preflight DELETE %s: allowed %q", path, a.Header.Get("Access-Control-Allow-Methods"))
		}
	}
	a := send("GET", "/.well-known/openid-configuration", "")
	open("discovery", a)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, `"userinfo_endpoint"`) {
		t.Fatalf("discovery: %d %s", a.Status, a.Body)
	}
	open("keys", send("GET", "/oauth2/keys", ""))
	a = send("GET", "/oauth2/userinfo", "", "Authorization", "Bearer "+tok.AccessToken)
	open("userinfo", a)
	if a.Status != http.StatusOK || !strings.Contains(a.Body, "ada@example.com") {
		t.Fatalf("userinfo across origins: %d %s", a.Status, a.Body)
	}

	// Pages, the API and the authorization endpoint: no preflight, no
	// headers.
	session := b.Cookie("otpd_session")
	for _, path := range []string{"/", "/sign-in", "/account/apps", "/api/v1/me", "/api/v1/me/apps", "/api/v1/sign-in",
		"/oauth2/authorize", "/oauth2/end-session", "/oauth2/introspect"} {
		closed("preflight "+path, send("OPTIONS", path, "POST"))
		closed("GET "+path, send("GET", path, "", "Authorization", "Bearer "+session, "Cookie", "otpd_session="+session))
	}
}
