package signin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

func TestSignOutEverywhere(t *testing.T) {
	r := newRig(t)
	here := r.signedIn(t, "ada@example.com")
	there := r.signedIn(t, "ada@example.com")
	_, err := r.engine.SignOutEverywhere(ctx, r.as(here.Token), who)
	wantCode(t, err, otpd.EStepUpRequired)
	r.stepUp(t, here.Token, who)
	n, err := r.engine.SignOutEverywhere(ctx, r.as(here.Token), who)
	if err != nil || n != 1 {
		t.Fatalf("SignOutEverywhere = %d, %v; want 1 session ended", n, err)
	}
	if _, err := r.engine.Authenticate(ctx, there.Token); otpd.ErrorCode(err) != otpd.EUnauthorized {
		t.Errorf("the other session still works: %v", err)
	}
	if _, err := r.engine.Authenticate(ctx, here.Token); err != nil {
		t.Errorf("the session that signed the others out ended too: %v", err)
	}
}

// With code-only sign-in off, a flood of "continue with email" sends the
// owner nothing, and every sign-in needs the password and a code.
func TestCodeSignInOff(t *testing.T) {
	r := newRig(t, func(p *signin.Policy) { p.Send.PerHour, p.Send.PerDay = 20, 20 })
	device, in := r.owner(t)
	r.stepUp(t, in.Token, device)
	stale := r.signIn(t, "ada@example.com")
	staleCode := r.code(t, "ada@example.com")
	if err := r.engine.SetCodeSignIn(ctx, r.as(in.Token), false, device); err != nil {
		t.Fatal(err)
	}
	before := len(r.inbox(t, "ada@example.com"))
	r.clock.Advance(time.Minute)
	flood := r.signIn(t, "ada@example.com")
	if _, err := r.worker.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(r.inbox(t, "ada@example.com")); got != before {
		t.Errorf("continue-with-email sent %d messages with code-only sign-in off", got-before)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventCodeRequested, Reason: otpd.ReasonCodeOff})
	if _, err := r.engine.Verify(ctx, stale.ID, staleCode, who); err == nil {
		t.Error("a code sent before the switch still signs in alone")
	}
	if _, err := r.engine.Verify(ctx, flood.ID, "123456789", who); err == nil {
		t.Error("a code for a silent flow verified")
	}
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil || res.Flow == nil || !strings.Contains(said(res.Reasons, ","), "password and a code") {
		t.Fatalf("the password alone from the remembered device: %+v, %v", res, err)
	}
	if _, err := r.engine.Verify(ctx, res.Flow.ID, r.code(t, "ada@example.com"), device); err != nil {
		t.Errorf("password then code: %v", err)
	}
}

func TestCodeSignInOffNeedsPassword(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	r.stepUp(t, in.Token, who)
	e := wantCode(t, r.engine.SetCodeSignIn(ctx, r.as(in.Token), false, who), otpd.EInvalid)
	if e.Field != "code_sign_in" {
		t.Errorf("field %q, want code_sign_in", e.Field)
	}
}
