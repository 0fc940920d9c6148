package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/otpd/otpd/postgres/pgtest"
)

// Three nodes over one PostgreSQL and one Redis are one OpenID Connect
// provider: they publish the same keys, a code issued by one redeems on
// another, and once only, however many nodes it is raced on; an ID token
// from one verifies with another's keys.
func TestThreeNodesOneProvider(t *testing.T) {
	_, dsn := pgtest.Schema(t)
	env := map[string]string{"OTPD_DATABASE": dsn, "OTPD_REDIS": redisURL(t), "OTPD_LOG_LEVEL": "warn",
		"OTPD_TRUSTED_PROXIES": "127.0.0.1"}
	// The issuer is the address of the load balancer the nodes stand
	// behind; the test calls each node at its own.
	issuer := "http://127.0.0.1:" + freePort(t)
	const redirect = "http://127.0.0.1:9/notes/callback"
	cfg := filepath.Join(t.TempDir(), "otpd.toml")
	err := os.WriteFile(cfg, []byte(`public_url = "`+issuer+`"
[[clients]]
id = "notes"
name = "Notes"
type = "public"
redirect_uris = ["`+redirect+`"]
scopes = ["openid", "email", "offline_access"]
`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	nodes := []*child{startChild(t, env, "--config", cfg)}
	for range 2 {
		nodes = append(nodes, startChild(t, env, "--config", cfg, "--data", nodes[0].dir)) // the same secrets
	}

	var first []byte
	for i, n := range nodes {
		keys := fetch(t, "GET", n.url+"/oauth2/keys", nil, "")
		if keys.StatusCode != http.StatusOK {
			t.Fatalf("node %d keys: %d", i, keys.StatusCode)
		}
		body := readAll(t, keys)
		var set struct{ Keys []json.RawMessage }
		if err := json.Unmarshal(body, &set); err != nil || len(set.Keys) == 0 {
			t.Fatalf("node %d keys: %v in %s", i, err, body)
		}
		if i == 0 {
			first = body
		} else if !bytes.Equal(body, first) {
			t.Errorf("node %d publishes other keys than node 0:\n%s\n%s", i, body, first)
		}
	}

	// Limits outlive the run in the shared Redis: ada comes from an
	// address of her own.
	in := nodes[0].signInAs(t, "ada@example.com", randomIP())
	app := func(n *child) *oauth2.Config {
		return &oauth2.Config{ClientID: "notes", RedirectURL: redirect, Scopes: []string{"openid", "email", "offline_access"},
			Endpoint: oauth2.Endpoint{AuthURL: n.url + "/oauth2/authorize", TokenURL: n.url + "/oauth2/token",
				AuthStyle: oauth2.AuthStyleInParams}}
	}
	// codeFrom runs the app's sign-in on node n in ada's browser (her
	// session on node 0), consenting the first time, and returns the code
	// and its verifier.
	codeFrom := func(n *child) (string, string) {
		t.Helper()
		verifier := oauth2.GenerateVerifier()
		resp := fetch(t, "GET", app(n).AuthCodeURL("s", oauth2.S256ChallengeOption(verifier), gooidc.Nonce("n")), nil, in.Token)
		for range 5 {
			loc := resp.Header.Get("Location")
			if strings.HasPrefix(loc, redirect+"?") {
				u, _ := url.Parse(loc)
				if u.Query().Get("code") == "" {
					t.Fatalf("back at the app with %s", loc)
				}
				return u.Query().Get("code"), verifier
			}
			switch {
			case resp.StatusCode == http.StatusOK && strings.Contains(string(readAll(t, resp)), `value="allow"`):
				resp = fetch(t, "POST", n.url+resp.Request.URL.Path, url.Values{"decision": {"allow"}}, in.Token)
			case resp.StatusCode/100 == 3 && strings.HasPrefix(loc, issuer):
				resp = fetch(t, "GET", n.url+strings.TrimPrefix(loc, issuer), nil, in.Token)
			default:
				t.Fatalf("%s: %d to %q:\n%s", resp.Request.URL, resp.StatusCode, loc, readAll(t, resp))
			}
		}
		t.Fatal("no way back to the app")
		return "", ""
	}

	// A code from node 0 redeems on node 1, and then nowhere.
	code, verifier := codeFrom(nodes[0])
	tok, err := app(nodes[1]).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("node 0's code on node 1: %v", err)
	}
	for _, i := range []int{2, 0, 1} {
		if _, err := app(nodes[i]).Exchange(ctx, code, oauth2.VerifierOption(verifier)); err == nil {
			t.Errorf("the code redeemed again on node %d", i)
		}
	}
	// Node 1's ID token verifies with node 2's keys.
	raw, _ := tok.Extra("id_token").(string)
	v := gooidc.NewVerifier(issuer, gooidc.NewRemoteKeySet(ctx, nodes[2].url+"/oauth2/keys"), &gooidc.Config{ClientID: "notes",
		SupportedSigningAlgs: []string{gooidc.ES256, gooidc.RS256}})
	if _, err := v.Verify(ctx, raw); err != nil {
		t.Errorf("node 1's ID token with node 2's keys: %v", err)
	}

	// A code from node 2 raced on all three: one token.
	code, verifier = codeFrom(nodes[2])
	var mu sync.Mutex
	var ok, refused int
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			<-start
			_, err := app(nodes[i%3]).Exchange(ctx, code, oauth2.VerifierOption(verifier))
			mu.Lock()
			defer mu.Unlock()
			var re *oauth2.RetrieveError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &re) && re.ErrorCode == "invalid_grant":
				refused++
			default:
				t.Errorf("exchange on node %d: %v", i%3, err)
			}
		})
	}
	close(start)
	wg.Wait()
	if ok != 1 || refused != 29 {
		t.Errorf("one code raced 30 times on three nodes: %d tokens and %d invalid_grant, want 1 and 29", ok, refused)
	}
}

// fetch sends a browser's request with the session cookie token, without
// following redirects.
func fetch(t *testing.T, method, u string, form url.Values, token string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: "otpd_session", Value: token})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func readAll(t *testing.T, resp *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
