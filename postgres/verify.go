package postgres

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// VerifyCode decides a submitted code in one transaction. PostgreSQL reads
// at READ COMMITTED, so the transaction locks what it decides on (see
// lockChallenge): first the address's advisory lock, which orders it
// after every other request, verify and deny for that address (the
// wrong-code budget spans all the address's flows), then the challenge row
// FOR UPDATE. No number of concurrent guesses, on any number of nodes, evaluates more than the
// limits allow (invariant 2), and a code is consumed together with the
// session it starts (invariant 3). The counting updates are conditional as
// well, so they stay correct on their own.
//
// A GuessLimits.MaxWrong of zero or less is not enforced.
func (s *Store) VerifyCode(ctx context.Context, req otpd.VerifyRequest) (otpd.VerifyResult, error) {
	var res otpd.VerifyResult
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = verify(ctx, tx, req)
		return err
	})
	if err != nil {
		return otpd.VerifyResult{}, fmt.Errorf("postgres: verify code %s: %w", req.ChallengeID, err)
	}
	return res, nil
}

func verify(ctx context.Context, tx *sql.Tx, req otpd.VerifyRequest) (otpd.VerifyResult, error) {
	c, err := lockChallenge(ctx, tx, req.ChallengeID)
	if err != nil {
		return otpd.VerifyResult{}, fmt.Errorf("challenge: %w", err)
	}
	res := otpd.VerifyResult{Challenge: c}
	outcome, detail, expire, closed := sqlstore.Closed(c, req.Now)
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
		g, err := loadGuard(ctx, tx, c.Email.Key())
		if err != nil {
			return otpd.VerifyResult{}, err
		}
		if wait := g.LockedFor(req.Now, req.Guess); wait > 0 {
			res.Outcome, res.RetryAfter, detail = otpd.OutcomeLocked, wait, sqlstore.LockedDetail
			break
		}
		// Constant time, so the time taken leaks nothing of the MAC.
		if subtle.ConstantTimeCompare(req.CodeMAC, c.CodeMAC) == 1 {
			return succeed(ctx, tx, req, res)
		}
		if res, err = countWrong(ctx, tx, req, res); err != nil {
			return otpd.VerifyResult{}, err
		}
		detail = sqlstore.WrongDetail(res.AttemptsLeft)
	}
	accountID := c.AccountID
	if accountID == "" {
		if accountID, err = accountIDByKey(ctx, tx, c.Email.Key()); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	if err := recordVerify(ctx, tx, req, c, res.Outcome.EventType(), accountID, detail); err != nil {
		return otpd.VerifyResult{}, err
	}
	return res, nil
}

// countWrong counts a wrong code against the challenge and against the
// address's budget. The guard's window is fixed: it starts at the first
// wrong code after the previous window ended, and only its end refills
// the budget; a new code or a success does not, or an attacker could buy
// guesses by opening flows or by waiting for the owner to sign in.
func countWrong(ctx context.Context, tx *sql.Tx, req otpd.VerifyRequest, res otpd.VerifyResult) (otpd.VerifyResult, error) {
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
	now, window := sqlstore.MS(req.Now), req.Guess.Window.Milliseconds()
	var wrong int
	err = tx.QueryRowContext(ctx, `INSERT INTO guards (email_key, wrong_count, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (email_key) DO UPDATE SET
		    wrong_count  = CASE WHEN $2 < guards.window_start + $3 THEN guards.wrong_count + 1 ELSE 1 END,
		    window_start = CASE WHEN $2 < guards.window_start + $3 THEN guards.window_start ELSE excluded.window_start END
		RETURNING wrong_count`,
		c.Email.Key(), now, window).Scan(&wrong)
	if err != nil {
		return otpd.VerifyResult{}, fmt.Errorf("count wrong code for address: %w", err)
	}
	res.Outcome = otpd.OutcomeWrong
	res.AttemptsLeft = sqlstore.AttemptsLeft(*c, wrong, req.Guess)
	return res, nil
}

