package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var passwordTests = []test{
	{"Set", testPasswordSet},
	{"Remove", testPasswordRemove},
	{"EndSessions", testPasswordEndSessions},
	{"KeepSessions", testPasswordKeepSessions},
	{"RehashRecordsNothing", testPasswordRehash},
	{"UnknownAccount", testPasswordUnknown},
}

// The hashes are opaque to a store; these stand in for argon2id ones.
const (
	oldHash = "$argon2id$v=19$m=19456,t=2,p=1$c3RvcmV0ZXN0$old"
	newHash = "$argon2id$v=19$m=19456,t=2,p=1$c3RvcmV0ZXN0$new"
)

// setPassword changes acct's password from sess after a step-up, as the
// settings page does, with its event and notice.
func setPassword(t *testing.T, s otpd.Store, acct otpd.Account, sess otpd.Session, hash string, at time.Time) otpd.PasswordChange {
	t.Helper()
	ch := stepUp(t, s, acct, sess, at)
	typ := otpd.EventPasswordSet
	if hash == "" {
		typ = otpd.EventPasswordRemoved
	}
	req := otpd.PasswordChange{
		AccountID: acct.ID, Hash: hash, Event: accountEvent(acct, typ, at), Keep: sess.ID, Notice: notice(acct, ch.ID, at),
	}
	if err := s.SetPassword(t.Context(), req); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	return req
}

func wantPassword(t *testing.T, s otpd.Store, acct otpd.Account, hash string) {
	t.Helper()
	byID := account(t, s, acct.ID)
	byEmail, err := s.AccountByEmail(t.Context(), acct.Email)
	if err != nil {
		t.Fatalf("AccountByEmail: %v", err)
	}
	for _, got := range []otpd.Account{byID, byEmail} {
		if got.PasswordHash != hash || got.HasPassword() != (hash != "") {
			t.Errorf("password hash %q, want %q", got.PasswordHash, hash)
		}
	}
}

func testPasswordSet(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "paula@example.com", t0)
	wantPassword(t, s, acct, "")
	at := t0.Add(time.Hour)
	req := setPassword(t, s, acct, sess, oldHash, at)
	wantPassword(t, s, acct, oldHash)
	if e := findEvent(t, s, acct.ID, req.Event.ID); e.Type != otpd.EventPasswordSet || !e.At.Equal(at) ||
		e.Place != req.Event.Place || e.IP != req.Event.IP || e.Reason != req.Event.Reason || e.Concerns != req.Event.Concerns {
		t.Errorf("event %+v, want %+v", e, req.Event)
	}
	wantNotice(t, s, at, req.Notice)
	if got := stored(t, s, sess); !got.EndedAt.IsZero() {
		t.Errorf("session ended at %v by a change that did not ask to end any", got.EndedAt)
	}

	setPassword(t, s, acct, sess, newHash, at.Add(time.Minute))
	wantPassword(t, s, acct, newHash)
	if n := countEvents(t, s, acct.ID, otpd.EventPasswordSet); n != 2 {
		t.Errorf("%d %s events, want 2", n, otpd.EventPasswordSet)
	}
}

func testPasswordRemove(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "quentin@example.com", t0)
	setPassword(t, s, acct, sess, oldHash, t0.Add(time.Hour))
	req := setPassword(t, s, acct, sess, "", t0.Add(2*time.Hour))
	wantPassword(t, s, acct, "")
	if e := findEvent(t, s, acct.ID, req.Event.ID); e.Type != otpd.EventPasswordRemoved {
		t.Errorf("event %s, want %s", e.Type, otpd.EventPasswordRemoved)
	}
	wantNotice(t, s, t0.Add(2*time.Hour), req.Notice)
}

