package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// Wrong codes count against the guard of their address in the
// requester's context, the same guard password attempts count against.
var contextTests = []test{
	{"FamiliarNotLockedOut", testContextFamiliar},
	{"BackoffLockout", testContextBackoff},
	{"SharedWithPasswords", testContextShared},
	{"ConfirmingApart", testContextConfirming},
}

// submit verifies code for ch at now from context c, under lim.
func submit(t *testing.T, s otpd.Store, ch otpd.Challenge, code string, now time.Time, c otpd.SignInContext, lim otpd.GuessLimits) (otpd.VerifyRequest, otpd.VerifyResult) {
	t.Helper()
	vr := verifyRequest(ch, code, now)
	vr.Context, vr.Guess = c, lim
	return vr, mustVerify(t, s, vr)
}

// An attacker who spends the unfamiliar budget of an address locks out
// every unfamiliar browser, and any request that names no context, but
// not the owner on a device the account knows.
func testContextFamiliar(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "pablo@example.com", t0.Add(-24*time.Hour))
	lim := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour}
	stolen := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0))
	for i := range lim.MaxWrong {
		if _, res := submit(t, s, stolen, wrongCode, t0.Add(time.Duration(i)*time.Second), otpd.Unfamiliar, lim); res.Outcome != otpd.OutcomeWrong {
			t.Fatalf("wrong code %d: %s, want %s", i+1, res.Outcome, otpd.OutcomeWrong)
		}
	}
	now := t0.Add(time.Minute)
	owners := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, now))
	for _, c := range []otpd.SignInContext{otpd.Unfamiliar, ""} {
		_, res := submit(t, s, owners, rightCode, now, c, lim)
		if res.Outcome != otpd.OutcomeLocked || res.RetryAfter != time.Hour-time.Minute {
			t.Errorf("right code from context %q: %s, retry after %s; want %s, %s",
				c, res.Outcome, res.RetryAfter, otpd.OutcomeLocked, time.Hour-time.Minute)
		}
	}
	vr, res := submit(t, s, owners, rightCode, now, otpd.Familiar, lim)
	if res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("right code on a known device: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
	if got := stored(t, s, vr.Session); got.AccountID != acct.ID {
		t.Errorf("session of account %s, want %s", got.AccountID, acct.ID)
	}
}

// The wrong code that starts a lockout says how long it lasts, and the
// owner's record says it happened.
func testContextBackoff(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "quinta@example.com", t0.Add(-24*time.Hour))
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0))
	for i := range backoff.Free {
		_, res := submit(t, s, ch, wrongCode, t0, otpd.Unfamiliar, backoff)
		if res.Outcome != otpd.OutcomeWrong || res.RetryAfter != 0 {
			t.Errorf("free wrong code %d: %s, retry after %s; want %s, none", i+1, res.Outcome, res.RetryAfter, otpd.OutcomeWrong)
		}
	}
	if n := countEvents(t, s, acct.ID, otpd.EventLockedOut); n != 0 {
		t.Errorf("%d %s events after the free failures, want none", n, otpd.EventLockedOut)
	}
	_, res := submit(t, s, ch, wrongCode, t0, otpd.Unfamiliar, backoff)
	if res.Outcome != otpd.OutcomeWrong || res.RetryAfter != backoff.Backoff {
		t.Errorf("wrong code past the free ones: %s, retry after %s; want %s, %s", res.Outcome, res.RetryAfter, otpd.OutcomeWrong, backoff.Backoff)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventLockedOut); n != 1 {
		t.Errorf("%d %s events, want 1", n, otpd.EventLockedOut)
	}
	if _, res := submit(t, s, ch, rightCode, t0.Add(30*time.Second), otpd.Unfamiliar, backoff); res.Outcome != otpd.OutcomeLocked || res.RetryAfter != 30*time.Second {
		t.Errorf("right code during the lockout: %s, retry after %s; want %s, 30s", res.Outcome, res.RetryAfter, otpd.OutcomeLocked)
	}
	if _, res := submit(t, s, ch, rightCode, t0.Add(backoff.Backoff), otpd.Unfamiliar, backoff); res.Outcome != otpd.OutcomeVerified {
		t.Errorf("right code after the lockout: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
}

// Wrong passwords and wrong codes of one address and context spend one
// budget: switching between them buys an attacker nothing.
func testContextShared(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "rafa@example.com", t0.Add(-24*time.Hour))
	lim := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour}
	key := otpd.GuardKey{Email: acct.Email, Context: otpd.Unfamiliar}
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0))
	submit(t, s, ch, wrongCode, t0, otpd.Unfamiliar, lim)
	wantAttempt(t, "password after a wrong code", reserve(t, s, key, t0.Add(time.Second), lim), 0, 2, 0)
	if _, res := submit(t, s, ch, wrongCode, t0.Add(2*time.Second), otpd.Unfamiliar, lim); res.Outcome != otpd.OutcomeWrong || res.AttemptsLeft != 0 {
		t.Errorf("wrong code after a wrong password: %s with %d tries left, want %s with 0", res.Outcome, res.AttemptsLeft, otpd.OutcomeWrong)
	}
	wantAttempt(t, "password after the budget", reserve(t, s, key, t0.Add(3*time.Second), lim), time.Hour-3*time.Second, 3, 0)
	if _, res := submit(t, s, ch, rightCode, t0.Add(4*time.Second), otpd.Unfamiliar, lim); res.Outcome != otpd.OutcomeLocked {
		t.Errorf("right code after the budget: %s, want %s", res.Outcome, otpd.OutcomeLocked)
	}
	key.Context = otpd.Familiar
	wantAttempt(t, "password from a known device", reserve(t, s, key, t0.Add(5*time.Second), lim), 0, 1, 0)
}

