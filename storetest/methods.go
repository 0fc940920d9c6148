package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/otpd/otpd"
)

// An added method's codes are guesses like the address's codes: they
// count against the same guard, spend once (an authenticator's step never
// verifies twice, a recovery code is used once), and complete only what
// they may: a sign-in that a right password began, or a step-up.
var methodTests = []test{
	{"AddListRemove", testMethodsAddListRemove},
	{"NewRecoveryCodesReplaceOld", testMethodsRecoveryReplaced},
	{"TOTPStepUpOnce", testMethodsTOTPStepUp},
	{"RecoveryCodeSecondFactor", testMethodsRecoverySignIn},
	{"FactorOnlyAfterPassword", testMethodsFactorNeedsPassword},
	{"SameBudgetAsCodes", testMethodsSameBudget},
	{"ConcurrentSameStep", testMethodsConcurrentStep},
	{"ConcurrentSameRecoveryCode", testMethodsConcurrentRecovery},
}

func totpChange(acct otpd.Account, at time.Time) otpd.MethodChange {
	ev := accountEvent(acct, otpd.EventMethodAdded, at)
	ev.Reason = otpd.ReasonTOTP
	return otpd.MethodChange{
		Method: otpd.Method{ID: newID("method"), AccountID: acct.ID, Kind: otpd.MethodTOTP, CreatedAt: at,
			Secret: []byte("sealed secret"), LastStep: 10},
		Event: ev,
	}
}

// recoveryChange is a set of codes "r0".."r9" for acct, as MACs.
func recoveryChange(acct otpd.Account, at time.Time, set string) otpd.MethodChange {
	ev := accountEvent(acct, otpd.EventMethodAdded, at)
	ev.Reason = otpd.ReasonRecoveryCodes
	c := otpd.MethodChange{
		Method: otpd.Method{ID: newID("method"), AccountID: acct.ID, Kind: otpd.MethodRecoveryCodes, CreatedAt: at},
		Event:  ev,
	}
	for i := range 10 {
		c.CodeMACs = append(c.CodeMACs, recoveryMAC(acct, set, i))
	}
	return c
}

func recoveryMAC(acct otpd.Account, set string, i int) []byte {
	return codeMAC(acct.ID, set+string(rune('0'+i)))
}

func mustAdd(t *testing.T, s otpd.Store, c otpd.MethodChange) {
	t.Helper()
	if err := s.AddMethod(t.Context(), c); err != nil {
		t.Fatalf("AddMethod(%s): %v", c.Method.Kind, err)
	}
}

func methodsOf(t *testing.T, s otpd.Store, accountID string) map[otpd.MethodKind]otpd.Method {
	t.Helper()
	ms, err := s.Methods(t.Context(), accountID)
	if err != nil {
		t.Fatalf("Methods(%s): %v", accountID, err)
	}
	byKind := make(map[otpd.MethodKind]otpd.Method)
	for _, m := range ms {
		byKind[m.Kind] = m
	}
	return byKind
}

// factor is a submitted factor of acct at now, for a step-up in sess.
func factor(acct otpd.Account, sess otpd.Session, k otpd.MethodKind, now time.Time) otpd.FactorRequest {
	return otpd.FactorRequest{AccountID: acct.ID, Kind: k, Now: now, Guess: roomyGuess, Context: otpd.Familiar,
		StepUpSession: sess.ID, Event: otpd.Event{IP: "192.0.2.2", UserAgent: "storetest browser"}}
}

func mustFactor(t *testing.T, s otpd.Store, req otpd.FactorRequest) otpd.VerifyResult {
	t.Helper()
	res, err := s.VerifyFactor(t.Context(), req)
	if err != nil {
		t.Fatalf("VerifyFactor(%s): %v", req.Kind, err)
	}
	return res
}

