package signin_test

import (
	"testing"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// A Caller comes only from Authenticate; the zero one authenticated
// nothing, and every method that acts for a signed-in person refuses it
// as it would refuse a bad token.
func TestZeroCallerIsRefused(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	r.stepUp(t, in.Token, who)
	var c signin.Caller
	e := r.engine
	calls := map[string]func() error{
		"SetPassword":       func() error { return e.SetPassword(ctx, c, goodPassword, who) },
		"RemovePassword":    func() error { return e.RemovePassword(ctx, c, who) },
		"ForgetDevice":      func() error { return e.ForgetDevice(ctx, c, "device", who) },
		"SignOutEverywhere": func() error { _, err := e.SignOutEverywhere(ctx, c, who); return err },
		"SetCodeSignIn":     func() error { return e.SetCodeSignIn(ctx, c, true, who) },
		"ChangeEmail":       func() error { _, err := e.ChangeEmail(ctx, c, "ada@new.example", who); return err },
		"AddRecovery":       func() error { _, err := e.AddRecovery(ctx, c, "ada@backup.example", who); return err },
		"ConfirmAddress":    func() error { _, err := e.ConfirmAddress(ctx, c, "flow", "123456789", who); return err },
		"RemoveRecovery":    func() error { return e.RemoveRecovery(ctx, c, who) },
		"ReportFlow":        func() error { _, err := e.ReportFlow(ctx, c, "flow", who); return err },
		"SignOut":           func() error { return e.SignOut(ctx, c, who) },
		"Sessions":          func() error { _, _, err := e.Sessions(ctx, c); return err },
		"EndSession":        func() error { return e.EndSession(ctx, c, in.Session.ID, who) },
		"StepUp":            func() error { _, err := e.StepUp(ctx, c, who); return err },
		"VerifyStepUp":      func() error { _, err := e.VerifyStepUp(ctx, c, "flow", "123456789", who); return err },
		"Devices":           func() error { _, err := e.Devices(ctx, c); return err },
		"Activity":          func() error { _, err := e.Activity(ctx, c, 10); return err },
		"Campaigns":         func() error { _, err := e.Campaigns(ctx, c); return err },
		"UnusedCodes":       func() error { _, err := e.UnusedCodes(ctx, c); return err },
		"SignedOut":         func() error { _, err := e.SignedOut(ctx, c); return err },
		"Authorize":         func() error { _, err := e.Authorize(ctx, c, "authz", true, who); return err },
		"Apps":              func() error { _, err := e.Apps(ctx, c); return err },
		"RemoveApp":         func() error { return e.RemoveApp(ctx, c, "notes", who) },
	}
	for name, call := range calls {
		if got := otpd.ErrorCode(call()); got != otpd.EUnauthorized {
			t.Errorf("%s with the zero Caller: %q, want %q", name, got, otpd.EUnauthorized)
		}
	}
	if e.SteppedUp(c) {
		t.Error("the zero Caller counts as stepped up")
	}
	if _, err := e.Authenticate(ctx, in.Token); err != nil {
		t.Errorf("a refused zero Caller touched the real session: %v", err)
	}
}

// A Caller is its session as authenticated: a step-up verified later is
// seen by the next request's Caller, which authenticates again.
func TestCallerIsItsSessionAsAuthenticated(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	before := r.as(in.Token)
	if r.engine.SteppedUp(before) {
		t.Fatal("stepped up before any step-up")
	}
	r.stepUp(t, in.Token, who)
	wantCode(t, r.engine.SetPassword(ctx, before, goodPassword, who), otpd.EStepUpRequired)
	after := r.as(in.Token)
	if !r.engine.SteppedUp(after) || after.Session().ID != before.Session().ID || after.Account().ID != in.Account.ID {
		t.Fatalf("after a step-up: %+v", after.Session())
	}
	if err := r.engine.SetPassword(ctx, after, goodPassword, who); err != nil {
		t.Fatal(err)
	}
	if err := r.engine.SignOut(ctx, after, who); err != nil {
		t.Fatal(err)
	}
	if out, err := r.engine.SignedOut(ctx, before); err != nil || !out {
		t.Errorf("SignedOut after signing out: %v, %v", out, err)
	}
}
