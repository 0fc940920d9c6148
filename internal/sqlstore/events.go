package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/otpd/otpd"
)

// insertEvent records e, and queues its webhooks in the same
// transaction.
func insertEvent(ctx context.Context, tx *txn, e otpd.Event) error {
	return insertEventFor(ctx, tx, e, otpd.WebhookApp{})
}

// insertEventFor is insertEvent with what an app.authorized webhook says
// of the app.
func insertEventFor(ctx context.Context, tx *txn, e otpd.Event, app otpd.WebhookApp) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO events (id, type, at, account_id, email, email_key,
		flow_id, ip, user_agent, place, purpose, resend, reason, concerns, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '')`,
		e.ID, e.Type, toMS(e.At), nullString(e.AccountID), e.Email.String(), e.Email.Key(),
		e.FlowID, e.IP, e.UserAgent, e.Place, e.Purpose, e.Resend, e.Reason, e.Concerns)
	if err != nil {
		return fmt.Errorf("insert event %s: %w", e.Type, err)
	}
	return queueWebhooks(ctx, tx, e, app)
}

// Events returns an account's events, newest first; events recorded in the
// same millisecond come newest-recorded first. A limit of zero or less
// returns them all.
func (s *Store) Events(ctx context.Context, accountID string, limit int) ([]otpd.Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, type, at, account_id, email, flow_id, ip, user_agent, place,
		purpose, resend, reason, concerns FROM events WHERE account_id = $1 ORDER BY at DESC, seq DESC LIMIT $2`, accountID, s.limit(limit))
	evs, err := scanAll(rows, err, scanEvent)
	if err != nil {
		return nil, s.errorf("events of account %s: %w", accountID, err)
	}
	return evs, nil
}

func scanEvent(row scanner) (otpd.Event, error) {
	var (
		e       otpd.Event
		typ     string
		at      int64
		account sql.NullString
		email   string
		purpose string
		reason  string
	)
	if err := row.Scan(&e.ID, &typ, &at, &account, &email, &e.FlowID, &e.IP, &e.UserAgent, &e.Place,
		&purpose, &e.Resend, &reason, &e.Concerns); err != nil {
		return otpd.Event{}, err
	}
	e.Purpose, e.Reason = otpd.Purpose(purpose), otpd.Reason(reason)
	addr, err := parseAddress(email)
	if err != nil {
		return otpd.Event{}, err
	}
	e.Type, e.At, e.AccountID, e.Email = otpd.EventType(typ), fromMS(at), account.String, addr
	return e, nil
}

// changeRecorded runs one UPDATE or DELETE that must change a row, and
// records ev, in one transaction: where it matches none, the error is
// otpd.ErrNotFound and nothing is recorded.
func (s *Store) changeRecorded(ctx context.Context, ev otpd.Event, query string, args ...any) error {
	return s.inTx(ctx, func(tx *txn) error {
		if err := affected(tx.ExecContext(ctx, query, args...)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// RecordEvent records one event on its own.
func (s *Store) RecordEvent(ctx context.Context, ev otpd.Event) error {
	err := s.inTx(ctx, func(tx *txn) error { return insertEvent(ctx, tx, ev) })
	if err != nil {
		return s.errorf("record event: %w", err)
	}
	return nil
}
