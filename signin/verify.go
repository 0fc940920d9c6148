package signin

import (
	"context"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/passcode"
)

// SignedIn is the result of a verified code: a new session and its token,
// which is shown once and stored only as a hash.
type SignedIn struct {
	Token          string
	Session        otpd.Session
	Account        otpd.Account
	AccountCreated bool
}

// Verify checks a code for a flow. The store evaluates it and counts the
// attempt in one transaction and, when it is right, consumes it and starts
// the session in that same transaction (invariants 2 and 3).
func (e *Engine) Verify(ctx context.Context, flowID, code string, r Requester) (SignedIn, error) {
	code, ok := passcode.Normalize(code, e.policy.Digits)
	if !ok {
		return SignedIn{}, otpd.FieldError("code", "enter the %d-digit code from the email", e.policy.Digits)
	}
	ch, err := e.latest(ctx, flowID)
	if err != nil {
		return SignedIn{}, err
	}
	now := e.now()
	token, hash := newToken()
	res, err := e.store.VerifyCode(ctx, otpd.VerifyRequest{
		ChallengeID: ch.ID,
		CodeMAC:     e.codes.MAC(ch.ID, code),
		Now:         now,
		Guess:       e.policy.Guess,
		Session: otpd.Session{
			ID: newID(), TokenHash: hash, CreatedAt: now, LastSeenAt: now,
			ExpiresAt: now.Add(e.policy.SessionAbsolute), IP: r.IP, UserAgent: r.UserAgent,
		},
		NewAccountID: newID(),
		Event:        otpd.Event{At: now, Email: ch.Email, AccountID: ch.AccountID, FlowID: flowID, IP: r.IP, UserAgent: r.UserAgent},
	})
	if err != nil {
		return SignedIn{}, internal(fmt.Sprintf("verify flow %s", flowID), err)
	}
	if res.Outcome == otpd.OutcomeVerified {
		return SignedIn{Token: token, Session: res.Session, Account: res.Account, AccountCreated: res.AccountCreated}, nil
	}
	return SignedIn{}, outcomeError(res)
}

func outcomeError(res otpd.VerifyResult) error {
	switch res.Outcome {
	case otpd.OutcomeWrong:
		if res.AttemptsLeft == 0 {
			return otpd.Errorf(otpd.ETooManyAttempts, "that code is wrong and no tries are left; request a new code")
		}
		return &otpd.Error{Code: otpd.EInvalidCode, Field: "code", AttemptsLeft: res.AttemptsLeft,
			Message: fmt.Sprintf("that code is wrong; %d %s left", res.AttemptsLeft, plural(res.AttemptsLeft, "try", "tries"))}
	case otpd.OutcomeExpired:
		return otpd.Errorf(otpd.ECodeExpired, "this code has expired; request a new one")
	case otpd.OutcomeExhausted:
		return otpd.Errorf(otpd.ETooManyAttempts, "this code took too many wrong tries; request a new one")
	case otpd.OutcomeLocked:
		return &otpd.Error{Code: otpd.ETooManyAttempts, RetryAfter: res.RetryAfter,
			Message: "too many wrong codes were entered for this address; try again later"}
	default:
		return otpd.Errorf(otpd.ECodeExpired, "this code can no longer be used; request a new one")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
