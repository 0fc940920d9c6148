package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var verifyTests = []test{
	{"SignUp", testVerifySignUp},
	{"SignIn", testVerifySignIn},
	{"SignUpAccountCreatedMeanwhile", testVerifyAccountMeanwhile},
	{"Wrong", testVerifyWrong},
	{"LastWrongExhausts", testVerifyExhausts},
	{"Expired", testVerifyExpired},
	{"AccountBudget", testVerifyAccountBudget},
	{"UnknownChallenge", testVerifyUnknown},
}

// A right sign-up code creates the account, attaches the address's earlier
// events to it, and starts a session; the code then never verifies again.
func testVerifySignUp(t *testing.T, s otpd.Store) {
	req := codeRequest("Frank@example.com", "", t0)
	ch := mustRequest(t, s, req)
	vr := verifyRequest(ch, rightCode, t0.Add(time.Minute))
	res := mustVerify(t, s, vr)
	if res.Outcome != otpd.OutcomeVerified || !res.AccountCreated {
		t.Fatalf("outcome %s, created %t; want verified, created", res.Outcome, res.AccountCreated)
	}
	if res.Account.ID != vr.NewAccountID || res.Account.Email != ch.Email || !res.Account.CreatedAt.Equal(vr.Now) {
		t.Errorf("account %+v, want ID %s, address %s, created %v", res.Account, vr.NewAccountID, ch.Email, vr.Now)
	}
	if res.Session.ID != vr.Session.ID || res.Session.AccountID != res.Account.ID {
		t.Errorf("session %s of account %q, want %s of %s", res.Session.ID, res.Session.AccountID, vr.Session.ID, res.Account.ID)
	}
	if res.Challenge.Status != otpd.StatusUsed || latest(t, s, ch.FlowID).Status != otpd.StatusUsed {
		t.Errorf("challenge status %s, stored %s; want used", res.Challenge.Status, latest(t, s, ch.FlowID).Status)
	}
	acct, err := s.AccountByEmail(t.Context(), otpd.MustParseAddress("frank@EXAMPLE.com"))
	if err != nil || acct.ID != res.Account.ID {
		t.Errorf("AccountByEmail after sign-up: %+v, %v; want %s", acct, err, res.Account.ID)
	}
	sess, err := s.SessionByTokenHash(t.Context(), vr.Session.TokenHash)
	if err != nil || sess.AccountID != res.Account.ID {
		t.Errorf("SessionByTokenHash after sign-up: %+v, %v; want a session of %s", sess, err, res.Account.ID)
	}
	if ev := findEvent(t, s, acct.ID, req.Event.ID); ev.Type != otpd.EventCodeRequested {
		t.Errorf("earlier request attached as %s, want %s", ev.Type, otpd.EventCodeRequested)
	}
	for _, typ := range []otpd.EventType{otpd.EventCodeVerified, otpd.EventAccountCreated, otpd.EventSessionStarted} {
		if n := countEvents(t, s, acct.ID, typ); n != 1 {
			t.Errorf("%d %s events, want 1", n, typ)
		}
	}

	again := verifyRequest(ch, rightCode, t0.Add(2*time.Minute))
	if res := mustVerify(t, s, again); res.Outcome != otpd.OutcomeClosed {
		t.Errorf("right code a second time: %s, want %s", res.Outcome, otpd.OutcomeClosed)
	}
	_, err = s.SessionByTokenHash(t.Context(), again.Session.TokenHash)
	wantNotFound(t, err, "session of a second use of a code")
	if n := countEvents(t, s, acct.ID, otpd.EventCodeRejected); n != 1 {
		t.Errorf("%d %s events after reuse, want 1", n, otpd.EventCodeRejected)
	}
}

func testVerifySignIn(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "grace@example.com", t0)
	ch := mustRequest(t, s, codeRequest("Grace@example.com", acct.ID, t0.Add(time.Hour)))
	vr := verifyRequest(ch, rightCode, t0.Add(time.Hour+time.Minute))
	res := mustVerify(t, s, vr)
	if res.Outcome != otpd.OutcomeVerified || res.AccountCreated || res.Account.ID != acct.ID || res.Session.AccountID != acct.ID {
		t.Errorf("sign-in: outcome %s, created %t, account %s, session of %s; want verified into %s",
			res.Outcome, res.AccountCreated, res.Account.ID, res.Session.AccountID, acct.ID)
	}
	_, err := s.AccountByID(t.Context(), vr.NewAccountID)
	wantNotFound(t, err, "account for a sign-in")
}

