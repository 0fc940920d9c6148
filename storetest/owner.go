package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// ownerTests cover what the account's owner reads and does on the
// security pages: the sessions, the codes nobody used, and a report that
// signs out whoever the reported request let in.
var ownerTests = []test{
	{"Sessions", testSessionsList},
	{"EndSessionsFrom", testEndSessionsFrom},
	{"UnusedChallenges", testUnusedChallenges},
	{"PreviousSignIn", testPreviousSignIn},
}

func testSessionsList(t *testing.T, s otpd.Store) {
	acct, first := signUp(t, s, "ivy@example.com", t0)
	second := signIn(t, s, acct, t0.Add(time.Minute))
	ended := signIn(t, s, acct, t0.Add(2*time.Minute))
	if err := s.EndSession(t.Context(), ended.ID, sessionEnded(acct, t0.Add(3*time.Minute))); err != nil {
		t.Fatal(err)
	}
	signUp(t, s, "jon@example.com", t0)
	ss, err := s.Sessions(t.Context(), acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].ID != second.ID || ss[1].ID != first.ID {
		t.Errorf("sessions %v, want the two not ended, newest first", ss)
	}
}

func testEndSessionsFrom(t *testing.T, s otpd.Store) {
	acct, before := signUp(t, s, "kim@example.com", t0) // from 192.0.2.2, as verifyRequest makes them
	after := signIn(t, s, acct, t0.Add(time.Hour))
	ev := accountEvent(acct, otpd.EventSessionsEnded, t0.Add(2*time.Hour))
	n, err := s.EndSessionsFrom(t.Context(), acct.ID, after.IP, t0.Add(30*time.Minute), ev)
	if err != nil || n != 1 {
		t.Fatalf("EndSessionsFrom = %d, %v; want 1", n, err)
	}
	if got := stored(t, s, after); !got.EndedAt.Equal(ev.At) {
		t.Errorf("the session after the request ended at %v", got.EndedAt)
	}
	if got := stored(t, s, before); !got.EndedAt.IsZero() {
		t.Error("a session from before the request ended too")
	}
	findEvent(t, s, acct.ID, ev.ID)
	other := accountEvent(acct, otpd.EventSessionsEnded, t0.Add(3*time.Hour))
	if n, err := s.EndSessionsFrom(t.Context(), acct.ID, "203.0.113.99", t0, other); err != nil || n != 0 {
		t.Errorf("from another address: %d, %v", n, err)
	}
	if countEvents(t, s, acct.ID, otpd.EventSessionsEnded) != 1 {
		t.Error("ending nothing recorded an event")
	}
}

func testUnusedChallenges(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "lou@example.com", t0)
	unused := mustRequest(t, s, codeRequest("lou@example.com", acct.ID, t0.Add(time.Hour)))
	used := mustRequest(t, s, codeRequest("lou@example.com", acct.ID, t0.Add(2*time.Hour)))
	mustVerify(t, s, verifyRequest(used, rightCode, t0.Add(2*time.Hour)))
	cs, err := s.UnusedChallenges(t.Context(), acct.Email, t0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1 || cs[0].ID != unused.ID {
		t.Errorf("unused %v, want only %s (not the sign-up's, not the used one)", cs, unused.ID)
	}
	if cs, _ := s.UnusedChallenges(t.Context(), acct.Email, t0.Add(time.Hour), 10); len(cs) != 1 {
		t.Errorf("since the request's own millisecond: %d, want 1", len(cs))
	}
	if cs, _ := s.UnusedChallenges(t.Context(), acct.Email, t0.Add(time.Hour+time.Millisecond), 10); len(cs) != 0 {
		t.Errorf("since just after the request: %d, want 0", len(cs))
	}
}

func testPreviousSignIn(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "max@example.com", t0)
	for _, at := range []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour)} {
		if err := s.RecordSignIn(t.Context(), acct.ID, at, otpd.Place{}); err != nil {
			t.Fatal(err)
		}
	}
	got := account(t, s, acct.ID)
	if !got.PrevSignInAt.Equal(t0.Add(time.Hour)) || !got.LastSignInAt.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("previous %v, last %v", got.PrevSignInAt, got.LastSignInAt)
	}
}
