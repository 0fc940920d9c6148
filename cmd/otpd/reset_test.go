package main

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestForgotAndResetPassword(t *testing.T) {
	s := startServer(t, roomyLimits)
	owner := s.owner(t, "ada@example.com", "")
	elsewhere := s.signIn(t, "ada@example.com")

	c := s.client()
	n := s.messages(t, "ada@example.com")
	f, err := c.ForgotPassword(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	code := s.code(t, "ada@example.com", n)
	_, err = c.ResetPassword(ctx, f.FlowID, code, "short", false)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "password" {
		t.Errorf("a refused password: field %q, want password", e.Field)
	}
	// A sign-in flow's code does not reset a password, nor the reverse.
	_, err = c.Verify(ctx, f.FlowID, code)
	if e := apiError(t, err, http.StatusBadRequest, "invalid_request"); e.Field != "flow_id" {
		t.Errorf("a reset code on verify: field %q, want flow_id", e.Field)
	}
	const newPassword = "another passphrase, just as long"
	in, err := c.ResetPassword(ctx, f.FlowID, code, newPassword, true)
	if err != nil {
		t.Fatalf("ResetPassword: %v", err)
	}
	if in.SessionToken == "" || !in.Account.HasPassword || in.DeviceToken == "" {
		t.Errorf("reset answer %+v, want a session, has_password and a device cookie", in)
	}
	// Every session from before the reset has ended.
	for _, old := range []string{owner.Token, elsewhere.Token} {
		stale := s.client()
		stale.Token = old
		_, err := stale.Me(ctx)
		apiError(t, err, http.StatusUnauthorized, "unauthorized")
	}
	if m := s.mail(t, "ada@example.com", n+1); !strings.Contains(m.Subject, "password was reset") ||
		!strings.Contains(m.Text, "Every other session") {
		t.Errorf("notice %q:\n%s", m.Subject, m.Text)
	}

	device := s.client()
	device.DeviceToken = owner.DeviceToken
	_, err = device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	apiError(t, err, http.StatusUnauthorized, "invalid_credentials")
	if res, err := device.PasswordSignIn(ctx, "ada@example.com", newPassword); err != nil || res.SignedIn == nil {
		t.Errorf("the new password from the remembered device: %+v, %v", res, err)
	}
}

// Invariant 6 for resets: the answer does not tell whether the address
// has an account.
func TestForgotDoesNotRevealAccounts(t *testing.T) {
	s := startServer(t, nil)
	s.signIn(t, "known@example.com")
	known, knownBody := postJSON(t, s.url+"/api/v1/password/forgot", `{"email":"known@example.com"}`, nil)
	unknown, unknownBody := postJSON(t, s.url+"/api/v1/password/forgot", `{"email":"nobody@example.com"}`, nil)
	if known.StatusCode != http.StatusAccepted || unknown.StatusCode != known.StatusCode {
		t.Fatalf("status known %d, unknown %d", known.StatusCode, unknown.StatusCode)
	}
	if a, b := jsonKeys(t, knownBody), jsonKeys(t, unknownBody); !slices.Equal(a, b) || len(a) != 3 {
		t.Errorf("keys known %q, unknown %q", a, b)
	}
	if a, b := headerNames(known), headerNames(unknown); !slices.Equal(a, b) {
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