// Two sign-up flows for one address: the second to verify signs into the
// account the first created.
func testVerifyAccountMeanwhile(t *testing.T, s otpd.Store) {
	a := mustRequest(t, s, codeRequest("gina@example.com", "", t0))
	b := mustRequest(t, s, codeRequest("Gina@example.com", "", t0.Add(time.Second)))
	first := mustVerify(t, s, verifyRequest(a, rightCode, t0.Add(time.Minute)))
	second := mustVerify(t, s, verifyRequest(b, rightCode, t0.Add(2*time.Minute)))
	if first.Outcome != otpd.OutcomeVerified || !first.AccountCreated {
		t.Fatalf("first sign-up: %s, created %t", first.Outcome, first.AccountCreated)
	}
	if second.Outcome != otpd.OutcomeVerified || second.AccountCreated ||
		second.Account.ID != first.Account.ID || second.Session.AccountID != first.Account.ID {
		t.Errorf("second sign-up: %s, created %t, account %s, session of %s; want verified into %s",
			second.Outcome, second.AccountCreated, second.Account.ID, second.Session.AccountID, first.Account.ID)
	}
}

func testVerifyWrong(t *testing.T, s otpd.Store) {
	tests := []struct {
		name     string
		guess    otpd.GuessLimits
		wantLeft int
	}{
		{"code budget is less", roomyGuess, maxAttempts - 1},
		{"account budget is less", otpd.GuessLimits{MaxWrong: 3, Window: time.Hour}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch := mustRequest(t, s, codeRequest(newID("hal")+"@example.com", "", t0))
			vr := verifyRequest(ch, wrongCode, t0.Add(time.Minute))
			vr.Guess = tc.guess
			res := mustVerify(t, s, vr)
			if res.Outcome != otpd.OutcomeWrong || res.AttemptsLeft != tc.wantLeft {
				t.Errorf("outcome %s, %d left; want %s, %d left", res.Outcome, res.AttemptsLeft, otpd.OutcomeWrong, tc.wantLeft)
			}
			got := latest(t, s, ch.FlowID)
			if res.Challenge.Attempts != 1 || got.Attempts != 1 || got.Status != otpd.StatusPending {
				t.Errorf("attempts %d, stored %d (%s); want 1, pending", res.Challenge.Attempts, got.Attempts, got.Status)
			}
		})
	}
}

// The wrong code that uses the last attempt is still "wrong", with nothing
// left; the code is dead afterwards, even when right.
func testVerifyExhausts(t *testing.T, s otpd.Store) {
	ch := mustRequest(t, s, codeRequest("ivan@example.com", "", t0))
	for i := range maxAttempts {
		res := mustVerify(t, s, verifyRequest(ch, wrongCode, t0.Add(time.Duration(i+1)*time.Second)))
		if res.Outcome != otpd.OutcomeWrong || res.AttemptsLeft != maxAttempts-1-i {
			t.Fatalf("wrong code %d: %s, %d left; want %s, %d left", i+1, res.Outcome, res.AttemptsLeft, otpd.OutcomeWrong, maxAttempts-1-i)
		}
	}
	if got := latest(t, s, ch.FlowID); got.Status != otpd.StatusExhausted || got.Attempts != maxAttempts {
		t.Errorf("stored challenge %s with %d attempts, want exhausted with %d", got.Status, got.Attempts, maxAttempts)
	}
	vr := verifyRequest(ch, rightCode, t0.Add(time.Minute))
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeExhausted {
		t.Errorf("right code after the last attempt: %s, want %s", res.Outcome, otpd.OutcomeExhausted)
	}
	_, err := s.SessionByTokenHash(t.Context(), vr.Session.TokenHash)
	wantNotFound(t, err, "session from an exhausted code")
	if got := latest(t, s, ch.FlowID); got.Attempts != maxAttempts {
		t.Errorf("a code submitted to an exhausted challenge was counted: %d attempts", got.Attempts)
	}
}

