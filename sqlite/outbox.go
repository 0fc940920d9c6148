package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/otpd/otpd"
	"github.com/otpd/otpd/internal/sqlstore"
)

const messageColumns = `id, challenge_id, message_id, kind, to_addr, payload, created_at, not_after,
	next_attempt, attempts, state, last_error`

func insertMessage(ctx context.Context, tx *sql.Tx, m otpd.OutboxMessage) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (id, challenge_id, message_id, kind, to_addr, payload,
		created_at, not_after, next_attempt, attempts, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
		m.ID, m.ChallengeID, m.MessageID, m.Kind, m.To.String(), m.Payload,
		sqlstore.MS(m.CreatedAt), sqlstore.MS(m.NotAfter), sqlstore.MS(m.NextAttempt), otpd.MessageQueued)
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

// ClaimMessages claims due messages in one UPDATE: the claim is the move of
// next_attempt to the lease's end, so two workers never claim a message
// in the same lease, and a worker that dies leaves it due again when the
// lease ends. Messages past NotAfter are handed out too: deciding that
// they are pointless, and finishing them, is the worker's job.
// Messages come oldest first.
func (s *Store) ClaimMessages(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]otpd.OutboxMessage, error) {
	rows, err := s.db.QueryContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt = ?
		WHERE id IN (SELECT id FROM outbox WHERE state = ? AND next_attempt <= ?
		             ORDER BY next_attempt, created_at LIMIT ?)
		RETURNING `+messageColumns,
		sqlstore.MS(now.Add(lease)), otpd.MessageQueued, sqlstore.MS(now), max(limit, 0))
	if err != nil {
		return nil, fmt.Errorf("sqlite: claim messages: %w", err)
	}
	defer rows.Close()
	var msgs []otpd.OutboxMessage
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: claim messages: %w", err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: claim messages: %w", err)
	}
	// RETURNING comes in no promised order.
	slices.SortFunc(msgs, func(a, b otpd.OutboxMessage) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return msgs, nil
}

// RetryMessage puts a queued message back, due at next. A message whose
// delivery has ended is not found.
func (s *Store) RetryMessage(ctx context.Context, id string, next time.Time, lastError string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET next_attempt = ?, last_error = ? WHERE id = ? AND state = ?`,
		sqlstore.MS(next), lastError, id, otpd.MessageQueued)
	if err == nil {
		err = sqlstore.Affected(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: retry message %s: %w", id, err)
	}
	return nil
}

// FinishMessage ends a queued message's delivery and wipes its payload,
// which holds the sealed code: once delivery has ended nothing needs it.
// A message whose delivery has already ended is not found.
func (s *Store) FinishMessage(ctx context.Context, id string, state otpd.MessageState, at time.Time, lastError string) error {
	switch state {
	case otpd.MessageSent, otpd.MessageFailed, otpd.MessageUndeliverable:
	default:
		return fmt.Errorf("sqlite: finish message %s: %q is not a final state", id, state)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = ?, finished_at = ?, last_error = ?, payload = NULL
		WHERE id = ? AND state = ?`, state, sqlstore.MS(at), lastError, id, otpd.MessageQueued)
	if err == nil {
		err = sqlstore.Affected(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: finish message %s: %w", id, err)
	}
	return nil
}

func scanMessage(row sqlstore.Scanner) (otpd.OutboxMessage, error) {
	var (
		m                              otpd.OutboxMessage
		to, kind, state                string
		created, notAfter, nextAttempt int64
	)
	if err := row.Scan(&m.ID, &m.ChallengeID, &m.MessageID, &kind, &to, &m.Payload, &created, &notAfter,
		&nextAttempt, &m.Attempts, &state, &m.LastError); err != nil {
		return otpd.OutboxMessage{}, err
	}
	addr, err := sqlstore.ParseAddress(to)
	if err != nil {
		return otpd.OutboxMessage{}, err
	}
	m.To, m.Kind, m.State = addr, otpd.MessageKind(kind), otpd.MessageState(state)
	m.CreatedAt, m.NotAfter, m.NextAttempt = sqlstore.FromMS(created), sqlstore.FromMS(notAfter), sqlstore.FromMS(nextAttempt)
	return m, nil
}
