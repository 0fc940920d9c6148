package signin

import (
	"context"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
)

// Factor is a code of an added method: an authenticator app's or a
// recovery code. It stands in for the emailed code as the second factor
// of a sign-in that a right password began, and for a step-up's code.
// Its guesses count against the guard the emailed codes count against:
// one budget, whatever the method.
type Factor struct {
	Kind otpd.MethodKind
	Code string
}

var errFactorFlow = &otpd.Error{Code: otpd.EInvalid, Field: "flow_id",
	Message: "an authenticator app or a recovery code stands in for the emailed code only after your password; enter the code from the email"}

// VerifyFactor completes a sign-in that a right password began with a
// factor instead of the emailed code. The store decides and counts it and,
// when it is right, consumes it and the flow's code and starts the
// session, in one transaction.
func (e *Engine) VerifyFactor(ctx context.Context, flowID string, f Factor, r Requester) (SignedIn, error) {
	f, err := parseFactor(f)
	if err != nil {
		return SignedIn{}, err
	}
	ch, err := e.latest(ctx, flowID)
	if err != nil {
		return SignedIn{}, err
	}
	if ch.Purpose != otpd.PurposeSignIn || !ch.AfterPassword || ch.AccountID == "" {
		return SignedIn{}, errFactorFlow
	}
	acct, err := e.store.AccountByID(ctx, ch.AccountID)
	if err != nil {
		return SignedIn{}, internal("verify factor", err)
	}
	req, err := e.factorRequest(ctx, acct, f)
	if err != nil {
		return SignedIn{}, err
	}
	w, err := e.identify(ctx, r, acct.ID)
	if err != nil {
		return SignedIn{}, err
	}
	if err := e.paused(w.context()); err != nil {
		return SignedIn{}, err
	}
	deviceID := w.device.ID
	if !w.known && r.Remember {
		deviceID = newID()
	}
	now := e.now()
	token, hash := newToken()
	req.ChallengeID, req.Now, req.Context, req.Guess = ch.ID, now, w.context(), e.guess(w.context())
	req.Session = otpd.Session{ID: newID(), TokenHash: hash, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(e.policy.SessionAbsolute), IP: r.IP, UserAgent: r.UserAgent,
		Place: w.place.String(), DeviceID: deviceID}
	req.Event = otpd.Event{IP: r.IP, UserAgent: r.UserAgent, Place: w.place.String()}
	req.SignedInFrom = &w.place
	res, err := e.decideFactor(ctx, acct, req, w, r)
	if err != nil {
		return SignedIn{}, err
	}
	in := SignedIn{Token: token, Session: res.Session, Account: res.Account}
	if deviceID != "" {
		in.DeviceToken = e.seen(ctx, res.Account, w, deviceID, r)
	}
	return in, nil
}

// StepUpWith steps the caller's session up with a factor instead of an
// emailed code.
func (e *Engine) StepUpWith(ctx context.Context, c Caller, f Factor, r Requester) (otpd.Session, error) {
	f, err := parseFactor(f)
	if err != nil {
		return otpd.Session{}, err
	}
	s, acct, err := signedIn(c)
	if err != nil {
		return otpd.Session{}, err
	}
	req, err := e.factorRequest(ctx, acct, f)
	if err != nil {
		return otpd.Session{}, err
	}
	w, err := e.identify(ctx, r, acct.ID)
	if err != nil {
		return otpd.Session{}, err
	}
	req.Now, req.Context, req.Guess, req.StepUpSession = e.now(), w.context(), e.guess(w.context()), s.ID
	req.Event = otpd.Event{IP: r.IP, UserAgent: r.UserAgent, Place: w.place.String()}
	res, err := e.decideFactor(ctx, acct, req, w, r)
	if err != nil {
		return otpd.Session{}, err
	}
	return res.Session, nil
}

// decideFactor has the store decide req; a recovery code's use is told to
// the address when it verifies.
func (e *Engine) decideFactor(ctx context.Context, acct otpd.Account, req otpd.FactorRequest, w who, r Requester) (otpd.VerifyResult, error) {
	if req.Kind == otpd.MethodRecoveryCodes {
		ev := e.methodEvent(acct, otpd.EventFactorVerified, req.Kind, r)
		notice, err := e.methodNotice(acct, "recovery_code_used", ev, r)
		if err != nil {
			return otpd.VerifyResult{}, err
		}
		req.Notice = notice
	}
	res, err := e.store.VerifyFactor(ctx, req)
	if err != nil {
		return otpd.VerifyResult{}, internal(fmt.Sprintf("verify %s", req.Kind), err)
	}
	if res.Outcome != otpd.OutcomeVerified {
		if res.Outcome == otpd.OutcomeWrong {
			e.failed(ctx, w.context())
		}
		return otpd.VerifyResult{}, outcomeError(res)
	}
	if req.Notice != nil {
		e.queued()
	}
	return res, nil
}

// parseFactor reads a submitted factor's method and code, before any
// lookup: a malformed one is refused naming its field.
func parseFactor(f Factor) (Factor, error) {
	switch f.Kind {
	case otpd.MethodTOTP:
		code, ok := passcode.Normalize(f.Code, totpDigits)
		if !ok {
			return Factor{}, otpd.FieldError("code", "enter the 6-digit code your authenticator app shows")
		}
		return Factor{Kind: f.Kind, Code: code}, nil
	case otpd.MethodRecoveryCodes:
		code, err := normalizeRecovery(f.Code)
		return Factor{Kind: f.Kind, Code: code}, err
	}
	return Factor{}, otpd.FieldError("method", "choose a method: totp or recovery_codes")
}

// factorRequest turns a parsed factor into what the store decides: an
// authenticator code as the step it matches (0 for none, or for an
// account without an app: the guess counts all the same), a recovery
// code as its MAC.
func (e *Engine) factorRequest(ctx context.Context, acct otpd.Account, f Factor) (otpd.FactorRequest, error) {
	req := otpd.FactorRequest{AccountID: acct.ID, Kind: f.Kind}
	if f.Kind == otpd.MethodRecoveryCodes {
		req.CodeMAC = e.recoveryMAC(acct.ID, f.Code)
		return req, nil
	}
	step, err := e.storedTOTPStep(ctx, acct.ID, f.Code)
	req.Step = step
	return req, err
}
