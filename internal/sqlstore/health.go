package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/otpd/otpd"
)

// Ping checks that the database answers a query, for the readiness check.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// Queued returns how many messages are queued and when the oldest of
// them was made (the zero time when none is), for the metrics.
func (s *Store) Queued(ctx context.Context) (n int, oldest time.Time, err error) {
	var ms sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = $1`, otpd.MessageQueued).Scan(&n, &ms)
	if err != nil {
		return 0, time.Time{}, s.errorf("count queued messages: %w", err)
	}
	if ms.Valid {
		oldest = fromMS(ms.Int64)
	}
	return n, oldest, nil
}

// OldestQueued returns when the oldest message still queued was made,
// and false when none is queued: a readiness check fails when mail has
// waited too long.
func (s *Store) OldestQueued(ctx context.Context) (time.Time, bool, error) {
	var ms sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MIN(created_at) FROM outbox WHERE state = $1`, otpd.MessageQueued).Scan(&ms)
	if err != nil || !ms.Valid {
		return time.Time{}, false, err
	}
	return fromMS(ms.Int64), true, nil
}
