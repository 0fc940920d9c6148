package oidcop_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The endpoints apps call most, over HTTP on loopback (an httptest
// server, the client in the same process) and a real SQLite file.
// BENCHMARKS.md has a run's figures.

// BenchmarkTokenCode redeems an authorization code with its PKCE
// verifier: the app's client authentication (public: none), the code's
// one redemption, the grant's check, and signing the ID token. Making
// each code (the authorization request, the consent already given) is
// left out of the time.
func BenchmarkTokenCode(b *testing.B) {
	r := newRig(b)
	r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	r.login(app, "n") // consents once
	client := &http.Client{}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		code, verifier := r.code(app, "n")
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {notesRedirect},
			"client_id": {"notes"}, "code_verifier": {verifier}}
		b.StartTimer()
		resp, err := client.Post(r.issuer+"/oauth2/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("token: %d", resp.StatusCode)
		}
	}
}

// BenchmarkUserinfo answers userinfo for an access token: the token
// decrypted and looked up, the account read.
func BenchmarkUserinfo(b *testing.B) {
	r := newRig(b)
	r.signIn("ada@example.com")
	tok := r.login(r.rp("notes", "", notesRedirect), "n")
	b.ReportAllocs()
	for b.Loop() {
		if s := r.userinfo(tok.AccessToken); s != http.StatusOK {
			b.Fatalf("userinfo: %d", s)
		}
	}
}

// BenchmarkUserinfoParallel is userinfo from as many clients at once as
// there are cores.
func BenchmarkUserinfoParallel(b *testing.B) {
	r := newRig(b)
	r.signIn("ada@example.com")
	tok := r.login(r.rp("notes", "", notesRedirect), "n")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", r.issuer+"/oauth2/userinfo", nil)
			req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Errorf("userinfo: %d", resp.StatusCode)
				return
			}
		}
	})
}