// A code is dead from ExpiresAt on; what is submitted then is not counted,
// per code or per address.
func testVerifyExpired(t *testing.T, s otpd.Store) {
	tight := otpd.GuessLimits{MaxWrong: 1, Window: 24 * time.Hour}
	ch := mustRequest(t, s, codeRequest("judy@example.com", "", t0))
	for _, code := range []string{wrongCode, rightCode} {
		vr := verifyRequest(ch, code, ch.ExpiresAt)
		vr.Guess = tight
		if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeExpired || res.Challenge.Status != otpd.StatusExpired {
			t.Errorf("code %s at expiry: %s (%s), want %s (%s)", code, res.Outcome, res.Challenge.Status, otpd.OutcomeExpired, otpd.StatusExpired)
		}
	}
	if got := latest(t, s, ch.FlowID); got.Status != otpd.StatusExpired || got.Attempts != 0 {
		t.Errorf("stored challenge %s with %d attempts, want expired with 0", got.Status, got.Attempts)
	}
	// Had the expired wrong code counted, this address would be locked.
	next := mustRequest(t, s, codeRequest("judy@example.com", "", t0.Add(time.Hour)))
	vr := verifyRequest(next, rightCode, next.ExpiresAt.Add(-time.Millisecond))
	vr.Guess = tight
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeVerified {
		t.Errorf("right code a millisecond before expiry: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
}

// The address's wrong-code budget spans all its flows, is not reset by a
// new code, locks without evaluating the code, and refills when its fixed
// window, started by the first wrong code, ends.
func testVerifyAccountBudget(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "kim@example.com", t0.Add(-24*time.Hour))
	guess := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour}
	submit := func(ch otpd.Challenge, code string, at time.Time) otpd.VerifyResult {
		t.Helper()
		vr := verifyRequest(ch, code, at)
		vr.Guess = guess
		return mustVerify(t, s, vr)
	}
	a := mustRequest(t, s, codeRequest("kim@example.com", acct.ID, t0))
	b := mustRequest(t, s, codeRequest("KIM@example.com", acct.ID, t0.Add(time.Minute)))
	windowStart := t0.Add(2 * time.Minute)
	for i, w := range []struct {
		ch       otpd.Challenge
		at       time.Time
		wantLeft int
	}{
		{a, windowStart, 2},
		{b, t0.Add(3 * time.Minute), 1},
		{a, t0.Add(4 * time.Minute), 0},
	} {
		if res := submit(w.ch, wrongCode, w.at); res.Outcome != otpd.OutcomeWrong || res.AttemptsLeft != w.wantLeft {
			t.Fatalf("wrong code %d: %s, %d left; want %s, %d left", i+1, res.Outcome, res.AttemptsLeft, otpd.OutcomeWrong, w.wantLeft)
		}
	}

	c := mustRequest(t, s, codeRequest("kim@example.com", acct.ID, t0.Add(5*time.Minute)))
	at := t0.Add(6 * time.Minute)
	res := submit(c, rightCode, at)
	if res.Outcome != otpd.OutcomeLocked || res.RetryAfter != windowStart.Add(time.Hour).Sub(at) {
		t.Errorf("right code with the budget spent: %s, retry after %s; want %s, %s",
			res.Outcome, res.RetryAfter, otpd.OutcomeLocked, windowStart.Add(time.Hour).Sub(at))
	}
	if got := latest(t, s, c.FlowID); got.Status != otpd.StatusPending || got.Attempts != 0 {
		t.Errorf("locked submission changed the challenge: %s, %d attempts", got.Status, got.Attempts)
	}
	if evs, err := s.Events(t.Context(), acct.ID, 1); err != nil || len(evs) != 1 || evs[0].Type != otpd.EventCodeLocked {
		t.Errorf("newest event %+v (%v), want %s", evs, err, otpd.EventCodeLocked)
	}

	// The window ends an hour after its first wrong code; a window
	// sliding from the last one would still lock here.
	d := mustRequest(t, s, codeRequest("kim@example.com", acct.ID, windowStart.Add(55*time.Minute)))
	refilled := windowStart.Add(time.Hour)
	if res := submit(d, wrongCode, refilled); res.Outcome != otpd.OutcomeWrong || res.AttemptsLeft != 2 {
		t.Errorf("wrong code after the window: %s, %d left; want %s, 2 left", res.Outcome, res.AttemptsLeft, otpd.OutcomeWrong)
	}
	if res := submit(d, rightCode, refilled.Add(time.Second)); res.Outcome != otpd.OutcomeVerified {
		t.Errorf("right code after the window: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
}

func testVerifyUnknown(t *testing.T, s otpd.Store) {
	_, err := s.VerifyCode(t.Context(), verifyRequest(otpd.Challenge{ID: "no-such-challenge"}, rightCode, t0))
	wantNotFound(t, err, "VerifyCode of an unknown challenge")
}
