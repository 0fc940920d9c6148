package sqlstore

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

// VerifyCode decides a submitted code in one transaction that locks what
// it decides on (see lockChallenge), as PostgreSQL reads at READ
// COMMITTED: first the address's lock, which orders it after every other
// request, verify and deny for that address (the wrong-code budget spans
// all the address's flows), then the challenge row FOR UPDATE. (SQLite's
// immediate transaction holds the whole database instead: no other verify
// of any challenge runs between reading the counters and writing them.)
// No number of concurrent guesses, on any number of nodes, evaluates more
// than the limits allow (invariant 2), and a code is consumed together
// with the session it starts (invariant 3). The counting updates are
// conditional as well (only a pending challenge counts, and the update
// that reaches MaxAttempts closes it), so they stay correct on their own.
//
// A GuessLimits.MaxWrong of zero or less is not enforced.
func (s *Store) VerifyCode(ctx context.Context, req otpd.VerifyRequest) (otpd.VerifyResult, error) {
	defer s.observe(opVerifyCode, time.Now())
	var res otpd.VerifyResult
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		res, err = s.verify(ctx, tx, req)
		if err == nil && res.Outcome == otpd.OutcomeVerified && req.SignedInFrom != nil {
			err = s.recordSignIn(ctx, tx, res.Account.ID, req.Now, *req.SignedInFrom)
		}
		return err
	})
	if err != nil {
		return otpd.VerifyResult{}, s.errorf("verify code %s: %w", req.ChallengeID, err)
	}
	return res, nil
}

