package storetest

import (
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// A step-up code confirms, inside a session, that its owner still holds
// the address before a sensitive change. It must work only in the session
// that asked for it, and never start a session of its own: a stolen code
// is then worth nothing to anyone without that session.
var stepUpTests = []test{
	{"Verified", testStepUpVerified},
	{"OtherSession", testStepUpOtherSession},
	{"EndedSession", testStepUpEndedSession},
	{"SignInCodeIsNoStepUp", testStepUpSignInCode},
}

// stepUpRequest is a step-up code asked for in sess.
func stepUpRequest(acct otpd.Account, sess otpd.Session, at time.Time) otpd.CodeRequest {
	return nextCode(otpd.Challenge{
		FlowID: newID("flow"), Purpose: otpd.PurposeStepUp, Email: acct.Email, AccountID: acct.ID, SessionID: sess.ID,
	}, at, false)
}

// stepUpVerify submits code for ch from the session named sessionID.
func stepUpVerify(ch otpd.Challenge, code, sessionID string, at time.Time) otpd.VerifyRequest {
	vr := verifyRequest(ch, code, at)
	vr.StepUpSession = sessionID
	return vr
}

// stepUp confirms the owner in sess, as a sensitive change needs first,
// and returns the step-up's challenge.
func stepUp(t *testing.T, s otpd.Store, acct otpd.Account, sess otpd.Session, at time.Time) otpd.Challenge {
	t.Helper()
	ch := mustRequest(t, s, stepUpRequest(acct, sess, at))
	if res := mustVerify(t, s, stepUpVerify(ch, rightCode, sess.ID, at)); res.Outcome != otpd.OutcomeVerified {
		t.Fatalf("step up in session %s: outcome %s, want verified", sess.ID, res.Outcome)
	}
	return ch
}

func testStepUpVerified(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "stella@example.com", t0)
	ch := mustRequest(t, s, stepUpRequest(acct, sess, t0.Add(time.Hour)))
	if c := latest(t, s, ch.FlowID); c.SessionID != sess.ID || c.Purpose != otpd.PurposeStepUp {
		t.Errorf("stored challenge of session %q for %s, want session %s for %s", c.SessionID, c.Purpose, sess.ID, otpd.PurposeStepUp)
	}
	now := t0.Add(time.Hour + time.Minute)
	vr := stepUpVerify(ch, rightCode, sess.ID, now)
	res := mustVerify(t, s, vr)
	if res.Outcome != otpd.OutcomeVerified || res.AccountCreated || res.Account.ID != acct.ID {
		t.Fatalf("step-up: outcome %s, created %t, account %s; want verified for %s", res.Outcome, res.AccountCreated, res.Account.ID, acct.ID)
	}
	_, err := s.SessionByTokenHash(t.Context(), vr.Session.TokenHash)
	wantNotFound(t, err, "a session started by a step-up code")
	got := stored(t, s, sess)
	if !got.SteppedUpAt.Equal(now) || got.StepUpChallenge != ch.ID || !got.SteppedUpWithin(now, time.Minute) {
		t.Errorf("session stepped up at %v by %q, want at %v by %s", got.SteppedUpAt, got.StepUpChallenge, now, ch.ID)
	}
	if !got.EndedAt.IsZero() {
		t.Errorf("stepped-up session ended at %v", got.EndedAt)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventSteppedUp); n != 1 {
		t.Errorf("%d %s events, want 1", n, otpd.EventSteppedUp)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventSessionStarted); n != 1 {
		t.Errorf("%d %s events, want only the sign-up's", n, otpd.EventSessionStarted)
	}
	if res := mustVerify(t, s, stepUpVerify(ch, rightCode, sess.ID, now)); res.Outcome != otpd.OutcomeClosed {
		t.Errorf("step-up code a second time: %s, want %s", res.Outcome, otpd.OutcomeClosed)
	}
}

// The right code from any other session, or from none, counts as wrong:
// it must not tell whoever holds it that the code is right.
func testStepUpOtherSession(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "tobias@example.com", t0)
	other := signIn(t, s, acct, t0.Add(time.Minute))
	ch := mustRequest(t, s, stepUpRequest(acct, sess, t0.Add(time.Hour)))
	for i, from := range []string{other.ID, ""} {
		now := t0.Add(time.Hour + time.Duration(i+1)*time.Minute)
		vr := stepUpVerify(ch, rightCode, from, now)
		if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeWrong || res.Challenge.Attempts != i+1 {
			t.Errorf("right code from session %q: %s after %d attempts, want %s after %d",
				from, res.Outcome, res.Challenge.Attempts, otpd.OutcomeWrong, i+1)
		}
		_, err := s.SessionByTokenHash(t.Context(), vr.Session.TokenHash)
		wantNotFound(t, err, "a session started by a misplaced step-up code")
	}
	for _, x := range []otpd.Session{sess, other} {
		if got := stored(t, s, x); !got.SteppedUpAt.IsZero() {
			t.Errorf("session %s stepped up at %v by a code from elsewhere", x.ID, got.SteppedUpAt)
		}
	}
	if n := countEvents(t, s, acct.ID, otpd.EventCodeWrong); n != 2 {
		t.Errorf("%d %s events, want 2", n, otpd.EventCodeWrong)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventSteppedUp); n != 0 {
		t.Errorf("%d %s events, want none", n, otpd.EventSteppedUp)
	}
	now := t0.Add(time.Hour + 5*time.Minute)
	if res := mustVerify(t, s, stepUpVerify(ch, rightCode, sess.ID, now)); res.Outcome != otpd.OutcomeVerified {
		t.Errorf("right code from its own session after misplaced ones: %s, want %s", res.Outcome, otpd.OutcomeVerified)
	}
}

// A session signed out while its code was on the way confirms nothing:
// whoever ended it may have done so because it was not theirs.
func testStepUpEndedSession(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "ulla@example.com", t0)
	ch := mustRequest(t, s, stepUpRequest(acct, sess, t0.Add(time.Hour)))
	if err := s.EndSession(t.Context(), sess.ID, sessionEnded(acct, t0.Add(time.Hour+time.Minute))); err != nil {
		t.Fatalf("EndSession: %v", err)
	}
	res, err := s.VerifyCode(t.Context(), stepUpVerify(ch, rightCode, sess.ID, t0.Add(time.Hour+2*time.Minute)))
	if err == nil && res.Outcome == otpd.OutcomeVerified {
		t.Errorf("step-up in an ended session verified")
	}
	if got := stored(t, s, sess); !got.SteppedUpAt.IsZero() {
		t.Errorf("ended session stepped up at %v", got.SteppedUpAt)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventSteppedUp); n != 0 {
		t.Errorf("%d %s events, want none", n, otpd.EventSteppedUp)
	}
}

// A sign-in code submitted as a step-up does not step anything up, nor
// does it sign in: the page that sent it asked for something else.
func testStepUpSignInCode(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "vince@example.com", t0)
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0.Add(time.Hour)))
	vr := stepUpVerify(ch, rightCode, sess.ID, t0.Add(time.Hour+time.Minute))
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeWrong {
		t.Errorf("sign-in code as a step-up: %s, want %s", res.Outcome, otpd.OutcomeWrong)
	}
	if got := stored(t, s, sess); !got.SteppedUpAt.IsZero() {
		t.Errorf("session stepped up at %v by a sign-in code", got.SteppedUpAt)
	}
	_, err := s.SessionByTokenHash(t.Context(), vr.Session.TokenHash)
	wantNotFound(t, err, "a session started by a sign-in code sent as a step-up")
}
