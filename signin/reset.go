package signin

import (
	"context"
	"errors"

	"github.com/otpd/otpd"
)

// ForgotPassword sends a reset code to an address. Like SignIn, it answers
// and works the same whether or not the address has an account; one
// without gets a notice that carries no code.
func (e *Engine) ForgotPassword(ctx context.Context, email string, r Requester) (Flow, error) {
	return e.forgotPassword(ctx, email, false, r)
}

// ForgotPasswordToRecovery is ForgotPassword with the code sent to the
// account's recovery address, or to the address itself when it has none.
func (e *Engine) ForgotPasswordToRecovery(ctx context.Context, email string, r Requester) (Flow, error) {
	return e.forgotPassword(ctx, email, true, r)
}

func (e *Engine) forgotPassword(ctx context.Context, email string, recovery bool, r Requester) (Flow, error) {
	addr, err := otpd.ParseAddress(email)
	if err != nil {
		return Flow{}, err
	}
	acct, err := e.store.AccountByEmail(ctx, addr)
	if err != nil && !errors.Is(err, otpd.ErrNotFound) {
		return Flow{}, internal("forgot password", err)
	}
	c := codeFor{flowID: newID(), purpose: otpd.PurposeResetPassword, addr: addr, accountID: acct.ID, kept: acct.Email}
	if recovery {
		c.to = acct.RecoveryEmail
	}
	return e.guarded(ctx, c, acct, r)
}

// ResetPassword sets a new password with a reset code. The password is
// checked before the code, so a refused password costs no try. When the
// code verifies, one transaction sets the password, ends every session of
// the account, starts this one and queues the notice to the address.
func (e *Engine) ResetPassword(ctx context.Context, flowID, code, pw string, r Requester) (SignedIn, error) {
	code, err := e.normalize(code)
	if err != nil {
		return SignedIn{}, err
	}
	ch, err := e.latest(ctx, flowID)
	if err != nil {
		return SignedIn{}, err
	}
	if ch.Purpose != otpd.PurposeResetPassword {
		return SignedIn{}, wrongFlow(ch.Purpose)
	}
	if e.passwords == nil {
		return SignedIn{}, otpd.Errorf(otpd.EInvalid, "passwords are not available here")
	}
	if err := e.passwords.Check(pw, ch.Email.String(), ch.Email.Local()); err != nil {
		return SignedIn{}, err
	}
	hash, err := e.passwords.Hash(pw)
	if err != nil {
		return SignedIn{}, internal("hash password", err)
	}
	notice, err := e.passwordNotice(ch.ID, otpd.PurposeResetPassword, ch.Email, "reset", e.locate(r.IP).String(), r)
	if err != nil {
		return SignedIn{}, err
	}
	in, err := e.verifySignIn(ctx, ch, code, r, func(req *otpd.VerifyRequest) {
		req.PasswordHash, req.Notice = hash, notice
	})
	if err == nil {
		e.queued()
	}
	return in, err
}
