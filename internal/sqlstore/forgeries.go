package sqlstore

import (
	"context"
	"time"
)

// KeepForgery stores a sealed forgery report and trims the table to the
// newest keep, in one transaction.
func (s *Store) KeepForgery(ctx context.Context, at time.Time, sealed []byte, keep int) error {
	if keep < 1 {
		return s.errorf("keep forgery report: keep must be at least 1, got %d", keep)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forgery_reports (at, sealed) VALUES ($1, $2)`, toMS(at), sealed); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM forgery_reports
			WHERE seq <= (SELECT seq FROM forgery_reports ORDER BY seq DESC LIMIT 1 OFFSET $1)`, keep)
		return err
	})
	if err != nil {
		return s.errorf("keep forgery report: %w", err)
	}
	return nil
}

// Forgeries returns the sealed reports, newest first.
func (s *Store) Forgeries(ctx context.Context, limit int) ([][]byte, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sealed FROM forgery_reports ORDER BY seq DESC LIMIT $1`, s.limit(limit))
	out, err := scanAll(rows, err, func(row scanner) ([]byte, error) {
		var b []byte
		return b, row.Scan(&b)
	})
	if err != nil {
		return nil, s.errorf("forgery reports: %w", err)
	}
	return out, nil
}