func testMethodsAddListRemove(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "mona@example.com", t0)
	c := totpChange(acct, t0.Add(time.Minute))
	c.Notice = notice(acct, "", t0.Add(time.Minute))
	mustAdd(t, s, c)
	mustAdd(t, s, recoveryChange(acct, t0.Add(2*time.Minute), "a"))
	got := methodsOf(t, s, acct.ID)
	totp := got[otpd.MethodTOTP]
	if totp.ID != c.Method.ID || string(totp.Secret) != "sealed secret" || totp.LastStep != 10 || !totp.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("stored authenticator %+v, want %+v", totp, c.Method)
	}
	if rc := got[otpd.MethodRecoveryCodes]; rc.CodesLeft != 10 || !rc.LastUsedAt.IsZero() {
		t.Errorf("recovery codes: %d left, last used %s; want 10, never", rc.CodesLeft, rc.LastUsedAt)
	}
	wantNotice(t, s, t0.Add(time.Minute), c.Notice)
	if n := countEvents(t, s, acct.ID, otpd.EventMethodAdded); n != 2 {
		t.Errorf("%d method_added events, want 2", n)
	}
	other, _ := signUp(t, s, "olga@example.com", t0)
	if ms := methodsOf(t, s, other.ID); len(ms) != 0 {
		t.Errorf("another account has methods %v", ms)
	}
	ev := accountEvent(acct, otpd.EventMethodRemoved, t0.Add(time.Hour))
	if err := s.RemoveMethod(t.Context(), acct.ID, otpd.MethodTOTP, ev, nil); err != nil {
		t.Fatalf("RemoveMethod: %v", err)
	}
	wantNotFound(t, s.RemoveMethod(t.Context(), acct.ID, otpd.MethodTOTP, accountEvent(acct, otpd.EventMethodRemoved, t0.Add(time.Hour)), nil), "a removed authenticator")
	wantNotFound(t, s.RemoveMethod(t.Context(), other.ID, otpd.MethodRecoveryCodes, accountEvent(other, otpd.EventMethodRemoved, t0.Add(time.Hour)), nil), "another account's codes")
	if got := methodsOf(t, s, acct.ID); len(got) != 1 || got[otpd.MethodRecoveryCodes].CodesLeft != 10 {
		t.Errorf("after removing the authenticator: %v, want the recovery codes alone", got)
	}
	if n := countEvents(t, s, acct.ID, otpd.EventMethodRemoved); n != 1 {
		t.Errorf("%d method_removed events, want 1", n)
	}
}

func testMethodsRecoveryReplaced(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "rhea@example.com", t0)
	mustAdd(t, s, recoveryChange(acct, t0, "old"))
	mustAdd(t, s, recoveryChange(acct, t0.Add(time.Minute), "new"))
	req := factor(acct, sess, otpd.MethodRecoveryCodes, t0.Add(2*time.Minute))
	req.CodeMAC = recoveryMAC(acct, "old", 3)
	if res := mustFactor(t, s, req); res.Outcome != otpd.OutcomeWrong {
		t.Errorf("a code of the replaced set: %s, want wrong", res.Outcome)
	}
	req.CodeMAC = recoveryMAC(acct, "new", 3)
	if res := mustFactor(t, s, req); res.Outcome != otpd.OutcomeVerified {
		t.Errorf("a code of the new set: %s, want verified", res.Outcome)
	}
	if rc := methodsOf(t, s, acct.ID)[otpd.MethodRecoveryCodes]; rc.CodesLeft != 9 || !rc.LastUsedAt.Equal(t0.Add(2*time.Minute)) {
		t.Errorf("new set: %d left, last used %s; want 9 at %s", rc.CodesLeft, rc.LastUsedAt, t0.Add(2*time.Minute))
	}
}

func testMethodsTOTPStepUp(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "tess@example.com", t0)
	mustAdd(t, s, totpChange(acct, t0))
	at := t0.Add(time.Hour)
	steps := []struct {
		step int64
		want otpd.VerifyOutcome
	}{
		{10, otpd.OutcomeWrong},    // the step its enrolment used
		{0, otpd.OutcomeWrong},     // matched no step
		{12, otpd.OutcomeVerified}, // a new step
		{12, otpd.OutcomeWrong},    // the same step again
		{11, otpd.OutcomeWrong},    // an earlier step, still in the window
		{13, otpd.OutcomeVerified},
	}
	for i, st := range steps {
		req := factor(acct, sess, otpd.MethodTOTP, at.Add(time.Duration(i)*time.Second))
		req.Step = st.step
		res := mustFactor(t, s, req)
		if res.Outcome != st.want {
			t.Errorf("step %d (submission %d): %s, want %s", st.step, i, res.Outcome, st.want)
		}
		if st.want == otpd.OutcomeVerified && !res.Session.SteppedUpAt.Equal(req.Now) {
			t.Errorf("step %d: session stepped up at %s, want %s", st.step, res.Session.SteppedUpAt, req.Now)
		}
	}
	if got := stored(t, s, sess); !got.SteppedUpAt.Equal(at.Add(5 * time.Second)) {
		t.Errorf("stored session stepped up at %s, want %s", got.SteppedUpAt, at.Add(5*time.Second))
	}
	if m := methodsOf(t, s, acct.ID)[otpd.MethodTOTP]; m.LastStep != 13 || !m.LastUsedAt.Equal(at.Add(5*time.Second)) {
		t.Errorf("authenticator: last step %d used %s, want 13 at %s", m.LastStep, m.LastUsedAt, at.Add(5*time.Second))
	}
	var stepped, wrong int
	for _, ev := range events(t, s, acct.ID) {
		switch {
		case ev.Type == otpd.EventSteppedUp && ev.Reason == otpd.ReasonTOTP:
			stepped++
		case ev.Type == otpd.EventFactorWrong && ev.Reason == otpd.ReasonTOTP && ev.Purpose == otpd.PurposeStepUp:
			wrong++
		}
	}
	if stepped != 2 || wrong != 4 {
		t.Errorf("%d stepped_up and %d factor_wrong events of the authenticator, want 2 and 4", stepped, wrong)
	}
}