func (s *Store) verify(ctx context.Context, tx *txn, req otpd.VerifyRequest) (otpd.VerifyResult, error) {
	c, err := s.lockChallenge(ctx, tx, req.ChallengeID)
	if err != nil {
		return otpd.VerifyResult{}, fmt.Errorf("challenge: %w", err)
	}
	res := otpd.VerifyResult{Challenge: c}
	outcome, expire, closed := otpd.Closed(c, req.Now)
	switch {
	case closed:
		if expire {
			if err := setStatus(ctx, tx, c.ID, otpd.StatusExpired); err != nil {
				return otpd.VerifyResult{}, err
			}
			res.Challenge.Status = otpd.StatusExpired
		}
		res.Outcome = outcome
	default:
		key := otpd.VerifyGuard(c, req)
		g, err := loadGuard(ctx, tx, key)
		if err != nil {
			return otpd.VerifyResult{}, err
		}
		if wait := g.LockedFor(req.Now, req.Guess); wait > 0 {
			res.Outcome, res.RetryAfter = otpd.OutcomeLocked, wait
			break
		}
		// Constant time, so the time taken leaks nothing of the MAC.
		if subtle.ConstantTimeCompare(req.CodeMAC, c.CodeMAC) == 1 && otpd.Fits(c, req) {
			if req.CheckOnly {
				res.Outcome = otpd.OutcomeMatched
				return res, nil
			}
			return succeed(ctx, tx, req, res)
		}
		if res, err = countWrong(ctx, tx, req, res, key, g); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	accountID, err := challengeAccount(ctx, tx, c)
	if err != nil {
		return otpd.VerifyResult{}, err
	}
	if err := recordVerify(ctx, tx, req, c, res.Outcome.EventType(), accountID, ""); err != nil {
		return otpd.VerifyResult{}, err
	}
	return res, nil
}

// challengeAccount is the account a challenge's events go to: its own, or,
// for a sign-up, which has none, its address's if that has one yet.
func challengeAccount(ctx context.Context, tx *txn, c otpd.Challenge) (string, error) {
	if c.AccountID != "" {
		return c.AccountID, nil
	}
	return accountIDByKey(ctx, tx, c.Email.Key())
}

// countWrong counts a wrong code against the challenge and against its
// guard (see otpd.VerifyGuard and otpd.Guard.Fail). When the failure locks the guard
// out, that is recorded as well, on the challenge's account.
func countWrong(ctx context.Context, tx *txn, req otpd.VerifyRequest, res otpd.VerifyResult, key otpd.GuardKey, g otpd.Guard) (otpd.VerifyResult, error) {
	c := &res.Challenge
	err := tx.QueryRowContext(ctx, `UPDATE challenges
		SET attempts = attempts + 1,
		    status = CASE WHEN attempts + 1 >= max_attempts THEN $1 ELSE status END
		WHERE id = $2 AND status = $3
		RETURNING attempts, status`,
		otpd.StatusExhausted, c.ID, otpd.StatusPending).Scan(&c.Attempts, &c.Status)
	if err != nil {
		return otpd.VerifyResult{}, fmt.Errorf("count attempt: %w", err)
	}
	g = g.Fail(req.Now, req.Guess)
	if err := saveGuard(ctx, tx, key, g); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Outcome = otpd.OutcomeWrong
	res.AttemptsLeft = otpd.AttemptsLeft(*c, g.Wrong, req.Guess)
	if g.LockedUntil.After(req.Now) {
		res.RetryAfter = g.LockedFor(req.Now, req.Guess)
		accountID, err := challengeAccount(ctx, tx, *c)
		if err != nil {
			return otpd.VerifyResult{}, err
		}
		if err := recordVerify(ctx, tx, req, *c, otpd.EventLockedOut, accountID, string(key.Context)); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	return res, nil
}

// succeed consumes the challenge and does what it was for: a step-up
// marks the session that asked, a reset sets the password and ends every
// other session, and every other purpose signs the account in, creating it
// for a sign-up. When another flow created the account meanwhile, a
// sign-up signs into it rather than failing on the unique address: the
// address's lock, held since the start, makes that account visible here.
func succeed(ctx context.Context, tx *txn, req otpd.VerifyRequest, res otpd.VerifyResult) (otpd.VerifyResult, error) {
	c := res.Challenge
	acct, created, err := verifiedAccount(ctx, tx, req, c)
	if err != nil {
		return otpd.VerifyResult{}, fmt.Errorf("account: %w", err)
	}
	if acct.Disabled() {
		return refuseDisabled(ctx, tx, req, res, acct.ID)
	}
	if err := setStatus(ctx, tx, c.ID, otpd.StatusUsed); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Challenge.Status = otpd.StatusUsed
	if c.AccountID == "" {
		if res.Challenge, err = claimSignUp(ctx, tx, res.Challenge, acct.ID); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	res.Outcome, res.Account, res.AccountCreated = otpd.OutcomeVerified, acct, created
	if err := recordVerify(ctx, tx, req, c, otpd.EventCodeVerified, acct.ID, ""); err != nil {
		return otpd.VerifyResult{}, err
	}
	switch c.Purpose {
	case otpd.PurposeStepUp:
		res.Session, err = stepUp(ctx, tx, req, c, acct)
		return res, err
	case otpd.PurposeChangeEmail:
		res.Account, err = changeEmail(ctx, tx, req, c, acct)
		return res, err
	case otpd.PurposeAddRecovery:
		res.Account, err = addRecovery(ctx, tx, req, c, acct)
		return res, err
	}
	if c.Purpose == otpd.PurposeResetPassword {
		if err := reset(ctx, tx, req, c, acct); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	sess := req.Session
	sess.AccountID, sess.FlowID = acct.ID, c.FlowID
	if err := insertSession(ctx, tx, sess); err != nil {
		return otpd.VerifyResult{}, err
	}
	for _, typ := range signInEvents(created) {
		if err := recordVerify(ctx, tx, req, c, typ, acct.ID, ""); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	res.Session = roundSession(sess)
	return res, nil
}

// refuseDisabled closes a right code for an account disabled since it
// was sent, as if it had been superseded: disabling closes the pending
// codes, and this catches one whose request raced the disabling.
func refuseDisabled(ctx context.Context, tx *txn, req otpd.VerifyRequest, res otpd.VerifyResult, accountID string) (otpd.VerifyResult, error) {
	if err := setStatus(ctx, tx, res.Challenge.ID, otpd.StatusSuperseded); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Challenge.Status, res.Outcome = otpd.StatusSuperseded, otpd.OutcomeClosed
	if err := recordVerify(ctx, tx, req, res.Challenge, res.Outcome.EventType(), accountID, ""); err != nil {
		return otpd.VerifyResult{}, err
	}
	return res, nil
}

func verifiedAccount(ctx context.Context, tx *txn, req otpd.VerifyRequest, c otpd.Challenge) (otpd.Account, bool, error) {
	if c.AccountID != "" {
		acct, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, c.AccountID))
		return acct, false, notFound(err)
	}
	acct, err := accountByKey(ctx, tx, c.Email.Key())
	if errors.Is(err, otpd.ErrNotFound) && c.Purpose == otpd.PurposeSignUp {
		acct, err = createAccount(ctx, tx, req.NewAccountID, c.Email, req.Now)
		return acct, err == nil, err
	}
	return acct, false, err
}

// claimSignUp gives a verified sign-up's challenge the account it made or
// signed in to: from then on its flow is that account's, and a report of it acts on
// that account wherever its address goes, not on whoever has the address.
func claimSignUp(ctx context.Context, tx *txn, c otpd.Challenge, accountID string) (otpd.Challenge, error) {
	if _, err := tx.ExecContext(ctx, `UPDATE challenges SET account_id = $1 WHERE id = $2`, accountID, c.ID); err != nil {
		return otpd.Challenge{}, fmt.Errorf("claim sign-up: %w", err)
	}
	c.AccountID = accountID
	return c, nil
}

// stepUp marks the session that asked for a step-up code.
func stepUp(ctx context.Context, tx *txn, req otpd.VerifyRequest, c otpd.Challenge, acct otpd.Account) (otpd.Session, error) {
	sess, err := scanSession(tx.QueryRowContext(ctx, `UPDATE sessions SET stepped_up_at = $1, step_up_challenge = $2
		WHERE id = $3 AND account_id = $4 AND ended_at IS NULL RETURNING `+sessionColumns,
		toMS(req.Now), c.ID, c.SessionID, acct.ID))
	if err != nil {
		return otpd.Session{}, fmt.Errorf("step up session %s: %w", c.SessionID, notFound(err))
	}
	return sess, recordVerify(ctx, tx, req, c, otpd.EventSteppedUp, acct.ID, "")
}

// reset sets the new password, ends every session of the account (the
// one the reset starts comes after) and queues the notice.
func reset(ctx context.Context, tx *txn, req otpd.VerifyRequest, c otpd.Challenge, acct otpd.Account) error {
	if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = $1 WHERE id = $2`, req.PasswordHash, acct.ID); err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if err := endSessions(ctx, tx, acct.ID, "", req.Now); err != nil {
		return err
	}
	if req.Notice != nil {
		if err := insertMessage(ctx, tx, *req.Notice); err != nil {
			return err
		}
	}
	return recordVerify(ctx, tx, req, c, otpd.EventPasswordReset, acct.ID, "")
}

// recordVerify records an event of a verify. Where it happened comes from
// the request; what it is about (its flow, its purpose) comes from the
// stored challenge, which the caller cannot misstate.
func recordVerify(ctx context.Context, tx *txn, req otpd.VerifyRequest, c otpd.Challenge, typ otpd.EventType, accountID, concerns string) error {
	return insertEvent(ctx, tx, otpd.Event{
		ID: newID(), Type: typ, At: req.Now, AccountID: accountID, Email: c.Email, FlowID: c.FlowID,
		IP: req.Event.IP, UserAgent: req.Event.UserAgent, Place: req.Event.Place, Purpose: c.Purpose, Concerns: concerns,
	})
}

func setStatus(ctx context.Context, tx *txn, id string, status otpd.ChallengeStatus) error {
	err := affected(tx.ExecContext(ctx, `UPDATE challenges SET status = $1 WHERE id = $2 AND status = $3`,
		status, id, otpd.StatusPending))
	if err != nil {
		return fmt.Errorf("mark challenge %s: %w", status, err)
	}
	return nil
}

// signInEvents are the events a verified code records besides
// code_verified, when it starts a session.
func signInEvents(created bool) []otpd.EventType {
	if created {
		return []otpd.EventType{otpd.EventAccountCreated, otpd.EventSessionStarted}
	}
	return []otpd.EventType{otpd.EventSessionStarted}
}
