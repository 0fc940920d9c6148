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

// Events returns an account's events, newest first; events recorded in the
// same millisecond come newest-recorded first. A limit of zero or less
// returns them all.
func (s *Store) Events(ctx context.Context, accountID string, limit int) ([]otpd.Event, error) {
	if limit <= 0 {
		limit = -1 // SQLite's "no limit"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, type, at, account_id, email, flow_id, ip, user_agent, place, detail
		FROM events WHERE account_id = ? ORDER BY at DESC, seq DESC LIMIT ?`, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: events of account %s: %w", accountID, err)
	}
	defer rows.Close()
	var evs []otpd.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: events of account %s: %w", accountID, err)
		}
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: events of account %s: %w", accountID, err)
	}
	return evs, nil
}

func scanEvent(row sqlstore.Scanner) (otpd.Event, error) {
	var (
		e       otpd.Event
		typ     string
		at      int64
		account sql.NullString
		email   string
	)
	if err := row.Scan(&e.ID, &typ, &at, &account, &email, &e.FlowID, &e.IP, &e.UserAgent, &e.Place, &e.Detail); err != nil {
		return otpd.Event{}, err
	}
	addr, err := sqlstore.ParseAddress(email)
	if err != nil {
		return otpd.Event{}, err
	}
	e.Type, e.At, e.AccountID, e.Email = otpd.EventType(typ), sqlstore.FromMS(at), account.String, addr
	return e, nil
}

// RecordEvent records one event on its own.
func (s *Store) RecordEvent(ctx context.Context, ev otpd.Event) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return insertEvent(ctx, tx, ev) })
	if err != nil {
		return fmt.Errorf("sqlite: record event: %w", err)
	}
	return nil
}
