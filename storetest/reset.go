package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// A reset code sets a new password and signs out everyone who knew the
// old one, all in the verify that consumes it.
var resetTests = []test{
	{"Verified", testResetVerified},
	{"WithoutPassword", testResetWithoutPassword},
}

func resetRequest(acct otpd.Account, at time.Time) otpd.CodeRequest {
	return nextCode(otpd.Challenge{
		FlowID: newID("flow"), Purpose: otpd.PurposeResetPassword, Email: acct.Email, AccountID: acct.ID,
	}, at, false)
}

// resetVerify submits code for ch with a new password and its notice.
func resetVerify(acct otpd.Account, ch otpd.Challenge, code string, now time.Time) otpd.VerifyRequest {
	vr := verifyRequest(ch, code, now)
	vr.PasswordHash, vr.Notice = newHash, notice(acct, ch.ID, now)
	return vr
}

func testResetVerified(t *testing.T, s otpd.Store) {
	acct, first := signUp(t, s, "sofia@example.com", t0)
	second := signIn(t, s, acct, t0.Add(time.Minute))
	setPassword(t, s, acct, first, oldHash, t0.Add(2*time.Minute))
	ch := mustRequest(t, s, resetRequest(acct, t0.Add(time.Hour)))
	now := t0.Add(time.Hour + time.Minute)
	vr := resetVerify(acct, ch, rightCode, now)
	res := mustVerify(t, s, vr)
	if res.Outcome != otpd.OutcomeVerified || res.AccountCreated || res.Account.ID != acct.ID {
		t.Fatalf("reset: outcome %s, created %t, account %s; want verified for %s", res.Outcome, res.AccountCreated, res.Account.ID, acct.ID)
	}
	wantPassword(t, s, acct, newHash)
	for _, old := range []otpd.Session{first, second} {
		if got := stored(t, s, old); !got.EndedAt.Equal(now) {
			t.Errorf("session %s from before the reset ended at %v, want %v", old.ID, got.EndedAt, now)
		}
	}
	if got := stored(t, s, vr.Session); got.AccountID != acct.ID || !got.ActiveAt(now, time.Hour) {
		t.Errorf("the reset's session: account %s, ended at %v; want active for %s", got.AccountID, got.EndedAt, acct.ID)
	}
	wantNotice(t, s, now, vr.Notice)
	if n := countEvents(t, s, acct.ID, otpd.EventPasswordReset); n != 1 {
		t.Errorf("%d %s events, want 1", n, otpd.EventPasswordReset)
	}
	if c := latest(t, s, ch.FlowID); c.Status != otpd.StatusUsed {
		t.Errorf("reset challenge %s, want %s", c.Status, otpd.StatusUsed)
	}
}

// A reset code without the new password counts as wrong and changes
// nothing, so that the code cannot be probed without setting one.
func testResetWithoutPassword(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "tomas@example.com", t0)
	ch := mustRequest(t, s, resetRequest(acct, t0.Add(time.Hour)))
	now := t0.Add(time.Hour + time.Minute)
	vr := resetVerify(acct, ch, rightCode, now)
	vr.PasswordHash = ""
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeWrong || res.Challenge.Attempts != 1 {
		t.Errorf("reset code without a password: %s after %d attempts, want %s after 1", res.Outcome, res.Challenge.Attempts, otpd.OutcomeWrong)
	}
	wantPassword(t, s, acct, "")
	if got := stored(t, s, sess); !got.EndedAt.IsZero() {
		t.Errorf("session ended at %v by a reset that did not happen", got.EndedAt)
	}
	_, err := s.SessionByTokenHash(t.Context(), vr.Session.TokenHash)
	wantNotFound(t, err, "the session of a reset that did not happen")
	if _, ok := queued(t, s, now, vr.Notice.ID); ok {
		t.Errorf("notice of a reset that did not happen queued")
	}
	if n := countEvents(t, s, acct.ID, otpd.EventPasswordReset); n != 0 {
		t.Errorf("%d %s events, want none", n, otpd.EventPasswordReset)
	}
	if c := latest(t, s, ch.FlowID); c.Status != otpd.StatusPending {
		t.Fatalf("reset challenge %s after a misfit code, want %s", c.Status, otpd.StatusPending)
	}
	if res := mustVerify(t, s, resetVerify(acct, ch, rightCode, now.Add(time.Second))); res.Outcome != otpd.OutcomeVerified {
		t.Errorf("reset code with a password after one without: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
}
