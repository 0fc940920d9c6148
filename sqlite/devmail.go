package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

// KeepDevMessage stores a dev mailbox message and trims the mailbox to the
// newest keep, in one immediate transaction, so the bound holds however
// many processes send.
func (s *Store) KeepDevMessage(ctx context.Context, m otpd.DevMessage, keep int) error {
	if keep < 1 {
		return fmt.Errorf("sqlite: keep dev message %s: keep must be at least 1, got %d", m.MessageID, keep)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO dev_messages (message_id, to_addr, to_key, at, sealed)
			VALUES (?, ?, ?, ?, ?)`, m.MessageID, m.To.String(), m.To.Key(), sqlstore.MS(m.At), m.Sealed); err != nil {
			return err
		}
		// The keep+1-th newest and all before it go; with fewer rows the
		// subquery is NULL and nothing matches.
		_, err := tx.ExecContext(ctx, `DELETE FROM dev_messages
			WHERE seq <= (SELECT seq FROM dev_messages ORDER BY seq DESC LIMIT 1 OFFSET ?)`, keep)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: keep dev message %s: %w", m.MessageID, err)
	}
	return nil
}

// DevMessages returns kept messages, newest first.
func (s *Store) DevMessages(ctx context.Context, to otpd.Address, limit int) ([]otpd.DevMessage, error) {
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
	}
	var rows *sql.Rows
	var err error
	if to.IsZero() {
		rows, err = s.db.QueryContext(ctx, `SELECT `+sqlstore.DevMessageColumns+` FROM dev_messages
			ORDER BY seq DESC LIMIT ?`, limit)
	} else {
		rows, err = s.db.QueryContext(ctx, `SELECT `+sqlstore.DevMessageColumns+` FROM dev_messages
			WHERE to_key = ? ORDER BY seq DESC LIMIT ?`, to.Key(), limit)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: dev messages: %w", err)
	}
	defer rows.Close()
	var out []otpd.DevMessage
	for rows.Next() {
		m, err := sqlstore.ScanDevMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: dev messages: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: dev messages: %w", err)
	}
	return out, nil
}

// DevMessage returns the newest kept message with a Message-ID.
func (s *Store) DevMessage(ctx context.Context, messageID string) (otpd.DevMessage, error) {
	m, err := sqlstore.ScanDevMessage(s.db.QueryRowContext(ctx, `SELECT `+sqlstore.DevMessageColumns+`
		FROM dev_messages WHERE message_id = ? ORDER BY seq DESC LIMIT 1`, messageID))
	if err != nil {
		return otpd.DevMessage{}, fmt.Errorf("sqlite: dev message %s: %w", messageID, sqlstore.NotFound(err))
	}
	return m, nil
}
