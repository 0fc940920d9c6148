package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

const sessionColumns = `id, account_id, token_hash, created_at, last_seen_at, expires_at, ended_at, ip, user_agent,
	place, device_id, stepped_up_at, step_up_challenge`

func insertSession(ctx context.Context, tx *sql.Tx, s otpd.Session) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.AccountID, s.TokenHash, sqlstore.MS(s.CreatedAt), sqlstore.MS(s.LastSeenAt), sqlstore.MS(s.ExpiresAt), sqlstore.NullMS(s.EndedAt),
		s.IP, s.UserAgent, s.Place, s.DeviceID, sqlstore.NullMS(s.SteppedUpAt), s.StepUpChallenge)
	if err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// roundSession gives a session the precision it has once stored, so that
// what VerifyCode returns equals what SessionByTokenHash reads back.
func roundSession(s otpd.Session) otpd.Session {
	round := func(t time.Time) time.Time { return sqlstore.FromNullMS(sqlstore.NullMS(t)) }
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.EndedAt = round(s.CreatedAt), round(s.LastSeenAt), round(s.ExpiresAt), round(s.EndedAt)
	s.SteppedUpAt = round(s.SteppedUpAt)
	return s
}

func scanSession(row sqlstore.Scanner) (otpd.Session, error) {
	var (
		s                      otpd.Session
		created, seen, expires int64
		ended, steppedUp       sql.NullInt64
	)
	if err := row.Scan(&s.ID, &s.AccountID, &s.TokenHash, &created, &seen, &expires, &ended, &s.IP, &s.UserAgent,
		&s.Place, &s.DeviceID, &steppedUp, &s.StepUpChallenge); err != nil {
		return otpd.Session{}, err
	}
	s.SteppedUpAt = sqlstore.FromNullMS(steppedUp)
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.EndedAt = sqlstore.FromMS(created), sqlstore.FromMS(seen), sqlstore.FromMS(expires), sqlstore.FromNullMS(ended)
	return s, nil
}
