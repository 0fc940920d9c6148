package signin

import (
	"context"
	"fmt"

	"github.com/otpd/otpd"
)

var errStepUp = otpd.Errorf(otpd.EStepUpRequired,
	"confirm it is you first: ask for a code to your address and enter it")

// StepUp sends a code to the account's address that, verified in this
// session, lets it make sensitive changes for a while.
func (e *Engine) StepUp(ctx context.Context, c Caller, r Requester) (Flow, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return Flow{}, err
	}
	// A session is proof enough of the owner: its step-up codes do not
	// wait behind a stranger's requests for the address.
	return e.request(ctx, codeFor{flowID: newID(), purpose: otpd.PurposeStepUp, addr: acct.Email,
		accountID: acct.ID, sessionID: s.ID, context: otpd.Familiar, lang: acct.Language}, r)
}

// VerifyStepUp checks a step-up code in the session that asked for it,
// and returns that session stepped up. The Caller keeps the session as it
// was authenticated: a sensitive change comes in a request of its own.
func (e *Engine) VerifyStepUp(ctx context.Context, c Caller, flowID, code string, r Requester) (otpd.Session, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return otpd.Session{}, err
	}
	code, ch, err := e.submitted(ctx, flowID, code, s.ID, otpd.PurposeStepUp)
	if err != nil {
		return otpd.Session{}, err
	}
	w, err := e.identify(ctx, r, acct.ID)
	if err != nil {
		return otpd.Session{}, err
	}
	now := e.now()
	res, err := e.verifyCode(ctx, otpd.VerifyRequest{
		ChallengeID: ch.ID, CodeMAC: e.codes.MAC(ch.ID, code), Now: now,
		Context: w.context(), Guess: e.guess(w.context()), StepUpSession: s.ID,
		Event: otpd.Event{At: now, Email: ch.Email, AccountID: acct.ID, FlowID: flowID,
			IP: r.IP, UserAgent: r.UserAgent, Place: w.place.String()},
	})
	if err != nil {
		return otpd.Session{}, internal(fmt.Sprintf("verify step-up %s", flowID), err)
	}
	if res.Outcome != otpd.OutcomeVerified {
		return otpd.Session{}, outcomeError(res)
	}
	return res.Session, nil
}

// SteppedUp reports whether the caller's session verified a step-up code
// within Policy.StepUpFor: the one rule for sensitive changes, which pages
// also ask to offer a step-up before a form rather than after it.
func (e *Engine) SteppedUp(c Caller) bool {
	return c.session.SteppedUpWithin(e.now(), e.policy.StepUpFor)
}

// sensitive returns the caller's session and account for a sensitive
// change, which needs a recent step-up (SteppedUp).
func (e *Engine) sensitive(c Caller) (otpd.Session, otpd.Account, error) {
	s, acct, err := signedIn(c)
	if err != nil {
		return otpd.Session{}, otpd.Account{}, err
	}
	if !e.SteppedUp(c) {
		return otpd.Session{}, otpd.Account{}, errStepUp
	}
	return s, acct, nil
}
