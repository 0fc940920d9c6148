package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

const challengeColumns = `id, flow_id, purpose, email, account_id, code_mac,
	created_at, expires_at, attempts, max_attempts, status, ip, user_agent, session_id, after_password`

// RequestCode checks the send limits and records the request in one
// transaction that first takes the locks of the address's mailbox and of
// the address (see lockAddress): at PostgreSQL's READ COMMITTED, counting
// the mailbox's codes and then inserting one would otherwise let
// concurrent requests all pass a limit that only one of them fits under.
// Only RequestCode takes a mailbox's lock, always before the address's,
// and an address whose key differs from its mailbox's is never a
// mailbox's, so the two locks cannot deadlock another transaction. The
// challenge is stored as a fresh one (pending, no attempts) and its
// message as queued, whatever those fields say. The request's time is
// Challenge.CreatedAt.
//
// A limit of zero or less is not enforced.
func (s *Store) RequestCode(ctx context.Context, req otpd.CodeRequest) error {
	defer s.observe(opRequestCode, time.Now())
	var refused *otpd.LimitError
	err := s.inTx(ctx, func(tx *txn) error {
		mailbox, key := req.Challenge.Email.MailboxKey(), req.Challenge.Email.Key()
		if err := s.lockAddress(ctx, tx, mailbox); err != nil {
			return err
		}
		if key != mailbox {
			if err := s.lockAddress(ctx, tx, key); err != nil {
				return err
			}
		}
		le, err := req.Refused, error(nil)
		if le == nil {
			if le, err = sendLimit(ctx, tx, req); err != nil {
				return err
			}
		}
		ev := req.Event
		if ev.AccountID == "" {
			if ev.AccountID, err = accountIDByKey(ctx, tx, req.Challenge.Email.Key()); err != nil {
				return err
			}
		}
		if le != nil {
			// The refusal is committed: a refused request is still
			// evidence that someone drove the address (invariant 5).
			refused = le
			ev.Type = otpd.EventCodeRefused
			ev.Reason = otpd.ReasonRefused
			return insertEvent(ctx, tx, ev)
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE challenges SET status = $1 WHERE flow_id = $2 AND status = $3`,
			otpd.StatusSuperseded, req.Challenge.FlowID, otpd.StatusPending); err != nil {
			return fmt.Errorf("supersede: %w", err)
		}
		if err := insertChallenge(ctx, tx, req.Challenge, req.Context == otpd.Familiar); err != nil {
			return err
		}
		if req.Message.ID != "" {
			if err := insertMessage(ctx, tx, req.Message); err != nil {
				return err
			}
		}
		ev.Type = otpd.EventCodeRequested
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return s.errorf("request code %s: %w", req.Challenge.ID, err)
	}
	if refused != nil {
		return refused
	}
	return nil
}

// sendLimit returns the limit that refuses req, or nil. When several do, it
// returns the one that lasts longest, so that retrying after RetryAfter is
// not refused again by another. The caller holds the address's lock.
func sendLimit(ctx context.Context, tx *txn, req otpd.CodeRequest) (*otpd.LimitError, error) {
	now := req.Challenge.CreatedAt
	var refusal otpd.Refusal
	if req.Resend {
		var last int64
		err := tx.QueryRowContext(ctx,
			`SELECT created_at FROM challenges WHERE flow_id = $1 ORDER BY created_at DESC, seq DESC LIMIT 1`,
			req.Challenge.FlowID).Scan(&last)
		if err != nil {
			return nil, fmt.Errorf("resend flow %s: %w", req.Challenge.FlowID, notFound(err))
		}
		if req.Limits.ResendCooldown > 0 {
			refusal.Refuse(otpd.LimitCooldown, fromMS(last).Add(req.Limits.ResendCooldown).Sub(now))
		}
	}
	for _, c := range req.Limits.Caps() {
		// The window is full when it holds c.max requests already; it
		// has room again once the c.max-th newest of them leaves it.
		var nth int64
		err := tx.QueryRowContext(ctx,
			`SELECT created_at FROM challenges WHERE mailbox_key = $1 AND familiar = $2 AND created_at > $3
			 ORDER BY created_at DESC LIMIT 1 OFFSET $4`,
			req.Challenge.Email.MailboxKey(), req.Context == otpd.Familiar, toMS(now.Add(-c.Window)), c.Max-1).Scan(&nth)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return nil, fmt.Errorf("count %s: %w", c.Limit, err)
		}
		refusal.Refuse(c.Limit, fromMS(nth).Add(c.Window).Sub(now))
	}
	return refusal.Err(), nil
}

// insertChallenge stores c as a request counted against its mailbox's
// caps in the familiar context or the other.
func insertChallenge(ctx context.Context, tx *txn, c otpd.Challenge, familiar bool) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO challenges (id, flow_id, purpose, email, email_key, mailbox_key,
		account_id, code_mac, created_at, expires_at, attempts, max_attempts, status, ip, user_agent, session_id,
		after_password, familiar) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $13, $14, $15, $16, $17)`,
		c.ID, c.FlowID, c.Purpose, c.Email.String(), c.Email.Key(), c.Email.MailboxKey(), nullString(c.AccountID), c.CodeMAC,
		toMS(c.CreatedAt), toMS(c.ExpiresAt), c.MaxAttempts, otpd.StatusPending, c.IP, c.UserAgent, c.SessionID, c.AfterPassword, familiar)
	if err != nil {
		return fmt.Errorf("insert challenge: %w", err)
	}
	return nil
}

// LatestChallenge returns the newest challenge of a flow, as stored: a
// pending challenge past its expiry still reads as pending until a verify
// marks it expired.
func (s *Store) LatestChallenge(ctx context.Context, flowID string) (otpd.Challenge, error) {
	c, err := scanChallenge(s.db.QueryRowContext(ctx, `SELECT `+challengeColumns+` FROM challenges
		WHERE flow_id = $1 ORDER BY created_at DESC, seq DESC LIMIT 1`, flowID))
	if err != nil {
		return otpd.Challenge{}, s.errorf("latest challenge of flow %s: %w", flowID, notFound(err))
	}
	return c, nil
}

// Challenge returns a challenge by its ID.
func (s *Store) Challenge(ctx context.Context, id string) (otpd.Challenge, error) {
	c, err := scanChallenge(s.db.QueryRowContext(ctx,
		`SELECT `+challengeColumns+` FROM challenges WHERE id = $1`, id))
	if err != nil {
		return otpd.Challenge{}, s.errorf("challenge %s: %w", id, notFound(err))
	}
	return c, nil
}

// DenyChallenge cancels a pending challenge and records the report, in one
// transaction that holds the challenge's locks (see lockChallenge): a
// verify of it either finished before (and the challenge stays used) or
// waits, and then finds it denied; and a sign-up creating the address's
// account meanwhile cannot leave the report unattached. The report goes to
// the challenge's account; only a sign-up's, which has none, goes to its
// address's: a code one account asked for to confirm someone else's
// address is still that account's flow.
func (s *Store) DenyChallenge(ctx context.Context, id string, ev otpd.Event) (otpd.Challenge, error) {
	var c otpd.Challenge
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		if c, err = s.lockChallenge(ctx, tx, id); err != nil {
			return err
		}
		if c.Status == otpd.StatusPending {
			if err := setStatus(ctx, tx, id, otpd.StatusDenied); err != nil {
				return err
			}
			c.Status = otpd.StatusDenied
		}
		ev.Type, ev.Email, ev.FlowID, ev.Purpose = otpd.EventCodeDenied, c.Email, c.FlowID, c.Purpose
		if ev.AccountID, err = challengeAccount(ctx, tx, c); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return otpd.Challenge{}, s.errorf("deny challenge %s: %w", id, err)
	}
	return c, nil
}

// lockChallenge takes, in this order, the lock of a challenge's address
// and the challenge row (FOR UPDATE), and returns the challenge as it is
// under them. Every transaction that takes both takes them in this order,
// RequestCode included (it locks the address, then updates the flow's
// rows), so none can deadlock another. A challenge's address never
// changes, so reading it before the locks is safe. Without address locks
// (SQLite) the transaction holds the whole database already, and the
// challenge is read once.
func (s *Store) lockChallenge(ctx context.Context, tx *txn, id string) (otpd.Challenge, error) {
	if s.d.LockAddress != nil {
		var key string
		err := tx.QueryRowContext(ctx, `SELECT email_key FROM challenges WHERE id = $1`, id).Scan(&key)
		if err != nil {
			return otpd.Challenge{}, notFound(err)
		}
		if err := s.lockAddress(ctx, tx, key); err != nil {
			return otpd.Challenge{}, err
		}
	}
	c, err := scanChallenge(tx.QueryRowContext(ctx,
		s.rowLocked(`SELECT `+challengeColumns+` FROM challenges WHERE id = $1`, `FOR UPDATE`), id))
	if err != nil {
		return otpd.Challenge{}, notFound(err)
	}
	return c, nil
}

func scanChallenge(row scanner) (otpd.Challenge, error) {
	var (
		c                otpd.Challenge
		email            string
		account          sql.NullString
		created, expires int64
		purpose, status  string
	)
	if err := row.Scan(&c.ID, &c.FlowID, &purpose, &email, &account, &c.CodeMAC,
		&created, &expires, &c.Attempts, &c.MaxAttempts, &status, &c.IP, &c.UserAgent, &c.SessionID, &c.AfterPassword); err != nil {
		return otpd.Challenge{}, err
	}
	addr, err := parseAddress(email)
	if err != nil {
		return otpd.Challenge{}, err
	}
	c.Purpose, c.Status, c.Email, c.AccountID = otpd.Purpose(purpose), otpd.ChallengeStatus(status), addr, account.String
	c.CreatedAt, c.ExpiresAt = fromMS(created), fromMS(expires)
	return c, nil
}

// UnusedChallenges returns the challenges of an address made at or after
// since that never verified, newest first, at most limit: a request in the
// same millisecond as the sign-in before is news too.
func (s *Store) UnusedChallenges(ctx context.Context, email otpd.Address, since time.Time, limit int) ([]otpd.Challenge, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+challengeColumns+` FROM challenges
		WHERE email_key = $1 AND created_at >= $2 AND status <> $3 ORDER BY created_at DESC, seq DESC LIMIT $4`,
		email.Key(), toMS(since), otpd.StatusUsed, limit)
	cs, err := scanAll(rows, err, scanChallenge)
	if err != nil {
		return nil, s.errorf("unused challenges of %s: %w", email, err)
	}
	return cs, nil
}
