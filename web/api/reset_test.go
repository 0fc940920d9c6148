package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/otpd/otpd/web/webtest"
)

func TestForgotAndResetPassword(t *testing.T) {
	r := webtest.New(t)
	owner := r.Owner(t, "ada@example.com", "")
	elsewhere := r.Session(t, "ada@example.com", "")

	c := r.Client("")
	n := r.Messages(t, "ada@example.com")
	f, err := c.ForgotPassword(ctx, "ada@example.com")
	if err != nil {
		t.Fatal(err)
	}
	code := r.CodeAfter(t, "ada@example.com", n)
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
		stale := r.Client("")
		stale.Token = old
		_, err := stale.Me(ctx)
		apiError(t, err, http.StatusUnauthorized, "unauthorized")
	}
	if m := r.Mail(t, "ada@example.com", n+1); !strings.Contains(m.Subject, "password was reset") ||
		!strings.Contains(m.Text, "Every other session") {
		t.Errorf("notice %q:\n%s", m.Subject, m.Text)
	}

	device := r.Client("")
	device.DeviceToken = owner.DeviceToken
	_, err = device.PasswordSignIn(ctx, "ada@example.com", goodPassword)
	apiError(t, err, http.StatusUnauthorized, "invalid_credentials")
	if res, err := device.PasswordSignIn(ctx, "ada@example.com", newPassword); err != nil || res.SignedIn == nil {
		t.Errorf("the new password from the remembered device: %+v, %v", res, err)
	}
}
