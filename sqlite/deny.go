package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// Challenge returns a challenge by its ID.
func (s *Store) Challenge(ctx context.Context, id string) (otpd.Challenge, error) {
	c, err := scanChallenge(s.db.QueryRowContext(ctx,
		`SELECT `+challengeColumns+` FROM challenges WHERE id = ?`, id))
	if err != nil {
		return otpd.Challenge{}, fmt.Errorf("sqlite: challenge %s: %w", id, sqlstore.NotFound(err))
	}
	return c, nil
}

// DenyChallenge cancels a pending challenge and records the report, in one
// immediate transaction, so a verify cannot slip in between.
func (s *Store) DenyChallenge(ctx context.Context, id string, ev otpd.Event) (otpd.Challenge, error) {
	var c otpd.Challenge
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE challenges SET status = ? WHERE id = ? AND status = ?`,
			otpd.StatusDenied, id, otpd.StatusPending); err != nil {
			return fmt.Errorf("deny: %w", err)
		}
		var err error
		c, err = scanChallenge(tx.QueryRowContext(ctx, `SELECT `+challengeColumns+` FROM challenges WHERE id = ?`, id))
		if err != nil {
			return sqlstore.NotFound(err)
		}
		ev.Type, ev.Email, ev.FlowID = otpd.EventCodeDenied, c.Email, c.FlowID
		if ev.AccountID, err = accountIDByKey(ctx, tx, c.Email.Key()); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return otpd.Challenge{}, fmt.Errorf("sqlite: deny challenge %s: %w", id, err)
	}
	return c, nil
}