// Wrong codes for a flow in which one account confirms someone else's
// address as its own are that flow's: they neither spend the budget of
// the address's owner, in any context, nor lock them out, nor land in
// their activity. They are still counted per address, apart from its
// sign-ins, so that accounts cannot pool guesses at one address's codes.
func testContextConfirming(t *testing.T, s otpd.Store) {
	owner, _ := signUp(t, s, "olga@example.com", t0.Add(-24*time.Hour))
	asker, sess := signUp(t, s, "ivan@example.com", t0.Add(-24*time.Hour))
	lim := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour, Free: 2, Backoff: time.Minute}
	ch := mustRequest(t, s, addressRequest(asker, sess, otpd.PurposeChangeEmail, owner.Email.String(), t0))
	for _, c := range []otpd.SignInContext{otpd.Familiar, otpd.Unfamiliar, otpd.Familiar} {
		vr := stepUpVerify(ch, wrongCode, sess.ID, t0)
		vr.Context, vr.Guess = c, lim
		if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeWrong {
			t.Fatalf("wrong code from %s: %s, want %s", c, res.Outcome, otpd.OutcomeWrong)
		}
	}
	now := t0.Add(time.Second)
	for _, c := range []otpd.SignInContext{otpd.Familiar, otpd.Unfamiliar} {
		wantAttempt(t, "the owner's password from "+string(c), reserve(t, s, otpd.GuardKey{Email: owner.Email, Context: c}, now, lim), 0, 1, 0)
		signIn := mustRequest(t, s, codeRequest(owner.Email.String(), owner.ID, now))
		if _, res := submit(t, s, signIn, rightCode, now, c, lim); res.Outcome != otpd.OutcomeVerified {
			t.Errorf("the owner's code from %s: %s, want %s", c, res.Outcome, otpd.OutcomeVerified)
		}
	}
	if n := countEvents(t, s, owner.ID, otpd.EventLockedOut); n != 0 {
		t.Errorf("%d %s events on the address's owner, want none", n, otpd.EventLockedOut)
	}
	if n := countEvents(t, s, asker.ID, otpd.EventLockedOut); n != 1 {
		t.Errorf("%d %s events on the asking account, want 1", n, otpd.EventLockedOut)
	}
	again := mustRequest(t, s, addressRequest(asker, sess, otpd.PurposeAddRecovery, owner.Email.String(), now))
	vr := stepUpVerify(again, rightCode, sess.ID, now)
	vr.Context, vr.Guess = otpd.Familiar, lim
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeLocked {
		t.Errorf("another confirmation of the address after its budget: %s, want %s", res.Outcome, otpd.OutcomeLocked)
	}
}
