package signin_test

import (
	"strings"
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

func TestResetPasswordEndsOtherSessions(t *testing.T) {
	r := newRig(t)
	old := r.signedIn(t, "ada@example.com")
	f, err := r.engine.ForgotPassword(ctx, "ada@example.com", who)
	if err != nil {
		t.Fatal(err)
	}
	code := r.code(t, "ada@example.com")
	_, err = r.engine.ResetPassword(ctx, f.ID, code, "short", who)
	if e := wantCode(t, err, otpd.EInvalid); e.Field != "password" {
		t.Errorf("a refused password names field %q", e.Field)
	}
	in, err := r.engine.ResetPassword(ctx, f.ID, code, goodPassword, who)
	if err != nil {
		t.Fatalf("the code still works after a refused password: %v", err)
	}
	if _, err := r.engine.Authenticate(ctx, old.Token); otpd.ErrorCode(err) != otpd.EUnauthorized {
		t.Errorf("the session from before the reset still works: %v", err)
	}
	if _, err := r.engine.Authenticate(ctx, in.Token); err != nil {
		t.Errorf("the reset's own session: %v", err)
	}
	if m := r.deliver(t, "ada@example.com"); !strings.Contains(m.Subject, "reset") || !strings.Contains(m.Text, "/deny/") {
		t.Errorf("the address was not told of the reset with a way to report it: %q", m.Subject)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventPasswordReset})
	if _, err := r.engine.ResetPassword(ctx, f.ID, code, goodPassword+"!", who); err == nil {
		t.Error("a reset code worked twice")
	}
}

// Forgot-password reveals nothing: the same answer for an unknown
// address, which gets a notice without a code.
func TestForgotPasswordUnknownAddress(t *testing.T) {
	r := newRig(t)
	r.signedIn(t, "ada@example.com")
	known, err := r.engine.ForgotPassword(ctx, "ada@example.com", who)
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := r.engine.ForgotPassword(ctx, "bob@example.com", who)
	if err != nil {
		t.Fatal(err)
	}
	if known.ExpiresAt.Sub(known.ResendAfter) != unknown.ExpiresAt.Sub(unknown.ResendAfter) {
		t.Errorf("flows differ: %+v and %+v", known, unknown)
	}
	m := r.deliver(t, "bob@example.com")
	if codePattern.MatchString(m.Text) || !strings.Contains(m.Text, "reset") {
		t.Errorf("the unknown address got %q", m.Text)
	}
	_, err = r.engine.ResetPassword(ctx, unknown.ID, "123456789", goodPassword, who)
	wantCode(t, err, otpd.EInvalidCode)
}

// A sign-in code cannot set a password, nor a reset code sign in.
func TestCodesWorkOnlyForTheirPurpose(t *testing.T) {
	r := newRig(t)
	r.signedIn(t, "ada@example.com")
	f := r.signIn(t, "ada@example.com")
	_, err := r.engine.ResetPassword(ctx, f.ID, r.code(t, "ada@example.com"), goodPassword, who)
	wantCode(t, err, otpd.EInvalid)
	reset, err := r.engine.ForgotPassword(ctx, "ada@example.com", signin.Requester{IP: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.engine.Verify(ctx, reset.ID, r.code(t, "ada@example.com"), who)
	wantCode(t, err, otpd.EInvalid)
}
