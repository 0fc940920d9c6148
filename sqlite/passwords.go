package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// endSessions ends every active session of an account but keep.
func endSessions(ctx context.Context, tx *sql.Tx, accountID, keep string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = ?
		WHERE account_id = ? AND id <> ? AND ended_at IS NULL`, sqlstore.MS(at), accountID, keep)
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

func loadGuard(ctx context.Context, tx *sql.Tx, key otpd.GuardKey) (sqlstore.Guard, error) {
	var g sqlstore.Guard
	var start, locked int64
	err := tx.QueryRowContext(ctx, `SELECT wrong_count, window_start, locked_until FROM guards WHERE guard_key = ?`,
		key.String()).Scan(&g.Wrong, &start, &locked)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return sqlstore.Guard{}, nil
	case err != nil:
		return sqlstore.Guard{}, fmt.Errorf("load guard: %w", err)
	}
	g.WindowStart, g.LockedUntil = sqlstore.FromMS(start), sqlstore.FromZeroMS(locked)
	return g, nil
}

func saveGuard(ctx context.Context, tx *sql.Tx, key otpd.GuardKey, g sqlstore.Guard) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO guards (guard_key, wrong_count, window_start, locked_until)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (guard_key) DO UPDATE SET wrong_count = excluded.wrong_count,
		    window_start = excluded.window_start, locked_until = excluded.locked_until`,
		key.String(), g.Wrong, sqlstore.MS(g.WindowStart), sqlstore.ZeroMS(g.LockedUntil))
	if err != nil {
		return fmt.Errorf("save guard: %w", err)
	}
	return nil
}
