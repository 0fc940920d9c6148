package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var denyTests = []test{
	{"Pending", testDenyPending},
	{"Used", testDenyUsed},
	{"Unknown", testDenyUnknown},
	{"RacesVerify", testDenyRacesVerify},
}

func denyEvent(at time.Time) otpd.Event {
	return otpd.Event{ID: newID("event"), At: at, IP: "198.51.100.9", UserAgent: "storetest reporter", Detail: "reported"}
}

// A denied code is dead: the right code no longer verifies, and the report
// is in the owner's record with the reporter's context.
func testDenyPending(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "dora@example.com", t0)
	ch := mustRequest(t, s, codeRequest("dora@example.com", acct.ID, t0.Add(time.Hour)))
	ev := denyEvent(t0.Add(time.Hour + time.Minute))
	got, err := s.DenyChallenge(t.Context(), ch.ID, ev)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != otpd.StatusDenied || got.ID != ch.ID {
		t.Errorf("DenyChallenge returned %s %s, want %s denied", got.ID, got.Status, ch.ID)
	}
	if c, err := s.Challenge(t.Context(), ch.ID); err != nil || c.Status != otpd.StatusDenied {
		t.Errorf("Challenge after deny: %s, %v", c.Status, err)
	}
	res := mustVerify(t, s, verifyRequest(ch, rightCode, t0.Add(time.Hour+2*time.Minute)))
	if res.Outcome != otpd.OutcomeClosed {
		t.Errorf("verify after deny: %s, want %s", res.Outcome, otpd.OutcomeClosed)
	}
	e := findEvent(t, s, acct.ID, ev.ID)
	if e.Type != otpd.EventCodeDenied || e.FlowID != ch.FlowID || e.IP != ev.IP || e.UserAgent != ev.UserAgent {
		t.Errorf("deny event %+v", e)
	}
}

// A code already used stays used; the report is recorded all the same,
// because it says someone else signed in.
func testDenyUsed(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "ugo@example.com", t0)
	ch := mustRequest(t, s, codeRequest("ugo@example.com", acct.ID, t0.Add(time.Hour)))
	mustVerify(t, s, verifyRequest(ch, rightCode, t0.Add(time.Hour)))
	got, err := s.DenyChallenge(t.Context(), ch.ID, denyEvent(t0.Add(2*time.Hour)))
	if err != nil || got.Status != otpd.StatusUsed {
		t.Fatalf("deny a used code: %s, %v; want it used", got.Status, err)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventCodeDenied); n != 1 {
		t.Errorf("%d deny events, want 1", n)
	}
}

func testDenyUnknown(t *testing.T, s otpd.Store) {
	_, err := s.DenyChallenge(t.Context(), "challenge-nope", denyEvent(t0))
	wantNotFound(t, err, "deny an unknown challenge")
	_, err = s.Challenge(t.Context(), "challenge-nope")
	wantNotFound(t, err, "an unknown challenge")
}

// A deny and a right code at once: exactly one wins. Either the code
// signs in and stays used, or it is denied and nobody signs in.
func testDenyRacesVerify(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "rita@example.com", t0)
	for i := range 10 {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		ch := mustRequest(t, s, codeRequest("rita@example.com", acct.ID, at))
		var (
			wg     sync.WaitGroup
			res    otpd.VerifyResult
			denied otpd.Challenge
			verr   error
			derr   error
		)
		wg.Go(func() { res, verr = s.VerifyCode(t.Context(), verifyRequest(ch, rightCode, at)) })
		wg.Go(func() { denied, derr = s.DenyChallenge(t.Context(), ch.ID, denyEvent(at)) })
		wg.Wait()
		if verr != nil || derr != nil {
			t.Fatalf("round %d: verify %v, deny %v", i, verr, derr)
		}
		verified := res.Outcome == otpd.OutcomeVerified
		if verified == (denied.Status == otpd.StatusDenied) {
			t.Fatalf("round %d: verified %t and denied %s", i, verified, denied.Status)
		}
	}
}