// passwordFlow is the sign-in code sent to acct after a right password.
func passwordFlow(t *testing.T, s otpd.Store, acct otpd.Account, at time.Time) otpd.Challenge {
	t.Helper()
	req := codeRequest(acct.Email.String(), acct.ID, at)
	req.Challenge.AfterPassword = true
	return mustRequest(t, s, req)
}

// signInFactor submits a factor of acct for the sign-in ch.
func signInFactor(acct otpd.Account, ch otpd.Challenge, k otpd.MethodKind, now time.Time) otpd.FactorRequest {
	vr := verifyRequest(ch, "", now)
	return otpd.FactorRequest{AccountID: acct.ID, Kind: k, Now: now, Guess: roomyGuess, Context: otpd.Unfamiliar,
		ChallengeID: ch.ID, Session: vr.Session, Event: vr.Event}
}

func testMethodsRecoverySignIn(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "remy@example.com", t0)
	mustAdd(t, s, recoveryChange(acct, t0, "r"))
	ch := passwordFlow(t, s, acct, t0.Add(time.Hour))
	req := signInFactor(acct, ch, otpd.MethodRecoveryCodes, t0.Add(time.Hour+time.Minute))
	req.CodeMAC = recoveryMAC(acct, "r", 7)
	res := mustFactor(t, s, req)
	if res.Outcome != otpd.OutcomeVerified || res.Session.AccountID != acct.ID || res.Session.FlowID != ch.FlowID {
		t.Fatalf("recovery code after a password: %s, session of %q in flow %q; want verified for %s in %s",
			res.Outcome, res.Session.AccountID, res.Session.FlowID, acct.ID, ch.FlowID)
	}
	if got := stored(t, s, req.Session); got.ID != req.Session.ID {
		t.Errorf("stored session %s, want %s", got.ID, req.Session.ID)
	}
	if c := latest(t, s, ch.FlowID); c.Status != otpd.StatusUsed {
		t.Errorf("the flow's challenge is %s, want used", c.Status)
	}
	// The flow's own code no longer signs in: the flow is complete.
	if res := mustVerify(t, s, verifyRequest(ch, rightCode, t0.Add(time.Hour+2*time.Minute))); res.Outcome != otpd.OutcomeClosed {
		t.Errorf("the emailed code after the factor: %s, want closed", res.Outcome)
	}
	again := passwordFlow(t, s, acct, t0.Add(2*time.Hour))
	req = signInFactor(acct, again, otpd.MethodRecoveryCodes, t0.Add(2*time.Hour))
	req.CodeMAC = recoveryMAC(acct, "r", 7)
	if res := mustFactor(t, s, req); res.Outcome != otpd.OutcomeWrong {
		t.Errorf("a used recovery code: %s, want wrong", res.Outcome)
	}
	if c := latest(t, s, again.FlowID); c.Attempts != 1 {
		t.Errorf("a wrong factor counted %d attempts of its flow, want 1", c.Attempts)
	}
	var started bool
	for _, ev := range events(t, s, acct.ID) {
		if ev.Type == otpd.EventSessionStarted && ev.Reason == otpd.ReasonRecoveryCodes && ev.FlowID == ch.FlowID {
			started = true
		}
	}
	if !started {
		t.Error("no session_started event says a recovery code signed in")
	}
}

