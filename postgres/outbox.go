package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

func insertMessage(ctx context.Context, tx *sql.Tx, m otpd.OutboxMessage) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, challenge_id, message_id, kind, to_addr, payload,
		created_at, not_after, next_attempt, attempts, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)`,
		m.ID, m.ChallengeID, m.MessageID, m.Kind, m.To.String(), m.Payload,
		sqlstore.MS(m.CreatedAt), sqlstore.MS(m.NotAfter), sqlstore.MS(m.NextAttempt), otpd.MessageQueued)
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}
