package signin_test

import (
	"strings"
	"testing"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/signin"
)

// denyToken reads the token of a message's one link.
func denyToken(t *testing.T, m otpd.Email) string {
	t.Helper()
	i := strings.Index(m.Text, "/deny/")
	if i < 0 {
		t.Fatalf("no link in %q", m.Subject)
	}
	return strings.Fields(m.Text[i+len("/deny/"):])[0]
}

func TestChangeEmailAndUndo(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	other := r.signedIn(t, "ada@example.com")
	_, err := r.engine.ChangeEmail(ctx, r.as(in.Token), "ada@new.example", who)
	wantCode(t, err, otpd.EStepUpRequired)
	r.stepUp(t, in.Token, who)
	f, err := r.engine.ChangeEmail(ctx, r.as(in.Token), "ada@new.example", who)
	if err != nil {
		t.Fatal(err)
	}
	code := r.code(t, "ada@new.example")
	if _, err := r.engine.ConfirmAddress(ctx, r.as(other.Token), f.ID, code, who); err == nil {
		t.Error("another session confirmed the change")
	}
	acct, err := r.engine.ConfirmAddress(ctx, r.as(in.Token), f.ID, code, who)
	if err != nil || acct.Email.String() != "ada@new.example" {
		t.Fatalf("ConfirmAddress = %v, %v", acct.Email, err)
	}
	notice := r.deliver(t, "ada@example.com")
	if !strings.Contains(notice.Text, "a•••@new.example") {
		t.Errorf("the old address was not told where the account went: %q", notice.Text)
	}
	if _, err := r.engine.SignIn(ctx, "ada@new.example", who); err != nil {
		t.Fatal(err)
	}
	wantEventIn(t, activityOf(t, r, acct.ID), otpd.Event{Type: otpd.EventEmailChanged, Concerns: "a•••@example.com to a•••@new.example"})

	r.clock.Advance(3 * 24 * time.Hour)
	if _, err := r.engine.Deny(ctx, denyToken(t, notice), who); err != nil {
		t.Fatalf("undo from the old address: %v", err)
	}
	back, err := r.store.AccountByEmail(ctx, otpd.MustParseAddress("ada@example.com"))
	if err != nil || back.ID != acct.ID {
		t.Fatalf("the account did not move back: %v", err)
	}
	if _, err := r.engine.Authenticate(ctx, in.Token); otpd.ErrorCode(err) != otpd.EUnauthorized {
		t.Errorf("the session that made the change survived the undo: %v", err)
	}
	if !back.GuardedAt(r.clock.Now()) {
		t.Error("the guard was not raised after an undo")
	}
	if _, err := r.engine.Deny(ctx, denyToken(t, notice), who); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("a second undo: %v, want not_found", err)
	}
}

func TestChangeEmailUndoExpires(t *testing.T) {
	r := newRig(t)
	in := r.signedIn(t, "ada@example.com")
	r.stepUp(t, in.Token, who)
	f, err := r.engine.ChangeEmail(ctx, r.as(in.Token), "ada@new.example", who)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.ConfirmAddress(ctx, r.as(in.Token), f.ID, r.code(t, "ada@new.example"), who); err != nil {
		t.Fatal(err)
	}
	notice := r.deliver(t, "ada@example.com")
	r.clock.Advance(7 * 24 * time.Hour)
	if _, err := r.engine.Deny(ctx, denyToken(t, notice), who); otpd.ErrorCode(err) != otpd.ENotFound {
		t.Errorf("an undo after 7 days: %v, want not_found", err)
	}
}

func TestChangeEmailToTakenAddress(t *testing.T) {
	r := newRig(t)
	r.signedIn(t, "bob@example.com")
	in := r.signedIn(t, "ada@example.com")
	r.stepUp(t, in.Token, who)
	f, err := r.engine.ChangeEmail(ctx, r.as(in.Token), "bob@example.com", who)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.engine.ConfirmAddress(ctx, r.as(in.Token), f.ID, r.code(t, "bob@example.com"), who)
	if e := wantCode(t, err, otpd.EInvalid); e.Field != "email" {
		t.Errorf("field %q, want email", e.Field)
	}
}

func TestRecoveryAddress(t *testing.T) {
	r := newRig(t, func(p *signin.Policy) { p.Send.PerHour, p.Send.PerDay = 20, 20 })
	in := r.signedIn(t, "ada@example.com")
	r.stepUp(t, in.Token, who)
	f, err := r.engine.AddRecovery(ctx, r.as(in.Token), "ada.backup@example.org", who)
	if err != nil {
		t.Fatal(err)
	}
	acct, err := r.engine.ConfirmAddress(ctx, r.as(in.Token), f.ID, r.code(t, "ada.backup@example.org"), who)
	if err != nil || acct.RecoveryEmail.String() != "ada.backup@example.org" {
		t.Fatalf("recovery %v, %v", acct.RecoveryEmail, err)
	}
	sent, err := r.engine.SignInToRecovery(ctx, "ada@example.com", who)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.engine.Verify(ctx, sent.ID, r.code(t, "ada.backup@example.org"), who); err != nil {
		t.Errorf("the code sent to the recovery address: %v", err)
	}
	wantEvent(t, r, otpd.Event{Type: otpd.EventCodeRequested, Concerns: "a•••@example.org"})
	if err := r.engine.RemoveRecovery(ctx, r.as(in.Token), who); err != nil {
		t.Fatal(err)
	}
	before := len(r.inbox(t, "ada.backup@example.org"))
	r.clock.Advance(time.Minute)
	if _, err := r.engine.SignInToRecovery(ctx, "ada@example.com", who); err != nil {
		t.Fatal(err)
	}
	r.deliver(t, "ada@example.com")
	if got := len(r.inbox(t, "ada.backup@example.org")); got != before {
		t.Error("a removed recovery address still gets codes")
	}
}

// Mallory, on a browser her own account remembers, asks twice to make
// ada's address hers and types wrong codes until both codes die. Those
// are her flow's failures: ada, on her own remembered browser, still
// signs in with her password.
func TestWrongConfirmCodesDoNotLockTheAddressOwnerOut(t *testing.T) {
	r := newRig(t, roomy)
	device, owner := r.owner(t)
	at := signin.Requester{IP: "198.51.100.66", UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
	f := r.signIn(t, "mallory@example.net")
	at.Remember = true
	mallory, err := r.engine.Verify(ctx, f.ID, r.code(t, "mallory@example.net"), at)
	if err != nil {
		t.Fatal(err)
	}
	at.Device, at.Remember = mallory.DeviceToken, false
	r.stepUpOf(t, "mallory@example.net", mallory.Token, at)
	for range 2 {
		f, err := r.engine.ChangeEmail(ctx, r.as(mallory.Token), "ada@example.com", at)
		if err != nil {
			t.Fatal(err)
		}
		right := r.code(t, "ada@example.com")
		for range 5 {
			r.engine.ConfirmAddress(ctx, r.as(mallory.Token), f.ID, wrongCode(right), at)
		}
	}
	r.clock.Advance(time.Minute)
	res, err := r.engine.PasswordSignIn(ctx, "ada@example.com", goodPassword, device)
	if err != nil || res.SignedIn == nil {
		t.Fatalf("ada on her remembered browser: %+v, %v; want signed in", res, err)
	}
	for _, e := range activityOf(t, r, owner.Account.ID) {
		if e.Type == otpd.EventCodeWrong || e.Type == otpd.EventLockedOut {
			t.Errorf("ada's activity holds mallory's %s: %q", e.Type, e.Concerns)
		}
	}
}
