package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
)

// KeepDevMessage stores a dev mailbox message and trims the mailbox to the
// newest keep, in one transaction that first takes the mailbox's lock, so
// the bound holds however many processes or nodes send: at PostgreSQL's
// READ COMMITTED, two nodes trimming at once would each miss the other's
// new row, and the mailbox would grow past keep.
func (s *Store) KeepDevMessage(ctx context.Context, m otpd.DevMessage, keep int) error {
	if keep < 1 {
		return s.errorf("keep dev message %s: keep must be at least 1, got %d", m.MessageID, keep)
	}
	err := s.inTx(ctx, func(tx *txn) error {
		if s.d.LockMailbox != nil {
			if err := s.d.LockMailbox(ctx, tx.Tx); err != nil {
				return fmt.Errorf("lock mailbox: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dev_messages (message_id, to_addr, to_key, at, sealed)
			VALUES ($1, $2, $3, $4, $5)`, m.MessageID, m.To.String(), m.To.Key(), toMS(m.At), m.Sealed); err != nil {
			return err
		}
		// The keep+1-th newest and all before it go; with fewer rows the
		// subquery is NULL and nothing matches.
		_, err := tx.ExecContext(ctx, `DELETE FROM dev_messages
			WHERE seq <= (SELECT seq FROM dev_messages ORDER BY seq DESC LIMIT 1 OFFSET $1)`, keep)
		return err
	})
	if err != nil {
		return s.errorf("keep dev message %s: %w", m.MessageID, err)
	}
	return nil
}

// DevMessages returns kept messages, newest first.
func (s *Store) DevMessages(ctx context.Context, to otpd.Address, limit int) ([]otpd.DevMessage, error) {
	lim := s.limit(limit)
	var rows *sql.Rows
	var err error
	if to.IsZero() {
		rows, err = s.db.QueryContext(ctx, `SELECT `+devMessageColumns+` FROM dev_messages
			ORDER BY seq DESC LIMIT $1`, lim)
	} else {
		rows, err = s.db.QueryContext(ctx, `SELECT `+devMessageColumns+` FROM dev_messages
			WHERE to_key = $1 ORDER BY seq DESC LIMIT $2`, to.Key(), lim)
	}
	out, err := scanAll(rows, err, scanDevMessage)
	if err != nil {
		return nil, s.errorf("dev messages: %w", err)
	}
	return out, nil
}

// DevMessage returns the newest kept message with a Message-ID.
func (s *Store) DevMessage(ctx context.Context, messageID string) (otpd.DevMessage, error) {
	m, err := scanDevMessage(s.db.QueryRowContext(ctx, `SELECT `+devMessageColumns+`
		FROM dev_messages WHERE message_id = $1 ORDER BY seq DESC LIMIT 1`, messageID))
	if err != nil {
		return otpd.DevMessage{}, s.errorf("dev message %s: %w", messageID, notFound(err))
	}
	return m, nil
}

// devMessageColumns are the columns scanDevMessage reads, in its order.
const devMessageColumns = `message_id, to_addr, at, sealed`

// scanDevMessage reads a dev mailbox row selected as devMessageColumns.
func scanDevMessage(row scanner) (otpd.DevMessage, error) {
	var (
		m  otpd.DevMessage
		to string
		at int64
	)
	if err := row.Scan(&m.MessageID, &to, &at, &m.Sealed); err != nil {
		return otpd.DevMessage{}, err
	}
	addr, err := parseAddress(to)
	if err != nil {
		return otpd.DevMessage{}, err
	}
	m.To, m.At = addr, fromMS(at)
	return m, nil
}
