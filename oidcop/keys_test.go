package oidcop_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/oidcop"
)

// keyIDs returns the key IDs the JWKS lists, in its order.
func (r *rig) keyIDs() []string {
	r.t.Helper()
	resp, err := http.Get(r.issuer + "/oauth2/keys")
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
			Alg string `json:"alg"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		r.t.Fatal(err)
	}
	var ids []string
	for _, k := range set.Keys {
		ids = append(ids, k.KID)
	}
	return ids
}

// The next key is published a day before it signs, and the previous one
// stays published after it: an ID token the previous key signed still
// verifies against the key set.
func TestKeyRotationKeepsThePreviousKey(t *testing.T) {
	r := newRig(t)
	r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	first := r.keyIDs()
	if len(first) != 1 {
		t.Fatalf("keys at start: %v", first)
	}
	oldToken := r.login(app, "n")
	if rotated, err := r.provider.RotateKeys(r.ctx); err != nil || rotated {
		t.Fatalf("rotated a fresh key: %v, %v", rotated, err)
	}
	r.clock.Advance(31 * 24 * time.Hour)
	if rotated, err := r.provider.RotateKeys(r.ctx); err != nil || !rotated {
		t.Fatalf("rotate: %v, %v", rotated, err)
	}
	ids := r.keyIDs()
	if len(ids) != 2 || !slices.Contains(ids, first[0]) {
		t.Fatalf("keys after rotation: %v", ids)
	}
	r.clock.Advance(25 * time.Hour)
	r.signIn("ada@example.com")
	newToken := r.login(app, "n2")
	// A new verifier: it fetches the key set afresh, as an app does on
	// an unknown kid.
	fresh := r.rp("notes", "", notesRedirect)
	for name, tok := range map[string]any{"old": oldToken.Extra("id_token"), "new": newToken.Extra("id_token")} {
		raw, _ := tok.(string)
		if _, err := fresh.provider.Verifier(&gooidc.Config{ClientID: "notes"}).Verify(r.ctx, raw); err != nil {
			t.Errorf("%s ID token: %v", name, err)
		}
	}
	if kid := headerKID(t, newToken.Extra("id_token").(string)); kid == first[0] || !slices.Contains(ids, kid) {
		t.Errorf("new token signed by %q; keys %v", kid, ids)
	}
}

func headerKID(t *testing.T, raw string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.ES256, jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}

// RS256 is there for apps that know no other algorithm.
func TestRS256(t *testing.T) {
	r := newRig(t, func(o *oidcop.Options) { o.SigningAlg = otpd.AlgRS256 })
	r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	r.idToken(app, r.login(app, "n"))
}

// Two providers over one store (two nodes starting together) sign with
// one key.
func TestNodesShareTheFirstKey(t *testing.T) {
	r := newRig(t)
	second, err := oidcop.New(r.ctx, oidcop.Options{Issuer: r.issuer, Store: r.store, Secret: secret, Clock: r.clock,
		SigningAlg: otpd.AlgES256, KeyRotation: 30 * 24 * time.Hour, KeyPrepublish: 24 * time.Hour,
		Lifetimes: oidcop.Lifetimes{IDToken: time.Minute, AccessToken: time.Minute, RefreshToken: time.Hour, RefreshIdle: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	second.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/oauth2/keys", nil))
	ids := r.keyIDs()
	if len(ids) != 1 || !strings.Contains(rec.Body.String(), `"kid":"`+ids[0]+`"`) {
		t.Errorf("first node's keys %v, second's %s", ids, rec.Body)
	}
}
