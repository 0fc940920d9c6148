package oidcop_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every path the provider serves answers hostile input with a 4xx, never
// a 5xx (invariant 8): bad escapes, huge parameters, repeated ones,
// wrong methods, and the library's routes we do not offer. A request
// from a known app to its exact redirect URI is answered there instead,
// with an error.
func TestHostileInputOnEveryPath(t *testing.T) {
	r := newRig(t)
	huge := strings.Repeat("a", 200<<10)
	good := "client_id=notes&redirect_uri=" + url.QueryEscape(notesRedirect) + "&response_type=code&scope=openid" +
		"&code_challenge_method=S256&code_challenge=" + strings.Repeat("x", 43)
	cases := []struct {
		method, path, body string
		toApp              bool
	}{
		{"GET", "/oauth2/authorize?%zz", "", false},
		{"GET", "/oauth2/authorize", "", false},
		{"GET", "/oauth2/authorize?" + good + "&redirect_uri=" + url.QueryEscape(notesRedirect), "", false},
		{"GET", "/oauth2/authorize?" + good + "&state=" + huge, "", false},
		{"GET", "/oauth2/authorize?" + good + "&max_age=abc", "", false},
		{"GET", "/oauth2/authorize?" + good + "&request=a.b.c", "", true},
		{"GET", "/oauth2/authorize?" + good + "&id_token_hint=junk", "", true},
		{"POST", "/oauth2/authorize", good + "&nonce=" + huge, false},
		{"PUT", "/oauth2/authorize", "", false},
		{"GET", "/oauth2/authorize/callback", "", false},
		{"GET", "/oauth2/authorize/callback?id=nope", "", false},
		{"GET", "/oauth2/authorize/callback?id=%zz", "", false},
		{"POST", "/oauth2/authorize/callback", "id=x", false},
		{"POST", "/oauth2/token", "%zz", false},
		{"POST", "/oauth2/token", "grant_type=authorization_code&code=garbage&client_id=notes", false},
		{"POST", "/oauth2/token", "grant_type=authorization_code&code=garbage&client_id=nobody", false},
		{"POST", "/oauth2/token", "grant_type=refresh_token&refresh_token=zzz&client_id=notes", false},
		{"POST", "/oauth2/token", "grant_type=client_credentials&client_id=wiki&client_secret=" + wikiSecret, false},
		{"POST", "/oauth2/token", "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=a.b.c", false},
		{"POST", "/oauth2/token", "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=x", false},
		{"POST", "/oauth2/token", "grant_type=password&username=a&password=b&client_id=notes", false},
		{"POST", "/oauth2/token", "grant_type=authorization_code&client_id=notes&code=" + huge, false},
		{"GET", "/oauth2/token", "", false},
		{"DELETE", "/oauth2/token", "", false},
		{"GET", "/oauth2/userinfo", "", false},
		{"GET", "/oauth2/userinfo?access_token=%zz", "", false},
		{"POST", "/oauth2/userinfo", "access_token=" + huge, false},
		{"PATCH", "/oauth2/userinfo", "", false},
		{"POST", "/oauth2/revoke", "%zz", false},
		{"POST", "/oauth2/revoke", "token=x", false},
		{"POST", "/oauth2/revoke", "token=x&client_id=nobody", false},
		{"GET", "/oauth2/revoke", "", false},
		{"POST", "/oauth2/introspect", "token=x", false},
		{"POST", "/oauth2/introspect", "%zz", false},
		{"POST", "/oauth2/keys", "", false},
		{"GET", "/oauth2/end-session?%zz", "", false},
		{"GET", "/oauth2/end-session?client_id=nobody", "", false},
		{"GET", "/oauth2/healthz", "", false},
		{"GET", "/oauth2/ready", "", false},
		{"GET", "/oauth2/device_authorization", "", false},
		{"GET", "/oauth2/nothing", "", false},
		{"POST", "/.well-known/openid-configuration", "", false},
	}
	for _, c := range cases {
		req, err := http.NewRequest(c.method, r.issuer+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := r.browser().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if c.toApp {
			if loc, err := resp.Location(); err != nil || !strings.HasPrefix(loc.String(), notesRedirect+"?") || loc.Query().Get("error") == "" {
				t.Errorf("%s %s: %d, Location %v", c.method, c.path, resp.StatusCode, loc)
			}
			continue
		}
		if resp.StatusCode < 400 || resp.StatusCode >= 500 {
			label := c.method + " " + c.path
			if len(label) > 120 {
				label = label[:120] + "..."
			}
			t.Errorf("%s: %d", label, resp.StatusCode)
		}
	}
}