// A factor completes only a sign-in that a right password began, and
// only for its own account: never a code-only sign-in, whose flow anyone
// who knows the address can open.
func testMethodsFactorNeedsPassword(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "fay@example.com", t0)
	other, _ := signUp(t, s, "otto@example.com", t0)
	mustAdd(t, s, recoveryChange(acct, t0, "f"))
	codeOnly := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, t0.Add(time.Hour)))
	othersFlow := passwordFlow(t, s, other, t0.Add(time.Hour))
	for _, ch := range []otpd.Challenge{codeOnly, othersFlow} {
		req := signInFactor(acct, ch, otpd.MethodRecoveryCodes, t0.Add(time.Hour+time.Minute))
		req.CodeMAC = recoveryMAC(acct, "f", 1)
		if res := mustFactor(t, s, req); res.Outcome != otpd.OutcomeClosed {
			t.Errorf("factor for flow %s: %s, want closed", ch.FlowID, res.Outcome)
		}
	}
	if rc := methodsOf(t, s, acct.ID)[otpd.MethodRecoveryCodes]; rc.CodesLeft != 10 {
		t.Errorf("%d codes left, want 10: a refused factor spent one", rc.CodesLeft)
	}
}

// Wrong factors spend the budget that the address's codes spend: one
// count, not a fresh budget per method.
func testMethodsSameBudget(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "bea@example.com", t0)
	mustAdd(t, s, totpChange(acct, t0))
	lim := otpd.GuessLimits{MaxWrong: 3, Window: time.Hour}
	at := t0.Add(time.Hour)
	for i := range 3 {
		req := factor(acct, sess, otpd.MethodTOTP, at)
		req.Guess, req.Context = lim, otpd.Unfamiliar
		res := mustFactor(t, s, req)
		if res.Outcome != otpd.OutcomeWrong || res.AttemptsLeft != 2-i {
			t.Errorf("wrong factor %d: %s with %d left, want wrong with %d", i, res.Outcome, res.AttemptsLeft, 2-i)
		}
	}
	req := factor(acct, sess, otpd.MethodTOTP, at)
	req.Guess, req.Context, req.Step = lim, otpd.Unfamiliar, 50
	if res := mustFactor(t, s, req); res.Outcome != otpd.OutcomeLocked {
		t.Errorf("a right factor with the budget spent: %s, want locked", res.Outcome)
	}
	ch := mustRequest(t, s, codeRequest(acct.Email.String(), acct.ID, at))
	vr := verifyRequest(ch, rightCode, at)
	vr.Guess, vr.Context = lim, otpd.Unfamiliar
	if res := mustVerify(t, s, vr); res.Outcome != otpd.OutcomeLocked {
		t.Errorf("an emailed code after the factors spent the budget: %s, want locked", res.Outcome)
	}
	if m := methodsOf(t, s, acct.ID)[otpd.MethodTOTP]; m.LastStep != 10 {
		t.Errorf("a locked factor moved the step to %d", m.LastStep)
	}
}

// Many submissions of one authenticator code, as from many nodes: one
// verifies, the rest are replays.
func testMethodsConcurrentStep(t *testing.T, s otpd.Store) {
	acct, sess := signUp(t, s, "cora@example.com", t0)
	mustAdd(t, s, totpChange(acct, t0))
	const n = 16
	results := race(t, n, func(int) (otpd.VerifyResult, error) {
		req := factor(acct, sess, otpd.MethodTOTP, t0.Add(time.Hour))
		req.Step = 42
		return s.VerifyFactor(t.Context(), req)
	})
	if got := countOutcomes(results); got[otpd.OutcomeVerified] != 1 || got[otpd.OutcomeWrong] != n-1 {
		t.Errorf("outcomes %v, want 1 verified and %d wrong", got, n-1)
	}
}

func testMethodsConcurrentRecovery(t *testing.T, s otpd.Store) {
	acct, _ := signUp(t, s, "cleo@example.com", t0)
	mustAdd(t, s, recoveryChange(acct, t0, "c"))
	const n = 8
	flows := make([]otpd.Challenge, n)
	for i := range flows {
		flows[i] = passwordFlow(t, s, acct, t0.Add(time.Hour))
	}
	results := race(t, n, func(i int) (otpd.VerifyResult, error) {
		req := signInFactor(acct, flows[i], otpd.MethodRecoveryCodes, t0.Add(time.Hour+time.Minute))
		req.CodeMAC = recoveryMAC(acct, "c", 0)
		return s.VerifyFactor(t.Context(), req)
	})
	if got := countOutcomes(results); got[otpd.OutcomeVerified] != 1 {
		t.Errorf("outcomes %v, want exactly 1 verified", got)
	}
	sessions, err := s.Sessions(t.Context(), acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 2 {
		t.Errorf("%d sessions, want 2: the sign-up's and one recovery code's", len(sessions))
	}
	if errors.Is(err, otpd.ErrNotFound) {
		t.Fatal("unreachable")
	}
}
