package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

var addressTests = []test{
	{"ChangeAndUndo", testChangeAndUndo},
	{"ChangeOtherSession", testChangeOtherSession},
	{"ChangeToTakenAddress", testChangeToTaken},
	{"UndoExpires", testUndoExpires},
	{"Recovery", testRecovery},
}

// addressRequest is a code sent to addr, asked for in sess, to make it the
// account's new primary (PurposeChangeEmail) or recovery address.
func addressRequest(acct otpd.Account, sess otpd.Session, p otpd.Purpose, addr string, at time.Time) otpd.CodeRequest {
	return nextCode(otpd.Challenge{
		FlowID: newID("flow"), Purpose: p, Email: otpd.MustParseAddress(addr), AccountID: acct.ID, SessionID: sess.ID,
	}, at, false)
}

func changeTo(t *testing.T, s otpd.Store, acct otpd.Account, sess otpd.Session, addr string, at time.Time) (otpd.Challenge, otpd.VerifyRequest, otpd.VerifyResult) {
	t.Helper()
	ch := mustRequest(t, s, addressRequest(acct, sess, otpd.PurposeChangeEmail, addr, at))
	vr := stepUpVerify(ch, rightCode, sess.ID, at)
	vr.Notice, vr.UndoUntil = notice(acct, ch.ID, at), at.Add(7*24*time.Hour)
	res, err := s.VerifyCode(t.Context(), vr)
	if err != nil {
		t.Fatalf("VerifyCode(change of address): %v", err)
	}
	return ch, vr, res
}

func testChangeAndUndo(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "yara@example.com", t0)
	other := signIn(t, s, acct, t0.Add(time.Minute))
	at := t0.Add(time.Hour)
	ch, vr, res := changeTo(t, s, acct, sess, "yara@new.example", at)
	if res.Outcome != otpd.OutcomeVerified || res.Account.Email.String() != "yara@new.example" {
		t.Fatalf("outcome %s, account at %s", res.Outcome, res.Account.Email)
	}
	if got, err := s.AccountByEmail(t.Context(), otpd.MustParseAddress("yara@new.example")); err != nil || got.ID != acct.ID {
		t.Fatalf("the new address does not find the account: %v", err)
	}
	_, err := s.AccountByEmail(t.Context(), acct.Email)
	wantNotFound(t, err, "the old address after the change")
	wantNotice(t, s, at, vr.Notice)
	if n := countEvents(t, s, acct.ID, otpd.EventEmailChanged); n != 1 {
		t.Errorf("%d email_changed events, want 1", n)
	}

	undo := accountEvent(acct, "", at.Add(24*time.Hour))
	back, err := s.UndoEmailChange(t.Context(), ch.ID, undo)
	if err != nil || back.Email.Key() != acct.Email.Key() {
		t.Fatalf("UndoEmailChange = %v, %v", back.Email, err)
	}
	for _, x := range []otpd.Session{sess, other} {
		if got := stored(t, s, x); !got.EndedAt.Equal(undo.At) {
			t.Errorf("session %s ended at %v after the undo, want %v", x.ID, got.EndedAt, undo.At)
		}
	}
	if e := findEvent(t, s, acct.ID, undo.ID); e.Type != otpd.EventEmailChangeUndone {
		t.Errorf("undo recorded as %s", e.Type)
	}
	_, err = s.UndoEmailChange(t.Context(), ch.ID, accountEvent(acct, "", at.Add(25*time.Hour)))
	wantNotFound(t, err, "a second undo")
}

// A change-of-address code confirms only in the session that asked.
func testChangeOtherSession(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "zed@example.com", t0)
	other := signIn(t, s, acct, t0.Add(time.Minute))
	ch := mustRequest(t, s, addressRequest(acct, sess, otpd.PurposeChangeEmail, "zed@new.example", t0.Add(time.Hour)))
	res := mustVerify(t, s, stepUpVerify(ch, rightCode, other.ID, t0.Add(time.Hour)))
	if res.Outcome != otpd.OutcomeWrong {
		t.Errorf("from another session: %s, want wrong", res.Outcome)
	}
	if got := account(t, s, acct.ID); got.Email.Key() != acct.Email.Key() {
		t.Errorf("the account moved to %s", got.Email)
	}
}

// An address another account has is refused, and nothing changes: the
// code is still pending.
func testChangeToTaken(t *testing.T, s otpd.Store) {
	signUp(t, s, "taken@example.com", t0)
	acct, sess := signUp(t, s, "anna@example.com", t0)
	ch := mustRequest(t, s, addressRequest(acct, sess, otpd.PurposeChangeEmail, "taken@example.com", t0.Add(time.Hour)))
	_, err := s.VerifyCode(t.Context(), stepUpVerify(ch, rightCode, sess.ID, t0.Add(time.Hour)))
	if !errors.Is(err, otpd.ErrAddressTaken) {
		t.Fatalf("VerifyCode to a taken address: %v, want ErrAddressTaken", err)
	}
	if got := latest(t, s, ch.FlowID); got.Status != otpd.StatusPending {
		t.Errorf("challenge %s after a refused change", got.Status)
	}
	if got := account(t, s, acct.ID); got.Email.Key() != acct.Email.Key() {
		t.Errorf("the account moved to %s", got.Email)
	}
}

func testUndoExpires(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "bea@example.com", t0)
	at := t0.Add(time.Hour)
	ch, vr, _ := changeTo(t, s, acct, sess, "bea@new.example", at)
	_, err := s.UndoEmailChange(t.Context(), ch.ID, accountEvent(acct, "", vr.UndoUntil))
	wantNotFound(t, err, "an undo at UndoUntil")
	if got := stored(t, s, sess); !got.EndedAt.IsZero() {
		t.Error("a refused undo ended the session")
	}
}

func testRecovery(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "cleo@example.com", t0)
	at := t0.Add(time.Hour)
	ch := mustRequest(t, s, addressRequest(acct, sess, otpd.PurposeAddRecovery, "cleo@backup.example", at))
	res := mustVerify(t, s, stepUpVerify(ch, rightCode, sess.ID, at))
	if res.Outcome != otpd.OutcomeVerified || res.Account.RecoveryEmail.String() != "cleo@backup.example" {
		t.Fatalf("outcome %s, recovery %q", res.Outcome, res.Account.RecoveryEmail)
	}
	if got := account(t, s, acct.ID); got.RecoveryEmail.String() != "cleo@backup.example" || got.Email.Key() != acct.Email.Key() {
		t.Errorf("stored recovery %q, primary %s", got.RecoveryEmail, got.Email)
	}
	ev := accountEvent(acct, otpd.EventRecoveryRemoved, at.Add(time.Hour))
	if err := s.RemoveRecovery(t.Context(), acct.ID, ev); err != nil {
		t.Fatal(err)
	}
	if got := account(t, s, acct.ID); !got.RecoveryEmail.IsZero() {
		t.Errorf("recovery %q after removal", got.RecoveryEmail)
	}
	findEvent(t, s, acct.ID, ev.ID)
	wantNotFound(t, s.RemoveRecovery(t.Context(), acct.ID, accountEvent(acct, otpd.EventRecoveryRemoved, at)), "removing none")
}