// succeed consumes the challenge and signs the account in, creating it for
// a sign-up. When another flow created the account meanwhile, this one
// signs into it rather than failing on the unique address: the address's
// lock, held since the start, makes that account visible here.
func succeed(ctx context.Context, tx *sql.Tx, req otpd.VerifyRequest, res otpd.VerifyResult) (otpd.VerifyResult, error) {
	c := res.Challenge
	if err := setStatus(ctx, tx, c.ID, otpd.StatusUsed); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Challenge.Status = otpd.StatusUsed
	var acct otpd.Account
	var err error
	if c.AccountID != "" {
		acct, err = scanAccount(tx.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = $1`, c.AccountID))
		err = sqlstore.NotFound(err)
	} else {
		acct, err = accountByKey(ctx, tx, c.Email.Key())
		if errors.Is(err, otpd.ErrNotFound) && c.Purpose == otpd.PurposeSignUp {
			acct, err = createAccount(ctx, tx, req.NewAccountID, c.Email, req.Now)
			res.AccountCreated = err == nil
		}
	}
	if err != nil {
		return otpd.VerifyResult{}, fmt.Errorf("account: %w", err)
	}
	sess := req.Session
	sess.AccountID = acct.ID
	if err := insertSession(ctx, tx, sess); err != nil {
		return otpd.VerifyResult{}, err
	}
	if err := recordVerify(ctx, tx, req, c, otpd.EventCodeVerified, acct.ID, "code verified"); err != nil {
		return otpd.VerifyResult{}, err
	}
	if res.AccountCreated {
		if err := recordVerify(ctx, tx, req, c, otpd.EventAccountCreated, acct.ID, "account created"); err != nil {
			return otpd.VerifyResult{}, err
		}
	}
	if err := recordVerify(ctx, tx, req, c, otpd.EventSessionStarted, acct.ID, "signed in with a code"); err != nil {
		return otpd.VerifyResult{}, err
	}
	res.Outcome, res.Account, res.Session = otpd.OutcomeVerified, acct, roundSession(sess)
	return res, nil
}

// recordVerify records an event of a verify. Where it happened comes from
// the request; what it is about comes from the stored challenge, which the
// caller cannot misstate.
func recordVerify(ctx context.Context, tx *sql.Tx, req otpd.VerifyRequest, c otpd.Challenge, typ otpd.EventType, accountID, detail string) error {
	return insertEvent(ctx, tx, otpd.Event{
		ID: sqlstore.NewID(), Type: typ, At: req.Now, AccountID: accountID, Email: c.Email, FlowID: c.FlowID,
		IP: req.Event.IP, UserAgent: req.Event.UserAgent, Detail: detail,
	})
}

func setStatus(ctx context.Context, tx *sql.Tx, id string, status otpd.ChallengeStatus) error {
	res, err := tx.ExecContext(ctx, `UPDATE challenges SET status = $1 WHERE id = $2 AND status = $3`,
		status, id, otpd.StatusPending)
	if err != nil {
		return fmt.Errorf("mark challenge %s: %w", status, err)
	}
	if err := sqlstore.Affected(res); err != nil {
		return fmt.Errorf("mark challenge %s: %w", status, err)
	}
	return nil
}

// loadGuard reads an address's guard; the caller holds the address's
// lock, so the guard cannot change before the caller's update.
func loadGuard(ctx context.Context, tx *sql.Tx, key string) (sqlstore.Guard, error) {
	var g sqlstore.Guard
	var start int64
	err := tx.QueryRowContext(ctx, `SELECT wrong_count, window_start FROM guards WHERE email_key = $1`, key).
		Scan(&g.Wrong, &start)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return sqlstore.Guard{}, nil
	case err != nil:
		return sqlstore.Guard{}, fmt.Errorf("load guard: %w", err)
	}
	g.WindowStart = sqlstore.FromMS(start)
	return g, nil
}