// A new password signs out every other session of the account, so that
// whoever knew the old one is out, but not the session that set it, nor
// anyone else's; a session already ended keeps when it ended.
func testPasswordEndSessions(t *testing.T, s otpd.Store) {
	acct, keep := signUp(t, s, "rosa@example.com", t0)
	others := []otpd.Session{signIn(t, s, acct, t0.Add(time.Minute)), signIn(t, s, acct, t0.Add(2*time.Minute))}
	old := signIn(t, s, acct, t0.Add(3*time.Minute))
	oldEnd := sessionEnded(acct, t0.Add(4*time.Minute))
	if err := s.EndSession(t.Context(), old.ID, oldEnd); err != nil {
		t.Fatalf("EndSession: %v", err)
	}
	stranger, theirs := signUp(t, s, "sid@example.com", t0)

	at := t0.Add(time.Hour)
	ch := stepUp(t, s, acct, keep, at)
	req := otpd.PasswordChange{
		AccountID: acct.ID, Hash: newHash, Event: accountEvent(acct, otpd.EventPasswordSet, at),
		EndSessions: true, Keep: keep.ID, Notice: notice(acct, ch.ID, at),
	}
	if err := s.SetPassword(t.Context(), req); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	for _, sess := range others {
		if got := stored(t, s, sess); !got.EndedAt.Equal(at) {
			t.Errorf("other session %s ended at %v, want %v", sess.ID, got.EndedAt, at)
		}
	}
	if got := stored(t, s, keep); !got.EndedAt.IsZero() {
		t.Errorf("the session that set the password ended at %v", got.EndedAt)
	}
	if got := stored(t, s, old); !got.EndedAt.Equal(oldEnd.At) {
		t.Errorf("session ended earlier now ended at %v, want %v", got.EndedAt, oldEnd.At)
	}
	if got := stored(t, s, theirs); !got.EndedAt.IsZero() {
		t.Errorf("account %s's session ended at %v by another account's new password", stranger.ID, got.EndedAt)
	}
	wantPassword(t, s, acct, newHash)
	wantNotice(t, s, at, req.Notice)
}

func testPasswordKeepSessions(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "tilda@example.com", t0)
	other := signIn(t, s, acct, t0.Add(time.Minute))
	setPassword(t, s, acct, sess, oldHash, t0.Add(time.Hour))
	for _, x := range []otpd.Session{sess, other} {
		if got := stored(t, s, x); !got.EndedAt.IsZero() {
			t.Errorf("session %s ended at %v without EndSessions", x.ID, got.EndedAt)
		}
	}
}

// Re-hashing a password with new parameters, at sign-in, changes nothing
// the owner needs to see: an event without an ID is not recorded.
func testPasswordRehash(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "ursula@example.com", t0)
	setPassword(t, s, acct, sess, oldHash, t0.Add(time.Hour))
	before := len(events(t, s, acct.ID))
	req := otpd.PasswordChange{AccountID: acct.ID, Hash: newHash, Event: otpd.Event{At: t0.Add(2 * time.Hour)}}
	if err := s.SetPassword(t.Context(), req); err != nil {
		t.Fatalf("SetPassword without an event: %v", err)
	}
	wantPassword(t, s, acct, newHash)
	if after := len(events(t, s, acct.ID)); after != before {
		t.Errorf("%d events after a re-hash, want %d", after, before)
	}
}

// A change for an account that does not exist writes nothing: no event,
// no notice to send.
func testPasswordUnknown(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "viktor@example.com", t0)
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0.Add(time.Minute)))
	ghost := otpd.Account{ID: "no-such-account", Email: acct.Email}
	req := otpd.PasswordChange{
		AccountID: ghost.ID, Hash: newHash, Event: accountEvent(ghost, otpd.EventPasswordSet, t0.Add(time.Hour)),
		EndSessions: true, Notice: notice(ghost, ch.ID, t0.Add(time.Hour)),
	}
	wantNotFound(t, s.SetPassword(t.Context(), req), "SetPassword of an unknown account")
	if evs := events(t, s, ghost.ID); len(evs) != 0 {
		t.Errorf("%d events recorded for an unknown account", len(evs))
	}
	if n := countEvents(t, s, acct.ID, otpd.EventPasswordSet); n != 0 {
		t.Errorf("%d %s events on the address's account, want none", n, otpd.EventPasswordSet)
	}
	if _, ok := queued(t, s, t0.Add(time.Hour), req.Notice.ID); ok {
		t.Errorf("notice of a failed change queued")
	}
	wantPassword(t, s, acct, "")
}
