package sqlstore

import (
	"context"
	"fmt"

	"github.com/otpd/otpd"
)

// VerifyFactor decides a submitted factor under the same locks and guard
// as VerifyCode: the address's lock first (through the sign-in's
// challenge, which it then locks, or the account's address for a
// step-up), then the guard, which a locked context does not get past, then
// the one conditional UPDATE that spends the factor.
func (s *Store) VerifyFactor(ctx context.Context, req otpd.FactorRequest) (otpd.VerifyResult, error) {
	var res otpd.VerifyResult
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		res, err = s.verifyFactor(ctx, tx, req)
		if err == nil && res.Outcome == otpd.OutcomeVerified && req.SignedInFrom != nil {
			err = s.recordSignIn(ctx, tx, req.AccountID, req.Now, *req.SignedInFrom)
		}
		return err
	})
	if err != nil {
		return otpd.VerifyResult{}, s.errorf("verify %s of %s: %w", req.Kind, req.AccountID, err)
	}
	return res, nil
}

func (s *Store) verifyFactor(ctx context.Context, tx *txn, req otpd.FactorRequest) (otpd.VerifyResult, error) {
	acct, c, err := s.lockFactor(ctx, tx, req)
	if err != nil {
		return otpd.VerifyResult{}, err
	}
	res := otpd.VerifyResult{Challenge: c, Account: acct}
	f := factorEvents{req: req, acct: acct, c: c}
	if req.ChallengeID != "" {
		if outcome, _, closed := otpd.Closed(c, req.Now); closed || !otpd.FactorFits(c, acct.ID) {
			if !closed {
				outcome = otpd.OutcomeClosed
			}
			res.Outcome = outcome
			return res, nil
		}
	}
	key := otpd.FactorGuard(acct, c, req.Context)
	g, err := loadGuard(ctx, tx, key)
	if err != nil {
		return otpd.VerifyResult{}, err
	}
	if wait := g.LockedFor(req.Now, req.Guess); wait > 0 {
		res.Outcome, res.RetryAfter = otpd.OutcomeLocked, wait
		return res, f.record(ctx, tx, otpd.EventCodeLocked, "")
	}
	ok, err := consumeFactor(ctx, tx, req)
	if err != nil {
		return otpd.VerifyResult{}, err
	}
	if !ok {
		return s.factorWrong(ctx, tx, f, res, key, g)
	}
	res.Outcome = otpd.OutcomeVerified
	if err := f.record(ctx, tx, otpd.EventFactorVerified, ""); err != nil {
		return otpd.VerifyResult{}, err
	}
	if req.Notice != nil {
		if err := insertMessage(ctx, tx, *req.Notice); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	if req.StepUpSession != "" {
		res.Session, err = factorStepUp(ctx, tx, f)
		return res, err
	}
	if err := setStatus(ctx, tx, c.ID, otpd.StatusUsed); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Challenge.Status = otpd.StatusUsed
	sess := req.Session
	sess.AccountID, sess.FlowID = acct.ID, c.FlowID
	if err := insertSession(ctx, tx, sess); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Session = roundSession(sess)
	return res, f.record(ctx, tx, otpd.EventSessionStarted, "")
}

// lockFactor takes the locks a factor is decided under and returns the
// account and, for a sign-in, its challenge as they are under them.
func (s *Store) lockFactor(ctx context.Context, tx *txn, req otpd.FactorRequest) (otpd.Account, otpd.Challenge, error) {
	var c otpd.Challenge
	if req.ChallengeID != "" {
		var err error
		if c, err = s.lockChallenge(ctx, tx, req.ChallengeID); err != nil {
			return otpd.Account{}, otpd.Challenge{}, fmt.Errorf("challenge: %w", err)
		}
	}
	acct, err := scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, req.AccountID))
	if err != nil {
		return otpd.Account{}, otpd.Challenge{}, fmt.Errorf("account: %w", notFound(err))
	}
	if req.ChallengeID == "" {
		if err := s.lockAddress(ctx, tx, acct.Email.Key()); err != nil {
			return otpd.Account{}, otpd.Challenge{}, err
		}
		// The address may have changed before its lock was taken.
		acct, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, req.AccountID))
		if err != nil {
			return otpd.Account{}, otpd.Challenge{}, fmt.Errorf("account: %w", notFound(err))
		}
	}
	return acct, c, nil
}

// factorWrong counts a wrong factor against the guard, and against the
// sign-in's challenge, whose code it stood in for.
func (s *Store) factorWrong(ctx context.Context, tx *txn, f factorEvents, res otpd.VerifyResult, key otpd.GuardKey, g otpd.Guard) (otpd.VerifyResult, error) {
	req := f.req
	if req.ChallengeID != "" {
		err := tx.QueryRowContext(ctx, `UPDATE challenges
			SET attempts = attempts + 1,
			    status = CASE WHEN attempts + 1 >= max_attempts THEN $1 ELSE status END
			WHERE id = $2 AND status = $3
			RETURNING attempts, status`,
			otpd.StatusExhausted, req.ChallengeID, otpd.StatusPending).Scan(&res.Challenge.Attempts, &res.Challenge.Status)
		if err != nil {
			return otpd.VerifyResult{}, fmt.Errorf("count attempt: %w", err)
		}
	}
	g = g.Fail(req.Now, req.Guess)
	if err := saveGuard(ctx, tx, key, g); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Outcome = otpd.OutcomeWrong
	res.AttemptsLeft = otpd.FactorAttemptsLeft(res.Challenge, g.Wrong, req.Guess)
	if err := f.record(ctx, tx, otpd.EventFactorWrong, ""); err != nil {
		return otpd.VerifyResult{}, err
	}
	if g.LockedUntil.After(req.Now) {
		res.RetryAfter = g.LockedFor(req.Now, req.Guess)
		return res, f.record(ctx, tx, otpd.EventLockedOut, string(key.Context))
	}
	return res, nil
}

// factorStepUp marks the session that submitted a step-up factor.
func factorStepUp(ctx context.Context, tx *txn, f factorEvents) (otpd.Session, error) {
	sess, err := scanSession(tx.QueryRowContext(ctx, `UPDATE sessions SET stepped_up_at = $1, step_up_challenge = ''
		WHERE id = $2 AND account_id = $3 AND ended_at IS NULL RETURNING `+sessionColumns,
		toMS(f.req.Now), f.req.StepUpSession, f.acct.ID))
	if err != nil {
		return otpd.Session{}, fmt.Errorf("step up session %s: %w", f.req.StepUpSession, notFound(err))
	}
	return sess, f.record(ctx, tx, otpd.EventSteppedUp, "")
}

// factorEvents records the events of one submitted factor: on the
// account, with the requester's context, the method as the reason, and
// the purpose the factor served.
type factorEvents struct {
	req  otpd.FactorRequest
	acct otpd.Account
	c    otpd.Challenge
}

func (f factorEvents) record(ctx context.Context, tx *txn, typ otpd.EventType, concerns string) error {
	purpose := otpd.PurposeStepUp
	if f.req.StepUpSession == "" {
		purpose = otpd.PurposeSignIn
	}
	return insertEvent(ctx, tx, otpd.Event{
		ID: newID(), Type: typ, At: f.req.Now, AccountID: f.acct.ID, Email: f.acct.Email, FlowID: f.c.FlowID,
		IP: f.req.Event.IP, UserAgent: f.req.Event.UserAgent, Place: f.req.Event.Place, Purpose: purpose,
		Reason: otpd.Reason(f.req.Kind), Concerns: concerns,
	})
}
