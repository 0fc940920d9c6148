package storetest

import (
	"fmt"
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
	{"FlowsAccount", testDenyFlowsAccount},
	{"AfterAddressMoved", testDenyAfterAddressMoved},
	{"NoAccountYet", testDenyNoAccountYet},
	{"SignUpMadeItsAccount", testDenyUsedSignUp},
}

func denyEvent(at time.Time) otpd.Event {
	return otpd.Event{ID: newID("event"), At: at, IP: "198.51.100.9", UserAgent: "storetest reporter"}
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

// A code asked for by one account to confirm another's address as its own
// new or recovery address is that account's flow: reported, by whoever
// received it, it is recorded on that account and on no other.
func testDenyFlowsAccount(t *testing.T, s otpd.Store) {
	for i, p := range []otpd.Purpose{otpd.PurposeChangeEmail, otpd.PurposeAddRecovery} {
		at := t0.Add(time.Duration(i+1) * time.Hour)
		asker, sess := signUp(t, s, fmt.Sprintf("asker%d@example.com", i), at)
		owner, _ := signUp(t, s, fmt.Sprintf("owner%d@example.com", i), at)
		ch := mustRequest(t, s, addressRequest(asker, sess, p, owner.Email.String(), at))
		ev := denyEvent(at.Add(time.Minute))
		if got, err := s.DenyChallenge(t.Context(), ch.ID, ev); err != nil || got.Status != otpd.StatusDenied {
			t.Fatalf("%s: DenyChallenge: %s, %v", p, got.Status, err)
		}
		if e := findEvent(t, s, asker.ID, ev.ID); e.Type != otpd.EventCodeDenied || e.AccountID != asker.ID || e.FlowID != ch.FlowID {
			t.Errorf("%s: deny event %+v, want it on the asking account %s", p, e, asker.ID)
		}
		if n := countEvents(t, s, owner.ID, otpd.EventCodeDenied); n != 0 {
			t.Errorf("%s: %d deny events on the account that owns the address, want none", p, n)
		}
	}
}

// A sign-in code stays its account's after the account moved to another
// address and someone else took the old one.
func testDenyAfterAddressMoved(t *testing.T, s otpd.Store) {
	first, sess := signUp(t, s, "mover@example.com", t0)
	ch := mustRequest(t, s, codeRequest("mover@example.com", first.ID, t0.Add(time.Hour)))
	if _, _, res := changeTo(t, s, first, sess, "mover@new.example", t0.Add(2*time.Hour)); res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("change of address: %s", res.Outcome)
	}
	second, _ := signUp(t, s, "mover@example.com", t0.Add(3*time.Hour))
	wantDeniedOn(t, s, ch.ID, t0.Add(4*time.Hour), first, second)
}

// wantDeniedOn reports challenge id and wants the report on owner's record
// alone, none on other's, the account that has the address now.
func wantDeniedOn(t *testing.T, s otpd.Store, id string, at time.Time, owner, other otpd.Account) {
	t.Helper()
	ev := denyEvent(at)
	if _, err := s.DenyChallenge(t.Context(), id, ev); err != nil {
		t.Fatal(err)
	}
	findEvent(t, s, owner.ID, ev.ID)
	if n := countEvents(t, s, other.ID, otpd.EventCodeDenied); n != 0 {
		t.Errorf("%d deny events on the address's new account, want none", n)
	}
}

// A sign-up code belongs to no account: its report waits for the
// address's account, and is attached to it when the address gets one.
func testDenyNoAccountYet(t *testing.T, s otpd.Store) {
	ch := mustRequest(t, s, codeRequest("newcomer@example.com", "", t0))
	ev := denyEvent(t0.Add(time.Minute))
	if _, err := s.DenyChallenge(t.Context(), ch.ID, ev); err != nil {
		t.Fatal(err)
	}
	acct, _ := signUp(t, s, "newcomer@example.com", t0.Add(time.Hour))
	if e := findEvent(t, s, acct.ID, ev.ID); e.Type != otpd.EventCodeDenied {
		t.Errorf("deny event %+v", e)
	}
	later := mustRequest(t, s, codeRequest("newcomer@example.com", "", t0.Add(2*time.Hour)))
	ev = denyEvent(t0.Add(2*time.Hour + time.Minute))
	if _, err := s.DenyChallenge(t.Context(), later.ID, ev); err != nil {
		t.Fatal(err)
	}
	findEvent(t, s, acct.ID, ev.ID)
}

// A sign-up's code, once it has made its account, is that account's flow:
// a later report of it acts on that account, not on whoever has its
// address by then.
func testDenyUsedSignUp(t *testing.T, s otpd.Store) {
	ch := mustRequest(t, s, codeRequest("sam@example.com", "", t0))
	res := mustVerify(t, s, verifyRequest(ch, rightCode, t0))
	first := res.Account
	if res.Challenge.AccountID != first.ID || latest(t, s, ch.FlowID).AccountID != first.ID {
		t.Errorf("the verified sign-up's challenge has account %q (stored %q), want %s",
			res.Challenge.AccountID, latest(t, s, ch.FlowID).AccountID, first.ID)
	}
	if _, _, moved := changeTo(t, s, first, res.Session, "sam@new.example", t0.Add(time.Hour)); moved.Outcome != otpd.OutcomeVerified {
		t.Fatalf("change of address: %s", moved.Outcome)
	}
	second, _ := signUp(t, s, "sam@example.com", t0.Add(2*time.Hour))
	wantDeniedOn(t, s, ch.ID, t0.Add(3*time.Hour), first, second)
}
