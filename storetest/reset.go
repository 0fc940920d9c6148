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
	{"CheckOnly", testResetCheckOnly},
	{"CheckOnlyConcurrentWrong", testResetCheckOnlyConcurrent},
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

// A reset's code checked on its own (CheckOnly), before its password is
// hashed: a right one answers matched and changes nothing, not even its
// tries, so the verify with the hash then consumes it; a wrong one counts
// as any wrong code does.
func testResetCheckOnly(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "ines@example.com", t0)
	ch := mustRequest(t, s, resetRequest(acct, t0.Add(time.Hour)))
	now := t0.Add(time.Hour + time.Minute)
	check := func(code string) otpd.VerifyResult {
		vr := verifyRequest(ch, code, now)
		vr.CheckOnly = true
		return mustVerify(t, s, vr)
	}
	if res := check(wrongCode); res.Outcome != otpd.OutcomeWrong || res.Challenge.Attempts != 1 {
		t.Errorf("wrong code checked only: %s after %d attempts, want %s after 1", res.Outcome, res.Challenge.Attempts, otpd.OutcomeWrong)
	}
	before := len(events(t, s, acct.ID))
	if res := check(rightCode); res.Outcome != otpd.OutcomeMatched {
		t.Errorf("right code checked only: %s, want %s", res.Outcome, otpd.OutcomeMatched)
	}
	if c := latest(t, s, ch.FlowID); c.Status != otpd.StatusPending || c.Attempts != 1 {
		t.Errorf("after a match the challenge is %s with %d attempts, want %s with 1", c.Status, c.Attempts, otpd.StatusPending)
	}
	if n := len(events(t, s, acct.ID)); n != before {
		t.Errorf("a match recorded %d events, want none", n-before)
	}
	wantPassword(t, s, acct, "")
	if got := stored(t, s, sess); !got.EndedAt.IsZero() {
		t.Errorf("a match ended a session at %v", got.EndedAt)
	}
	vr := resetVerify(acct, ch, rightCode, now.Add(time.Second))
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("the reset after a match: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
	wantPassword(t, s, acct, newHash)
	if res := check(rightCode); res.Outcome != otpd.OutcomeClosed {
		t.Errorf("a used code checked only: %s, want %s", res.Outcome, otpd.OutcomeClosed)
	}
}

// Wrong codes checked only, all at once, are counted as any others: no
// more are evaluated than the code's tries.
func testResetCheckOnlyConcurrent(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "jonas@example.com", t0)
	ch := mustRequest(t, s, resetRequest(acct, t0.Add(time.Hour)))
	const n = 30
	results := race(t, n, func(int) (otpd.VerifyResult, error) {
		vr := verifyRequest(ch, wrongCode, t0.Add(time.Hour+time.Minute))
		vr.CheckOnly = true
		return s.VerifyCode(t.Context(), vr)
	})
	if got := countOutcomes(results); got[otpd.OutcomeWrong] != maxAttempts || got[otpd.OutcomeExhausted] != n-maxAttempts {
		t.Errorf("outcomes %v, want %d wrong and %d exhausted", got, maxAttempts, n-maxAttempts)
	}
	if k := countEvents(t, s, acct.ID, otpd.EventCodeWrong); k != maxAttempts {
		t.Errorf("%d %s events, want %d", k, otpd.EventCodeWrong, maxAttempts)
	}
}
