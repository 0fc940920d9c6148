package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

// Invariant 6 for resets: the answer does not tell whether the address
// has an account.
func TestForgotDoesNotRevealAccounts(t *testing.T) {
	s := startServer(t, nil)
	s.signIn(t, "known@example.com")
	known, knownBody := webtest.PostJSON(t, s.url+"/api/v1/password/forgot", `{"email":"known@example.com"}`, nil)
	unknown, unknownBody := webtest.PostJSON(t, s.url+"/api/v1/password/forgot", `{"email":"nobody@example.com"}`, nil)
	if known.StatusCode != http.StatusAccepted || unknown.StatusCode != known.StatusCode {
		t.Fatalf("status known %d, unknown %d", known.StatusCode, unknown.StatusCode)
	}
	if a, b := jsonKeys(t, knownBody), jsonKeys(t, unknownBody); !slices.Equal(a, b) || len(a) != 3 {
		t.Errorf("keys known %q, unknown %q", a, b)
	}
	if a, b := webtest.HeaderNames(known), webtest.HeaderNames(unknown); !slices.Equal(a, b) {
		t.Errorf("headers known %q, unknown %q", a, b)
	}
	if m := s.mail(t, "nobody@example.com", 0); codeLine.MatchString(m.Text) {
		t.Errorf("an address without an account got a code: %q", m.Subject)
	}
}

func jsonKeys(t *testing.T, body string) []string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
