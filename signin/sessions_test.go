package signin_test

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

func TestSessionsListAndEndOne(t *testing.T) {
	r := newRig(t)
	here := r.signedIn(t, "ada@example.com")
	r.clock.Advance(time.Minute)
	there := r.signedIn(t, "ada@example.com")
	ss, current, err := r.engine.Sessions(ctx, r.as(here.Token))
	if err != nil || len(ss) != 2 || current != here.Session.ID || ss[0].ID != there.Session.ID {
		t.Fatalf("Sessions = %d, current %s, %v; want both, newest first", len(ss), current, err)
	}
	if ss[0].Place != "London, United Kingdom" {
		t.Errorf("a session's place %q", ss[0].Place)
	}
	if err := r.engine.EndSession(ctx, r.as(here.Token), there.Session.ID, who); err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Authenticate(ctx, there.Token); otpd.ErrorCode(err) != otpd.EUnauthorized {
		t.Errorf("the ended session still works: %v", err)
	}
	e := wantCode(t, r.engine.EndSession(ctx, r.as(here.Token), there.Session.ID, who), otpd.ENotFound)
	if e.Field != "session_id" {
		t.Errorf("field %q", e.Field)
	}
	bob := r.signedIn(t, "bob@example.com")
	wantCode(t, r.engine.EndSession(ctx, r.as(here.Token), bob.Session.ID, who), otpd.ENotFound)
}

// Codes asked for since the sign-in before the last, and never used, are
// the owner's evidence: the home page's notice lists them.
func TestUnusedCodesSincePreviousSignIn(t *testing.T) {
	r := newRig(t)
	r.signedIn(t, "ada@example.com")
	r.clock.Advance(time.Hour)
	if _, err := r.engine.SignIn(ctx, "ada@example.com", stranger); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(time.Hour)
	in := r.signedIn(t, "ada@example.com")
	codes, err := r.engine.UnusedCodes(ctx, r.as(in.Token))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 1 || codes[0].Place != "Lagos, Nigeria" || codes[0].Status != otpd.StatusExpired || codes[0].IP != stranger.IP {
		t.Fatalf("unused codes %+v, want the stranger's, expired, from Lagos", codes)
	}
	r.clock.Advance(time.Hour)
	in = r.signedIn(t, "ada@example.com")
	if codes, _ := r.engine.UnusedCodes(ctx, r.as(in.Token)); len(codes) != 0 {
		t.Errorf("after the next sign-in, %d codes are still news", len(codes))
	}
}

// The codes an address was sent for an account that has since moved away
// from it are that account's, not news for the address's next account:
// neither its requesters' whereabouts nor a report of them are the new
// owner's.
func TestUnusedCodesAreTheAccountsOwn(t *testing.T) {
	r := newRig(t, roomy)
	bob := r.signedIn(t, "shared@example.com")
	r.clock.Advance(time.Minute)
	if _, err := r.engine.SignIn(ctx, "shared@example.com", stranger); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, "shared@example.com")
	r.stepUpOf(t, "shared@example.com", bob.Token, who)
	f, err := r.engine.ChangeEmail(ctx, r.as(bob.Token), "bob@new.example", who)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.ConfirmAddress(ctx, r.as(bob.Token), f.ID, r.code(t, "bob@new.example"), who); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, "shared@example.com") // the notice of the change
	r.clock.Advance(time.Minute)
	ada := r.signedIn(t, "shared@example.com")
	if ada.Account.ID == bob.Account.ID {
		t.Fatal("the address still signs in to bob's account")
	}
	codes, err := r.engine.UnusedCodes(ctx, r.as(ada.Token))
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 0 {
		t.Errorf("the address's new account is shown %+v, bob's", codes)
	}
}
