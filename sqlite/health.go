package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlschema"
)

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// OldestQueued returns when the oldest message still queued was made,
// and false when none is queued.
func (s *Store) OldestQueued(ctx context.Context) (time.Time, bool, error) {
	return oldestQueued(ctx, s.read)
}

// MigrationStatus reports which migrations the open database has and
// which this build knows.
func (s *Store) MigrationStatus(ctx context.Context) (sqlschema.Status, error) {
	return s.schema.Status(ctx)
}

func oldestQueued(ctx context.Context, db *sql.DB) (time.Time, bool, error) {
	var ms sql.NullInt64
	err := db.QueryRowContext(ctx, `SELECT MIN(created_at) FROM outbox WHERE state = $1`, otpd.MessageQueued).Scan(&ms)
	if err != nil || !ms.Valid {
		return time.Time{}, false, err
	}
	return time.UnixMilli(ms.Int64).UTC(), true, nil
}
