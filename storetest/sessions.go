package storetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var sessionTests = []test{
	{"Lookup", testSessionLookup},
	{"Touch", testSessionTouch},
	{"End", testSessionEnd},
	{"EndConcurrently", testSessionEndConcurrently},
}

func testSessionLookup(t *testing.T, s otpd.Store) {
	acct, want := signUp(t, s, "nina@example.com", t0)
	got, err := s.SessionByTokenHash(t.Context(), want.TokenHash)
	if err != nil {
		t.Fatalf("SessionByTokenHash: %v", err)
	}
	if got.ID != want.ID || got.AccountID != acct.ID || !bytes.Equal(got.TokenHash, want.TokenHash) ||
		!got.CreatedAt.Equal(t0) || !got.LastSeenAt.Equal(t0) || !got.ExpiresAt.Equal(want.ExpiresAt) ||
		!got.EndedAt.IsZero() || got.IP != want.IP || got.UserAgent != want.UserAgent {
		t.Errorf("session\n got %+v\nwant %+v", got, want)
	}
	_, err = s.SessionByTokenHash(t.Context(), tokenHash("no such token"))
	wantNotFound(t, err, "SessionByTokenHash of an unknown token")
}

func testSessionTouch(t *testing.T, s otpd.Store) {
	_, sess := signUp(t, s, "otto@example.com", t0)
	lastSeen := func() time.Time {
		t.Helper()
		got, err := s.SessionByTokenHash(t.Context(), sess.TokenHash)
		if err != nil {
			t.Fatalf("SessionByTokenHash: %v", err)
		}
		return got.LastSeenAt
	}
	if err := s.TouchSession(t.Context(), sess.ID, t0.Add(5*time.Minute)); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if got := lastSeen(); !got.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("last seen %v after touch, want %v", got, t0.Add(5*time.Minute))
	}
	// A request that started earlier but touches later must not move it back.
	if err := s.TouchSession(t.Context(), sess.ID, t0.Add(time.Minute)); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	if got := lastSeen(); !got.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("last seen %v after an earlier touch, want it kept at %v", got, t0.Add(5*time.Minute))
	}
	wantNotFound(t, s.TouchSession(t.Context(), "no-such-session", t0), "TouchSession of an unknown session")
}

func sessionEnded(acct otpd.Account, at time.Time) otpd.Event {
	return otpd.Event{ID: newID("event"), Type: otpd.EventSessionEnded, At: at, AccountID: acct.ID,
		Email: acct.Email, IP: "192.0.2.3", UserAgent: "storetest", Concerns: "Firefox on Linux from 192.0.2.9"}
}

func testSessionEnd(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "pia@example.com", t0)
	ev := sessionEnded(acct, t0.Add(time.Hour))
	if err := s.EndSession(t.Context(), sess.ID, ev); err != nil {
		t.Fatalf("EndSession: %v", err)
	}
	got, err := s.SessionByTokenHash(t.Context(), sess.TokenHash)
	if err != nil {
		t.Fatalf("SessionByTokenHash of an ended session: %v", err)
	}
	if !got.EndedAt.Equal(ev.At) {
		t.Errorf("ended at %v, want %v", got.EndedAt, ev.At)
	}
	if got.ActiveAt(ev.At, 24*time.Hour) {
		t.Error("ended session is still active")
	}
	if e := findEvent(t, s, acct.ID, ev.ID); e.Type != otpd.EventSessionEnded || !e.At.Equal(ev.At) || e.Concerns != ev.Concerns {
		t.Errorf("event %+v, want %+v", e, ev)
	}
	wantNotFound(t, s.EndSession(t.Context(), sess.ID, sessionEnded(acct, t0.Add(2*time.Hour))), "EndSession twice")
	if n := countEvents(t, s, acct.ID, otpd.EventSessionEnded); n != 1 {
		t.Errorf("%d %s events, want 1", n, otpd.EventSessionEnded)
	}
	wantNotFound(t, s.EndSession(t.Context(), "no-such-session", sessionEnded(acct, t0)), "EndSession of an unknown session")
}

// Of many concurrent sign-outs of one session, one ends it.
func testSessionEndConcurrently(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "quinn@example.com", t0)
	const n = 10
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.EndSession(t.Context(), sess.ID, sessionEnded(acct, t0.Add(time.Hour)))
		})
	}
	wg.Wait()
	ended := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ended++
		case !errors.Is(err, otpd.ErrNotFound):
			t.Errorf("EndSession: %v", err)
		}
	}
	if ended != 1 || countEvents(t, s, acct.ID, otpd.EventSessionEnded) != 1 {
		t.Errorf("%d of %d concurrent EndSession calls succeeded, %d events; want 1 and 1",
			ended, n, countEvents(t, s, acct.ID, otpd.EventSessionEnded))
	}
}
