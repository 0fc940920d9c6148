package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
)

const sessionColumns = `id, account_id, token_hash, created_at, last_seen_at, expires_at, ended_at, ip, user_agent,
	place, device_id, stepped_up_at, step_up_challenge, flow_id`

func insertSession(ctx context.Context, tx *txn, s otpd.Session) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		s.ID, s.AccountID, s.TokenHash, toMS(s.CreatedAt), toMS(s.LastSeenAt), toMS(s.ExpiresAt), nullMS(s.EndedAt),
		s.IP, s.UserAgent, s.Place, s.DeviceID, nullMS(s.SteppedUpAt), s.StepUpChallenge, s.FlowID)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// roundSession gives a session the precision it has once stored, so that
// what VerifyCode returns equals what SessionByTokenHash reads back.
func roundSession(s otpd.Session) otpd.Session {
	round := func(t time.Time) time.Time { return fromNullMS(nullMS(t)) }
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.EndedAt = round(s.CreatedAt), round(s.LastSeenAt), round(s.ExpiresAt), round(s.EndedAt)
	s.SteppedUpAt = round(s.SteppedUpAt)
	return s
}

// SessionByTokenHash finds a session by the hash of its token, ended or
// not: whether it may still be used is the caller's decision.
func (s *Store) SessionByTokenHash(ctx context.Context, hash []byte) (otpd.Session, error) {
	sess, err := scanSession(s.db.QueryRowContext(ctx,
		`SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1`, hash))
	if err != nil {
		return otpd.Session{}, s.errorf("session by token: %w", notFound(err))
	}
	return sess, nil
}

// TouchSession moves a session's last-seen time forward, never back, so
// that two requests racing with different clocks cannot shorten it. The
// one UPDATE reads and writes the row under its lock.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	err := affected(s.exec(ctx, `UPDATE sessions SET last_seen_at = `+s.d.Greatest+`(last_seen_at, $1) WHERE id = $2`, toMS(at), id))
	if err != nil {
		return s.errorf("touch session %s: %w", id, err)
	}
	return nil
}

// EndSession ends an active session at ev.At and records ev, in one
// transaction. Only one of two concurrent calls ends it: the other's
// UPDATE waits for the row (in SQLite, for the database's write lock),
// re-checks ended_at and matches nothing, so it gets ErrNotFound.
func (s *Store) EndSession(ctx context.Context, id string, ev otpd.Event) error {
	ev.Type = otpd.EventSessionEnded
	err := s.changeRecorded(ctx, ev, `UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL`, toMS(ev.At), id)
	if err != nil {
		return s.errorf("end session %s: %w", id, err)
	}
	return nil
}

func scanSession(row scanner) (otpd.Session, error) {
	var (
		s                      otpd.Session
		created, seen, expires int64
		ended, steppedUp       sql.NullInt64
	)
	if err := row.Scan(&s.ID, &s.AccountID, &s.TokenHash, &created, &seen, &expires, &ended, &s.IP, &s.UserAgent,
		&s.Place, &s.DeviceID, &steppedUp, &s.StepUpChallenge, &s.FlowID); err != nil {
		return otpd.Session{}, err
	}
	s.SteppedUpAt = fromNullMS(steppedUp)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.EndedAt = fromMS(created), fromMS(seen), fromMS(expires), fromNullMS(ended)
	return s, nil
}

// Sessions returns an account's sessions that have not been ended,
// newest first; whether each may still be used is the caller's decision.
func (s *Store) Sessions(ctx context.Context, accountID string) ([]otpd.Session, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE account_id = $1 AND ended_at IS NULL ORDER BY created_at DESC, id`, accountID)
	ss, err := scanAll(rows, err, scanSession)
	if err != nil {
		return nil, s.errorf("sessions of account %s: %w", accountID, err)
	}
	return ss, nil
}

// EndSessionsFrom ends an account's active sessions that started from ip
// at or after since, and records ev, in one transaction.
func (s *Store) EndSessionsFrom(ctx context.Context, accountID, ip string, since time.Time, ev otpd.Event) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1
			WHERE account_id = $2 AND ip = $3 AND created_at >= $4 AND ended_at IS NULL`,
			toMS(ev.At), accountID, ip, toMS(since))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return 0, s.errorf("end sessions of account %s from %s: %w", accountID, ip, err)
	}
	return int(n), nil
}

// StartSession creates a session and records its events in one
// transaction, unless the account is gone or disabled: its row is read
// under a share lock first, so a delete or a disabling either commits
// before (and the session is refused with ErrNotFound) or waits for it.
func (s *Store) StartSession(ctx context.Context, sess otpd.Session, evs []otpd.Event) error {
	defer s.observe(opStartSession, time.Now())
	err := s.inTx(ctx, func(tx *txn) error {
		if err := s.liveAccount(ctx, tx, sess.AccountID); err != nil {
			return err
		}
		if err := insertSession(ctx, tx, sess); err != nil {
			return err
		}
		for _, ev := range evs {
			if err := insertEvent(ctx, tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.errorf("start session of account %s: %w", sess.AccountID, err)
	}
	return nil
}

// EndSessions ends every active session of an account but keep and
// records ev, in one transaction, and says how many ended.
func (s *Store) EndSessions(ctx context.Context, accountID, keep string, ev otpd.Event) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1
			WHERE account_id = $2 AND id <> $3 AND ended_at IS NULL`, toMS(ev.At), accountID, keep)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return 0, s.errorf("end sessions of account %s: %w", accountID, err)
	}
	return int(n), nil
}

// endSessions ends every active session of an account but keep.
func endSessions(ctx context.Context, tx *txn, accountID, keep string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1
		WHERE account_id = $2 AND id <> $3 AND ended_at IS NULL`, toMS(at), accountID, keep)
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// liveAccount returns ErrNotFound unless the account exists and is not
// disabled. It reads the row under a share lock, so a delete or a
// disabling either commits before or waits for the caller's transaction:
// nothing the caller then grants the account outlives them.
func (s *Store) liveAccount(ctx context.Context, tx *txn, accountID string) error {
	var id string
	err := tx.QueryRowContext(ctx, s.rowLocked(`SELECT id FROM accounts WHERE id = $1 AND disabled_at = 0`, `FOR SHARE`),
		accountID).Scan(&id)
	return notFound(err)
}
