package signin

import (
	"context"
	"errors"
	"fmt"

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
	c := codeFor{flowID: newID(), purpose: otpd.PurposeResetPassword, addr: addr, accountID: acct.ID, kept: acct.Email,
		disabled: acct.Disabled(), lang: acct.Language}
	if recovery {
		c.to = acct.RecoveryEmail
	}
	return e.guarded(ctx, c, acct, r)
}

// ResetPassword sets a new password with a reset code. The cheap checks
// come first, so that no request buys an argon2 hash it is not owed: the
// flow, the per-client password limit, the password policy (a refused
// password costs no try), the breaker, and then the code itself, decided
// and counted if wrong in one transaction (see hashOnceRight). Only a
// right code has the new password hashed, and then verifies again with
// the hash: one transaction consumes the code, sets the password, ends
// every session of the account, starts this one and queues the notice to
// the address.
//
// Why two transactions rather than a hash inside one: the verify holds
// the address's lock (on SQLite, the one writer) while it runs, and a
// hash would hold it for as long as argon2 takes. Why not a read-only
// look at the code before hashing: a guess must be counted when it is
// evaluated, or it is free. Two requests with the right code may both
// hash; the second verify finds the code used, so it still works once.
func (e *Engine) ResetPassword(ctx context.Context, flowID, code, pw string, r Requester) (_ SignedIn, err error) {
	defer func() { e.observer.SignedIn(MethodReset, signInOutcome(err)) }()
	code, ch, err := e.submitted(ctx, flowID, code, "", otpd.PurposeResetPassword)
	if err != nil {
		return SignedIn{}, err
	}
	if e.passwords == nil {
		return SignedIn{}, otpd.Errorf(otpd.EInvalid, "passwords are not available here")
	}
	if err := e.passwordsAllowed(ctx, r); err != nil {
		return SignedIn{}, err
	}
	if err := e.passwords.Check(pw, ch.Email.String(), ch.Email.Local()); err != nil {
		return SignedIn{}, err
	}
	in, err := e.verifySignIn(ctx, ch, code, r, func(req *otpd.VerifyRequest) error {
		return e.hashOnceRight(ctx, req, ch, pw, r)
	})
	if err == nil {
		e.queued()
	}
	return in, err
}

// hashOnceRight decides req's code on its own (CheckOnly): a wrong one is
// counted and refused like any other, and a right one stays pending while
// the new password is hashed into req, with the notice the reset sends.
func (e *Engine) hashOnceRight(ctx context.Context, req *otpd.VerifyRequest, ch otpd.Challenge, pw string, r Requester) error {
	check := *req
	check.CheckOnly = true
	res, err := e.verifyCode(ctx, check)
	if err != nil {
		return internal(fmt.Sprintf("check reset code of flow %s", ch.FlowID), err)
	}
	if res.Outcome != otpd.OutcomeMatched {
		if res.Outcome == otpd.OutcomeWrong {
			e.failed(ctx, req.Context)
		}
		return outcomeError(res)
	}
	// The notice goes to the address the account keeps, not to the
	// spelling the flow was asked for with.
	acct, err := e.store.AccountByID(ctx, ch.AccountID)
	if err != nil {
		return internal(fmt.Sprintf("reset flow %s", ch.FlowID), err)
	}
	hash, err := e.passwords.Hash(pw)
	if err != nil {
		return hashError(err)
	}
	notice, err := e.passwordNotice(ch.ID, otpd.PurposeResetPassword, acct, "reset", e.locate(r.IP).String(), r)
	if err != nil {
		return err
	}
	req.PasswordHash, req.Notice = hash, notice
	return nil
}
