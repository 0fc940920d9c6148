package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

func insertEvent(ctx context.Context, tx *sql.Tx, e otpd.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO events (id, type, at, account_id, email, email_key,
		flow_id, ip, user_agent, place, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Type, sqlstore.MS(e.At), sqlstore.NullString(e.AccountID), e.Email.String(), e.Email.Key(),
		e.FlowID, e.IP, e.UserAgent, e.Place, e.Detail)
	if err != nil {
		return fmt.Errorf("insert event %s: %w", e.Type, err)
	}
	return nil
}
