package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var eventTests = []test{
	{"OnePerOutcome", testEventsPerOutcome},
	{"NewestFirstAndLimit", testEventsOrder},
}

// Every verify records one event of its outcome's type, with the
// requester's context; a success adds session_started.
func testEventsPerOutcome(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "leo@example.com", t0.Add(-24*time.Hour))
	at := t0
	step := func() time.Time { at = at.Add(time.Second); return at }
	a := mustRequest(t, s, codeRequest("leo@example.com", acct.ID, step()))
	b := mustRequest(t, s, codeRequest("leo@example.com", acct.ID, step()))
	c := mustRequest(t, s, codeRequest("leo@example.com", acct.ID, step()))
	d := mustRequest(t, s, codeRequest("leo@example.com", acct.ID, step()))

	check := func(ch otpd.Challenge, code string, now time.Time, guess otpd.GuessLimits, want otpd.VerifyOutcome) {
		t.Helper()
		vr := verifyRequest(ch, code, now)
		vr.Guess = guess
		if res := mustVerify(t, s, vr); res.Outcome != want {
			t.Fatalf("verify %s at %s: %s, want %s", ch.ID, now.Sub(t0), res.Outcome, want)
		}
		evs, err := s.Events(t.Context(), acct.ID, 1)
		if err != nil || len(evs) != 1 {
			t.Fatalf("Events(limit 1): %v, %v", evs, err)
		}
		wantType := want.EventType()
		if want == otpd.OutcomeVerified {
			wantType = otpd.EventSessionStarted
		}
		e := evs[0]
		if e.Type != wantType || !e.At.Equal(now) || e.AccountID != acct.ID || e.FlowID != ch.FlowID ||
			e.IP != vr.Event.IP || e.UserAgent != vr.Event.UserAgent || e.Email.Key() != ch.Email.Key() || e.ID == "" {
			t.Errorf("newest event %+v, want %s at %v for flow %s from %s", e, wantType, now, ch.FlowID, vr.Event.IP)
		}
	}
	check(a, wrongCode, step(), roomyGuess, otpd.OutcomeWrong)
	for range maxAttempts - 1 {
		check(a, wrongCode, step(), roomyGuess, otpd.OutcomeWrong)
	}
	check(a, rightCode, step(), roomyGuess, otpd.OutcomeExhausted)
	check(c, rightCode, step(), otpd.GuessLimits{MaxWrong: maxAttempts, Window: time.Hour}, otpd.OutcomeLocked)
	check(c, rightCode, step(), roomyGuess, otpd.OutcomeVerified)
	check(c, rightCode, step(), roomyGuess, otpd.OutcomeClosed)
	check(b, rightCode, b.ExpiresAt, roomyGuess, otpd.OutcomeExpired)
	check(d, wrongCode, d.ExpiresAt, roomyGuess, otpd.OutcomeExpired)

	want := map[otpd.EventType]int{
		otpd.EventCodeWrong: maxAttempts, otpd.EventCodeExhausted: 1, otpd.EventCodeExpired: 2,
		otpd.EventCodeLocked: 1, otpd.EventCodeVerified: 2, otpd.EventSessionStarted: 2,
		otpd.EventCodeRejected: 1, otpd.EventAccountCreated: 1,
	}
	for typ, n := range want {
		if got := countEvents(t, s, acct.ID, typ); got != n {
			t.Errorf("%d %s events, want %d (sign-up included)", got, typ, n)
		}
	}
}

func testEventsOrder(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "mia@example.com", t0)
	for i := range 5 {
		mustRequest(t, s, codeRequest("mia@example.com", acct.ID, t0.Add(time.Duration(i+1)*time.Minute)))
	}
	all := events(t, s, acct.ID)
	// code_requested, code_verified, account_created, session_started from
	// the sign-up, then five requests.
	if len(all) != 9 {
		t.Fatalf("%d events, want 9", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].At.After(all[i-1].At) {
			t.Fatalf("event %d (%v) is newer than event %d (%v): want newest first", i, all[i].At, i-1, all[i-1].At)
		}
	}
	if !all[0].At.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("newest event at %v, want %v", all[0].At, t0.Add(5*time.Minute))
	}
	some, err := s.Events(t.Context(), acct.ID, 3)
	if err != nil {
		t.Fatalf("Events(limit 3): %v", err)
	}
	if len(some) != 3 {
		t.Fatalf("Events(limit 3) returned %d", len(some))
	}
	for i := range some {
		if some[i].ID != all[i].ID {
			t.Errorf("Events(limit 3)[%d] = %s, want %s", i, some[i].ID, all[i].ID)
		}
	}
	if evs, err := s.Events(t.Context(), "no-such-account", 10); err != nil || len(evs) != 0 {
		t.Errorf("Events of an unknown account: %v, %v; want none", evs, err)
	}
}
