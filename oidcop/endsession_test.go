package oidcop_test

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/otpd/otpd"
)

// EndSession takes an app's sign-out request only as registered: its
// ID token names the person, its post-logout URI is exact, and bad input
// is a 4xx refusal naming the field, never a 5xx.
func TestEndSession(t *testing.T) {
	r := newRig(t)
	in := r.signIn("ada@example.com")
	app := r.rp("notes", "", notesRedirect)
	hint, _ := r.login(app, "n").Extra("id_token").(string)
	bye := notes.PostLogoutURIs[0]
	parse := func(query string) (otpd.EndSession, error) {
		return r.provider.EndSession(httptest.NewRequest("GET", "/oauth2/end-session?"+query, nil))
	}
	es, err := parse("id_token_hint=" + hint + "&post_logout_redirect_uri=" + url.QueryEscape(bye) + "&state=s1")
	if err != nil || es.AccountID != in.Account.ID || es.ClientID != "notes" || es.RedirectURI != bye+"?state=s1" {
		t.Errorf("with a hint: %+v, %v", es, err)
	}
	if es, err := parse("client_id=notes"); err != nil || es.AccountID != "" || es.RedirectURI != "" {
		t.Errorf("without a hint: %+v, %v", es, err)
	}
	for _, q := range []string{
		"%zz",
		"client_id=nobody",
		"id_token_hint=junk",
		"client_id=wiki&id_token_hint=" + hint,
		"client_id=notes&post_logout_redirect_uri=" + url.QueryEscape(bye+"/"),
		"client_id=notes&post_logout_redirect_uri=" + url.QueryEscape("http://127.0.0.1:10/notes/bye"),
		"post_logout_redirect_uri=" + url.QueryEscape(bye),
	} {
		if _, err := parse(q); otpd.ErrorCode(err) != otpd.EInvalid {
			t.Errorf("%s: %v", q, err)
		}
	}
}
